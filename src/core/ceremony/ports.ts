/**
 * What a ceremony needs from the outside world. The engine is pure: the CLI and the Electron
 * main process each implement these ports (files on the chosen medium, prompts to the right
 * person, the OS clock and CSPRNG), and tests implement them in memory.
 */
import type { CryptoProvider } from '../crypto/provider';
import type { Clock, Rng } from '../crypto/random';
import type { IdentitySecrets } from '../roster/identity';
import type { NetworkState } from './network';

export interface CeremonyPorts {
  provider: CryptoProvider;
  rng: Rng;
  clock: Clock;
  appVersion: string;
  network(): NetworkState;
  /** The participant unlocks their identity (their identity file and passphrase). The engine wipes it. */
  unlock(participant: string, purpose: string): Promise<IdentitySecrets>;
  /** A custodian chooses the passphrase of their share file (the port asks twice). */
  choosePassphrase(custodian: string): Promise<string>;
  /** A custodian types their share-file passphrase again, to prove they can open it. */
  reenterPassphrase(custodian: string): Promise<string>;
  /** A custodian's dice rolls, digits 1 to 6. */
  dice(custodian: string): Promise<string>;
  outputs: {
    exists(name: string): boolean;
    /** Exclusive create, fsync, read back; returns the SHA-256 (hex) of what was written. */
    write(name: string, bytes: Uint8Array): string;
    read(name: string): Uint8Array;
  };
  transcript: {
    /** Append one line durably; `first` creates the file (which must not exist). */
    append(line: string, first: boolean): void;
  };
  /** Narration of each step for the people in the room (screen or terminal). Never a secret. */
  say(text: string): void;
}
