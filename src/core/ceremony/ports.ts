/**
 * What a ceremony needs from the outside world. The engine is pure: the CLI and the Electron
 * main process each implement these ports (files on the chosen medium, prompts to the right
 * person, the OS clock and CSPRNG), and tests implement them in memory.
 */
import type { FontFiles } from '../paper/layout';
import type { CryptoProvider } from '../crypto/provider';
import type { Clock, Rng } from '../crypto/random';
import type { NetworkState } from './network';
import type { Receipt } from '../documents/receipt';
import type { TransportKey } from '../documents/transport';

/** A file being written in pieces: visible under its name only once committed, never overwriting. */
export interface StreamWriter {
  write(bytes: Uint8Array): void;
  /** SHA-256 (hex) of everything written so far. */
  digest(): string;
  /** fsync, publish under the final name (refused if it exists), read back; returns the SHA-256 hex. */
  commit(): string;
  /** Remove what was written; nothing is left under the final name. */
  abort(): void;
}

/** A flat directory: the output medium, or the workstation's vault. Names are plain file names. */
export interface Medium {
  /** Where this medium is, for the record (a folder path, a drive's label): never a secret. */
  readonly location: string;
  exists(name: string): boolean;
  /** Exclusive create, fsync, read back; returns the SHA-256 (hex) of what was written. */
  write(name: string, bytes: Uint8Array): string;
  read(name: string): Uint8Array;
  list(): string[];
  size(name: string): number;
  /**
   * The file in chunks of at most `chunkSize` bytes (the last may be shorter). A chunk is valid
   * until the next one is requested (the reader may reuse its buffer): copy what you keep.
   */
  chunks(name: string, chunkSize: number): Iterable<Uint8Array>;
  create(name: string): StreamWriter;
  /** SHA-256 (hex) of a file, computed without holding it in memory. */
  sha256(name: string): string;
  /** Random access to a file, for archives read from the end. */
  open(name: string): RandomAccess;
}

export interface RandomAccess {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
  /** `length` bytes from `offset`, in chunks of at most `chunkSize`. */
  chunks(offset: number, length: number, chunkSize: number): Iterable<Uint8Array>;
  /** SHA-256 (hex) of the first `length` bytes. */
  sha256(length: number): string;
  close(): void;
}

/** An identity file as presented, with the passphrase typed for it. */
export interface IdentityPresented {
  file: Uint8Array;
  passphrase: string;
}

export interface ShareFileAnswer {
  bytes: Uint8Array;
  /** For a passphrase-protected share file; a recipient one opens with the custodian's identity. */
  passphrase?: string;
  label: string;
  /** How it was brought, for the transcript: a file, a card typed, a picture of its QR code, the window's camera. */
  via?: 'file' | 'typed' | 'picture' | 'camera';
  /** The app's camera was opened while this share was asked (main's record, whatever the share came as). */
  camera?: true;
}

/** What an approver is shown before they sign: a title and the facts they approve, one per line. */
export interface ApprovalSummary {
  title: string;
  lines: string[];
}

export interface ReadAloud {
  /** What it is: "Master key KCV", "Closing head", "Roster fingerprint", ... */
  label: string;
  value: string;
  words?: string[];
}

export interface Progress {
  /** scrypt: one key derivation from a passphrase (0 of 1 as it starts, 1 of 1 when done: it reports nothing between). */
  what: 'subsets' | 'backup' | 'restore' | 'scrypt';
  done: number;
  total: number;
}

/** A reporter for `total` units of work that calls `report` at most about a hundred times, and always at the end. */
export function meter(what: Progress['what'], total: number, report: ((p: Progress) => void) | undefined): (done: number) => void {
  if (!report) return () => undefined;
  const step = Math.max(1, Math.floor(total / 100));
  let last = -1;
  return (done) => {
    if (done === total || done - last >= step) {
      last = done;
      report({ what, done, total });
    }
  };
}

/**
 * The platform a ceremony runs on: crypto, randomness, time, the network's state, media, the
 * transcript file, and what the room is told (never a secret). The CLI and the app share one
 * implementation (src/node/ceremony-ports.ts `platformPorts`).
 */
export interface PlatformPorts {
  provider: CryptoProvider;
  rng: Rng;
  clock: Clock;
  appVersion: string;
  network(): NetworkState;
  /** Where the ceremony's outputs go (custodians' and couriers' media). */
  outputs: Medium;
  /**
   * Where paper shares go, when a plan makes them: a medium of its own chosen by the operator
   * (the folder the printer reads, a separate drive), never the outputs medium that carries the
   * encrypted share files. The transcript records its location.
   */
  paper?: Medium;
  /** The fonts printed documents embed (share cards on the paper medium), read when first needed. */
  fonts?(): FontFiles;
  /** The workstation's data folder: roster, sealed inventories, every ceremony transcript. */
  vault: Medium;
  /** Input files a plan names (a backup to restore, a transport key, an escrow agent's key). */
  input(path: string, field: string): Uint8Array;
  /** Random access to an input file (a backup archive may be larger than memory). */
  openInput(path: string, field: string): RandomAccess;
  transcript: {
    /** The transcript of this ceremony so far, if a run was interrupted; undefined if none. */
    existing(): string | undefined;
    /** Append one line durably; `first` creates the file (which must not exist). */
    append(line: string, first: boolean): void;
  };
  /**
   * Check a key server's receipt: its signature by the transport key (RSA-PSS, done by the
   * platform) and its strict form. Returns the receipt's content.
   */
  verifyReceipt(text: string, transport: TransportKey): Receipt;
  /** Narration of each step for the people in the room (screen or terminal). Never a secret. */
  say(text: string): void;
  /**
   * Each transcript event as it is appended (its type, actor and sequence number: never its
   * data), so a screen follows the script (`describeSteps`, `progress`) and shows a live
   * transcript. Optional: the command line narrates with `say`.
   */
  appended?(event: { type: string; actor: string; seq: number; data: { custodian?: string } }): void;
  /**
   * A value the room reads aloud and compares with paper (a KCV, a fingerprint, a transcript
   * head), with its words when it has them, so a screen can show it in large type. Never a
   * secret. Optional: `say` narrates the same value.
   */
  readAloud?(value: ReadAloud): void;
  /**
   * What a person typed or presented failed and is asked again: whose, why (never what was
   * typed), and which try comes next of how many. Optional: `say` tells the same.
   */
  retrying?(retry: { who: string; reason: string; attempt: number; of: number }): void;
  /** Long work as it goes (the subset check, bytes backed up or restored, each scrypt derivation), at most about a hundred reports per piece of work. Optional. */
  progress?(work: Progress): void;
  /**
   * A warning the room must see before the ceremony goes on (the air gap in `warn` mode with an
   * interface up); the transcript records it too. Optional: `say` tells it otherwise.
   */
  warn?(text: string): void;
}

/**
 * The people: each question put to one named person, at the terminal or on the screen. Ports
 * hand back what the person typed or presented; the engine does every piece of crypto with it
 * and wipes it.
 */
export interface PeoplePorts {
  /**
   * The participant presents their identity file and types its passphrase. The engine opens it
   * (no port does the crypto), checks it is the enrolled identity, and wipes the file's bytes.
   */
  unlock(participant: string, purpose: string): Promise<IdentityPresented>;
  /**
   * An approver reads what they are about to sign and says yes (true) or no. Shown before they
   * unlock; the approval event records the SHA-256 of exactly this summary.
   */
  review(approver: string, summary: ApprovalSummary): Promise<boolean>;
  /** A participant being enrolled chooses the passphrase of their new identity file (the port asks twice). */
  chooseIdentityPassphrase(participant: string): Promise<string>;
  /**
   * A participant's new identity file goes to the medium they choose (never overwriting);
   * returns where it went, for the record, and the SHA-256 of what was read back.
   */
  saveIdentity(participant: string, file: Uint8Array): Promise<{ location: string; sha256: string }>;
  /** A custodian chooses the passphrase of their share file (the port asks twice). */
  choosePassphrase(custodian: string): Promise<string>;
  /** A custodian types their share-file passphrase again, to prove they can open it. */
  reenterPassphrase(custodian: string): Promise<string>;
  /** A custodian's dice rolls, digits 1 to 6. */
  dice(custodian: string): Promise<string>;
  /** A custodian presents their share file (and its passphrase) for a quorum. The engine wipes the bytes. */
  shareFile(custodian: string): Promise<ShareFileAnswer>;
  /**
   * A custodian's own paper share, shown to them alone (after they unlocked) so they can check
   * their printed card or copy it by hand; resolves once they have, and the screen forgets it.
   * Optional: at the terminal the paper share is on its medium only.
   */
  showShare?(custodian: string, card: string[], cardPdf?: Uint8Array): Promise<{ printed?: boolean } | void>;
}

/** Everything a ceremony needs: the platform and the people. */
export interface CeremonyPorts extends PlatformPorts, PeoplePorts {}
