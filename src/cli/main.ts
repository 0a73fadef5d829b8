/**
 * `custos`: the command-line face of the core. Exit codes: 0 ok / verified, 1 verification
 * failed or refused by policy, 2 usage or input error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { InputError, PolicyError } from '../core/errors';
import { textToShare } from '../core/shares/text';
import { typeShareCard } from '../node/share-entry';
import { INTERRUPTED, ask as terminalAsk } from '../node/prompt';
import { writeNewFile } from '../node/durable';
import { options, printable, readBytes } from './io';
import { presentedShareBytes } from '../node/qr-image';
import { qrPayloadToShare } from '../core/shares/qr';
import { isCustosError } from '../core/errors';
import { describeShare, wipeShareRecord } from '../core/shares/record';
import { parseSharePlaintext } from '../core/shares/file';
import { nativeProvider } from '../node/native-provider';
import { checkPlanFile, foreseeRun } from '../node/plan-check';
import { PLAN_KINDS } from '../core/plan/schema';
import { planTemplate } from '../core/plan/templates';
import { describeSteps } from '../core/ceremony/steps';
import { enrollCommand, inspectCommand, runCommand, verifyCommand } from './ceremony';
import type { Io } from './io';
import { importCommand, serverCommand } from './server';
import { identityCommand, IDENTITY_USAGE } from './identity';
import { vaultCommand, VAULT_USAGE } from './vault';
import { auditCommand, AUDIT_USAGE } from './audit';
import { printCommand, PRINT_USAGE } from './print';

/** Exit codes, listed the same way in HELP and the README. 130 is the shell's code for Ctrl-C. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

const VERSION = '0.1.0';

/** Every plan kind, listed the same way here and in the README. */
export const KINDS = PLAN_KINDS.join(' ');

const HELP = `custos ${VERSION} - offline key ceremonies

Usage:
  custos <command> [options]

Commands:
  share inspect FILE   Print the public fields of a paper share (text or QR payload typed into
                       FILE, or a binary record). The share bytes are never printed.
  share type [--out FILE]
                       Type a paper share card back, each line checked as it is completed
  share scan IMAGE [--out FILE]
                       Read a share card's QR code from a picture (PNG, JPEG) and check it
  plan template KIND   Print a commented starting plan (kinds: ${KINDS})
  plan check FILE      Check a plan for what custos run would refuse (plan --help lists it)
  plan script FILE     Print the ceremony's script: each step, who acts, what they check
  run ENROLL-PLAN      The enrollment ceremony (custos plan template enroll): each person makes
                       their own identity at the workstation, types their own passphrase,
                       takes the file away on their own medium, and signs the roster
  identity request --id ID --name NAME --out DIR
                       Make your identity on your own machine and a public request to bring to
                       the enrollment ceremony
  identity export-age IDENTITY --out DIR
                       Your age identity for the standard age tool (opens your share file)
  enroll FILE --out DIR
                       Rehearsals only: enroll everyone of an unattended file (it holds every
                       passphrase, so its roster is marked REHEARSAL and real ceremonies refuse it)
  run PLAN             Run a ceremony plan of any kind. Each person is asked at the terminal
                       (passphrases without echo). Rerunning an interrupted plan resumes it.
                       Paths in a plan are relative to the plan file's folder.
  rehearse PLAN [--answers FILE] [--work-factor N]
                       The same with throwaway keys, marked REHEARSAL everywhere, in a vault
                       of its own; every answer may come from FILE
  verify transcript|bundle|backup|escrow|shares FILE... --roster ROSTER --roster-words "..."
                       Verify offline against the pinned roster: chain, signatures,
                       approvals, hashes (custos verify -h)
  inspect FILE         Say what a file is and print its public facts, unverified
  vault doctor VAULT PIN
                       What blocks a vault (a transcript cut off mid-write, a rehearsal in a
                       real vault, an unrecorded inventory file, ...) and what to do
  vault quarantine VAULT FILE PIN --operator ID --witness ID --reason "..."
                       Move one file aside into VAULT/quarantine, with a deviation record the
                       operator and a witness sign
  audit export VAULT PIN --format jsonl|syslog|cef --out FILE [--since TIME]
                       Every event of the vault's closed ceremonies for a SIEM, each with its
                       line hash and the transcript head (custos audit -h)
  print script|transcript|audit|receipt ... --out FILE.pdf
                       The ceremony script, a transcript report, the auditor's report of a
                       verify, an import receipt, as PDF; same input, same bytes (custos print -h)

Key-server side:
  server enroll --name NAME --kmip HOST:PORT --days N --out DIR
                       Create the transport key (RSA-4096, sealed with a passphrase) and the
                       enrollment file the export ceremony pins
  server trust ROSTER --roster-words "..." --transport E --transport-key K --out PIN
                       Pin the roster once, after checking its words against the enrollment
                       paper; the pin is signed with the transport key
  import BUNDLE --roster R (--roster-words "..." | --trust PIN) --transport E --transport-key K
         --kmip HOST:PORT [--kmip ...] --ca CA --cert CERT --key KEY --receipt OUT
                       Verify a bundle, register its keys in every KMIP server, read them back,
                       write a receipt signed with the transport key
  verify receipt RECEIPT --transport ENROLLMENT --fingerprint HEX [--bundle BUNDLE]

Options:
  --json               Machine-readable output
  -h, --help           Show help (also after a command)
  -V, --version        Show the version

Exit codes: 0 ok, 1 verification failed or refused, 2 usage or input error, 130 interrupted
(Ctrl-C at a question: a ceremony is interrupted, not lost; running its plan again resumes it).
`;

const SHARE_HELP = `Usage: custos share inspect FILE [--json]
       custos share type [--out FILE] [--json]
       custos share scan IMAGE [--out FILE] [--json]

inspect reads a share in its paper text form, its QR payload, or as a binary record, checks
its line checks and digest, and prints set id, key id, KCV, threshold, count, index and signer.
The signature is checked against the ceremony key when the share is combined.

type: type a paper share card at the terminal, line by line (no echo); each line is checked
the moment it is complete and a mistake is named at once, then the whole card against its
digest. With --out the checked text is written to FILE (never overwriting), for a quorum's
share prompt; at a quorum the share prompt also takes the card typed directly (press Enter).

scan: read a share card's QR code from a picture of it (PNG or JPEG: a scan or a photograph),
check it like a typed card (form, digest) and print its public fields. With --out the code's
text is written to FILE (never overwriting). At a quorum the share prompt takes the picture's
path directly.
`;

const PLAN_HELP = `Usage:
  custos plan template KIND          Print a commented starting plan (kinds: ${KINDS})
  custos plan script FILE [--json]   Print the ceremony's script: every step, who acts (role and
                                     person), what they do and what they check, with a box and
                                     an initials line to annotate during the ceremony
  custos plan check FILE [--rehearsal yes] [--json]
                                     Check a plan before a ceremony, for what custos run
                                     would refuse before asking anyone anything (below)

plan check refuses (exit 2) a plan with an unknown key, a wrong type or an inconsistent value,
naming its dotted path, or a file it reads that cannot be (the roster, a backup, a transport
key); and (exit 1):
  - a roster whose signatures or fingerprint words do not match, a participant without the role
    they act in or whose enrollment has expired, a custodian who is also witness
  - airgap: strict with a network interface up
  - a transcript of that name that does not verify, is closed, aborted, of another plan or of
    the other kind of run, an enrollment's, or stopped before every share of its split was
    written (that master key is gone)
  - an output or paper share that exists; when the run resumes, one the interrupted run did not
    record writing with the SHA-256 it has now (a backup archive of that very run is adopted)
  - a quorum that holds no live share set or a revoked one, a member who holds no share of it,
    fewer custodians than its threshold; the inventory it would open missing or not the file
    the transcripts recorded, or an inventory file no ceremony recorded in the way of the next
    generation
  - an export's transport key (or an escrow agent's RSA key) that is not the pinned one or has
    expired, a key it names that is not in the inventory or not active; an add-key's name the
    inventory already holds; a change-state of a key it does not hold, or to a state the key's
    lifecycle forbids (SP 800-57)
  - a restore into a vault that is not empty, from a backup that is missing, does not verify or
    is of the other kind of run, with a quorum its share sets refuse (as above)
--rehearsal yes checks for custos rehearse (a REHEARSAL roster implies it). custos run checks all
of it too, before the first question. custos run also checks before its first question, and
plan check does not: which master key a backup covers and its inventory, a confirm-import's
receipt and bundle, an enrollment's requests and renewal. Checked as the ceremony goes: the
shares brought (a share of another set or custodian is named and asked again), every KCV,
and, on a resume, an add-key's or change-state's keys (the interrupted run may have done them).

Paths in a plan (vault, outputs, roster.file, ...) are relative to the plan file's folder.
`;

const COMMAND_HELP: Record<string, string> = {
  enroll: `Usage: custos enroll ENROLLMENT.yaml --out DIR [--rehearsal yes --work-factor N]

For rehearsals, drills and tests. Creates each participant's identity (Ed25519 + age X25519),
sealed with the passphrase the file gives, in DIR/<id>.identity.age, and DIR/roster.json signed
by everyone. Whoever holds the file holds every identity, so the roster is marked REHEARSAL:
custos rehearse accepts it, custos run refuses it. A real roster comes from the enrollment
ceremony: custos plan template enroll, then custos run.
`,
  identity: `${IDENTITY_USAGE}

On your own machine: makes your identity (Ed25519 + age X25519) sealed with a passphrase you
type, DIR/ID.identity.age, and DIR/ID.request.json, your public keys signed with them. Bring the
request and your identity file to the enrollment ceremony, where the plan names the request
(participants: - { id, name, roles, request: FILE }); nobody else ever holds your secret.

export-age: your age identity in the standard form, so the standard age tool opens your
recipient-protected share file if Custos is ever unavailable (age -d -i FILE SHARE.age). It is
written to the folder you name (never overwriting, readable by you alone), sealed with a
passphrase you choose (age asks for it); --unprotected yes writes the bare AGE-SECRET-KEY line.
`,
  run: `Usage: custos run PLAN [--json]

Runs a ceremony plan (custos plan template KIND). Every person is asked at the terminal;
passphrases are read without echo. An answers file is refused: it holds passphrases, so it is
for rehearsals only. If the plan's transcript exists in the vault and is not closed, the run
resumes it: the interruption is recorded and countersigned, finished steps are not repeated.
A real run refuses a vault that holds a rehearsal verifying under its roster, and anything a
rehearsal made; a file that does not verify is ignored and reported, and blocks nothing.
Ctrl-C at a question stops the run there and restores the terminal; nothing is recorded as
aborted, and running the plan again resumes it.
Exit 0 closed, 1 refused by policy or a verification failed, 2 bad input, 130 interrupted.
`,
  rehearse: `Usage: custos rehearse PLAN [--answers FILE] [--work-factor N] [--json]

Runs a plan with throwaway keys; everything it writes says REHEARSAL. Give it a vault of its
own: a rehearsal refuses a vault that holds real ceremonies. With --answers every answer comes
from FILE. --work-factor lowers the scrypt cost of share files (rehearsals only).
`,
  verify: `Usage:
  custos verify transcript FILE PIN
      chain, signatures, the steps of the ceremony, the closing attestations
  custos verify bundle FILE PIN [--fingerprint HEX [--transport ENROLLMENT]] [--transcript FILE]
      the manifest, two distinct custodian approvals, the recipient, the expiry, and (with
      --transcript) that the export ceremony recorded this very file, the transcript being a
      valid, closed export ceremony as verify transcript checks it
  custos verify backup FILE PIN
      the archive's layout, its SHA-256 and the two approvals (no key needed)
  custos verify escrow MANIFEST PIN [--payload FILE.age]
  custos verify shares FILE... (--transcript FILE [--transcript FILE ...] | --vault DIR) PIN [--answers FILE]
      paper shares (text or QR payload) or share files: digest, signature, the set a valid
      ceremony issued, and not revoked. With --vault every valid ceremony of the vault counts;
      with --transcript only the closed ceremonies given (each a valid one), so a revocation
      recorded elsewhere is not seen, and the output says so. A share file's passphrase is
      asked at the terminal (no echo); a recipient share file opens with its custodian's
      identity file and passphrase, asked too. --answers gives passphrases as
      shares.<id>: { file, passphrase }, for rehearsal shares only (refused for real ones)
  custos verify receipt RECEIPT --transport ENROLLMENT --fingerprint HEX [--bundle BUNDLE]
      the key server's signature, by the transport key whose fingerprint was pinned

PIN is the roster and how it is trusted: --roster ROSTER --roster-words "the eight words
written at enrollment" (or --roster-sha256 HEX). A roster file proves nothing by itself.
A renewed roster is trusted when it succeeds the pinned one: give the older roster files with
--previous-roster OLD (repeatable); each renewal must be endorsed by a majority of the roster
before it. Without a pin: exit 2; a roster that is not the pinned one: exit 1.

Exit 0 verified, 1 verification failed (the message names what), 2 bad usage or unreadable input.
`,
  server: `Usage: custos server enroll --name NAME --kmip HOST:PORT [--kmip ...] --days N --out DIR [--passphrase-file F]
       custos server trust ROSTER --roster-words "8 words" --transport ENROLLMENT --transport-key KEYFILE --out PIN [--passphrase-file F]

server enroll, on the key-server host: creates the transport key pair (RSA-4096). The private
key is sealed with a passphrase in DIR/NAME.transport-key.age and stays on the host;
DIR/NAME.transport.json (public key, server name, KMIP endpoints, expiry, all signed by the key)
goes to the workstation. Read the printed fingerprint words aloud to the ceremony operator, who
pins the fingerprint in the export plan.

server trust: check the roster's eight words against the paper signed at enrollment, once; the
pin is written to PIN, signed with the transport key, and later imports give --trust PIN.
A REHEARSAL roster is pinned only with --rehearsal yes, and its pin serves drills only.
`,
  import: `Usage: custos import BUNDLE --roster ROSTER (--roster-words "8 words" | --roster-sha256 HEX | --trust PIN)
         [--previous-roster OLD ...] --transport ENROLLMENT --transport-key KEYFILE
         --kmip HOST:PORT [--kmip HOST:PORT ...] --ca CA.pem --cert CERT.pem --key KEY.pem
         --receipt OUT [--policy NAME] [--wrapped UID] [--passphrase-file F] [--timeout SECONDS]
         [--unlisted-endpoints allow] [--rehearsal yes]

A bundle made in a rehearsal is refused; --rehearsal yes is a drill on a test server: it imports
rehearsal bundles only, and its receipt says REHEARSAL.

The roster must be pinned: its words from the enrollment paper, or --trust PIN recorded once
with custos server trust (a renewed roster is trusted through --previous-roster, see custos
verify -h). The enrollment must be signed by its key, and the --kmip endpoints and the bundle's
server must be the ones the transport key was enrolled for (--unlisted-endpoints allow goes on,
with a warning, when they are not).

Verifies the bundle (two custodian approvals against the roster, wrapped for this transport
key, not expired), unwraps every key and checks its KCV, then on every KMIP server (mutual TLS,
the CA pinned): finds keys already there by name (same KCV: kept; another KCV: refused), registers
the rest (AES-256, usage mask, the ceremony in Object Group, the KCV in Application Specific
Information, under --policy if given), activates them and reads each back to compare its KCV.
A rerun after an interruption completes the import. Writes a receipt signed with the transport
key for the workstation.

--wrapped UID, for servers that hold the transport key pair and unwrap themselves: UID is the
server's object for the transport public key (its fingerprint must be the pinned one), once for
every server or once per --kmip in order. Every server's is checked before anything is
registered. Each key is sent as the bundle's RSA-AES wrap in KMIP Key Wrapping Data, never in
plaintext; the first one is read back, and a server that refuses the wrapped form, keeps it
wrapped or unwraps it to another KCV is refused (that key destroyed) before the others are sent.
`,
  audit: `${AUDIT_USAGE}

Writes every event of the vault's valid, closed ceremonies (under the pinned roster) to FILE,
which must not exist, for the walk to the SIEM: JSON Lines, RFC 5424 syslog lines (facility
log audit, severity informational, MSGID the event type, structured data custos@32473 with
the ceremony, sequence, actor, event, line hash, previous hash, transcript head and the event's
public fields) or ArcSight CEF:0. A SIEM proves it saw a whole chain: each record's prev is the
hash of the record before, and the last hash is the head. Only public facts are written (key
ids, names and KCVs, the keys a bundle or escrow carries, set ids, file names and hashes, where
a paper share went, how a share came, counts), never a secret; in syslog and CEF a list is one
value, its items comma-joined (keys.kcv, cs6 keyId). Files the vault doctor does not count as
closed ceremonies are left out and named. --since keeps events from that UTC time.
`,
  vault: `${VAULT_USAGE}

doctor reads every file of the vault as the ceremonies do (under the pinned roster, or one it
succeeds through --previous-roster) and lists, file by file, what is not a closed ceremony:
a transcript cut off mid-write (its plan cannot resume), interrupted (run its plan again to
resume it), aborted, not a valid ceremony (ignored), a rehearsal in a real vault or the reverse
(every ceremony of the other kind is refused), an inventory file no valid ceremony recorded
(the next generation of its master key cannot be written); each with what to do. Files already
moved aside are listed with their deviation records, checked. Exit 0 when nothing blocks, 1 when
something does (a file moved aside without a record that verifies blocks too). The vault is a
real one unless the roster is a REHEARSAL roster or --rehearsal yes says it is a rehearsal vault.

quarantine moves FILE (a name in the vault that the doctor finds in the way; never a valid closed
ceremony) into VAULT/quarantine/. The operator and a witness
of the pinned roster unlock their identities at the terminal and sign a deviation record
(FILE.deviation.json beside it: the file's name, SHA-256 and size, the reason, the time).
The record is written first, then the file moved; nothing is overwritten. If the move was cut
off, the same command completes it under the record already signed.
`,
  inspect: `Usage: custos inspect FILE [--json]

Says what kind of Custos file FILE is and prints its public facts without verifying them.
`,
};

export type { Io };

export async function run(argv: string[], io: Io): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  if (args.length === 0 || args[0] === '-h' || args[0] === '--help' || args[0] === 'help') {
    io.out(HELP);
    return args.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (args[0] === '-V' || args[0] === '--version') {
    io.out(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (args[0] === 'share') {
    if (args[1] === '-h' || args[1] === '--help' || args.includes('--help')) {
      io.out(SHARE_HELP);
      return EXIT.ok;
    }
    if (args[1] === 'type' || args[1] === 'scan') {
      try {
        if (args[1] === 'scan') shareScan(args.slice(2), json, io);
        else shareType(args.slice(2), json, io);
        return EXIT.ok;
      } catch (e) {
        return report(e, json, io);
      }
    }
    if (args[1] !== 'inspect' || args.length !== 3) {
      io.err(`custos share: expected "inspect FILE", "type [--out FILE]" or "scan IMAGE [--out FILE]"\n\n${SHARE_HELP}`);
      return EXIT.usage;
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(args[2]!));
    } catch (e) {
      io.err(`custos: cannot read ${args[2]}: ${(e as NodeJS.ErrnoException).code ?? 'error'}\n`);
      return EXIT.usage;
    }
    let presented: Uint8Array | undefined;
    try {
      presented = presentedShareBytes(bytes, 'share').bytes;
      const r = parseSharePlaintext(nativeProvider, presented, 'share');
      const d = describeShare(r);
      wipeShareRecord(r);
      if (json) io.out(JSON.stringify({ ok: true, share: d }) + '\n');
      else io.out(`share ${shareFacts(d)}signer  ${d.signer}\n`);
      return EXIT.ok;
    } catch (e) {
      return report(e, json, io);
    } finally {
      bytes.fill(0); // the share in the clear (or the picture of it)
      presented?.fill(0);
    }
  }
  if (args[0] === 'plan') return planCommand(args.slice(1), json, io);
  if (args[0] === 'print') {
    if (args.length === 1 || args.includes('-h') || args.includes('--help')) {
      io.out(PRINT_USAGE);
      return args.length === 1 ? EXIT.usage : EXIT.ok;
    }
    try {
      return await printCommand(args.slice(1), json, io);
    } catch (e) {
      return report(e, json, io);
    }
  }
  const ceremonyCommands: Record<string, (rest: string[]) => Promise<void> | void> = {
    enroll: (rest) => enrollCommand(rest, json, io, VERSION),
    run: (rest) => runCommand(rest, json, io, VERSION, false),
    rehearse: (rest) => runCommand(rest, json, io, VERSION, true),
    verify: (rest) => verifyCommand(rest, json, io),
    inspect: (rest) => inspectCommand(rest, json, io),
    server: (rest) => serverCommand(rest, json, io),
    identity: (rest) => identityCommand(rest, json, io),
    import: (rest) => importCommand(rest, json, io),
    vault: (rest) => vaultCommand(rest, json, io),
    audit: (rest) => auditCommand(rest, json, io, VERSION),
  };
  const cmd = ceremonyCommands[args[0]!];
  if (cmd && (args.includes('-h') || args.includes('--help'))) {
    io.out(COMMAND_HELP[args[0]!]!);
    return EXIT.ok;
  }
  if (cmd) {
    try {
      await cmd(args.slice(1));
      return EXIT.ok;
    } catch (e) {
      return report(e, json, io);
    }
  }
  io.err(`custos: unknown command "${args[0]}"\n\n${HELP}`);
  return EXIT.usage;
}

/** `custos share type`: a paper card typed back and checked; its public fields printed, the share never. */
function shareType(args: string[], json: boolean, io: Io): void {
  const { positional, opts } = options(args, ['out']);
  if (positional.length) throw new InputError('cli.usage', 'share type', 'usage: custos share type [--out FILE]');
  const out = freeOut(opts.get('out'));
  const text = typeShareCard(nativeProvider, io.terminal ?? terminalAsk, 'you', (s) => io.err(`${s}\n`));
  const r = textToShare(nativeProvider, text, 'share');
  const d = describeShare(r);
  wipeShareRecord(r);
  checkedShare(io, json, 'card checked', d, out, text);
}

/** `custos share scan`: a card's QR code read from a picture and checked; its public fields printed, the share never. */
function shareScan(args: string[], json: boolean, io: Io): void {
  const { positional, opts } = options(args, ['out']);
  if (positional.length !== 1) throw new InputError('cli.usage', 'share scan', 'usage: custos share scan IMAGE [--out FILE]');
  const out = freeOut(opts.get('out'));
  const { bytes, image } = presentedShareBytes(readBytes(positional[0]!, 'image'), 'image');
  if (!image) {
    bytes.fill(0);
    throw new InputError('qr.image', 'image', `${positional[0]!} is not a PNG or JPEG picture`);
  }
  const payload = new TextDecoder().decode(bytes);
  bytes.fill(0);
  const r = qrPayloadToShare(nativeProvider, payload, 'image.qr');
  const d = describeShare(r);
  wipeShareRecord(r);
  checkedShare(io, json, 'QR code read and checked', d, out, payload + '\n', { image });
}

/** An --out file for a share in the clear: never one that exists. */
function freeOut(out: string | undefined): string | undefined {
  if (out !== undefined && existsSync(out)) throw new PolicyError('share.exists', '--out', `${out} already exists: Custos never overwrites`);
  return out;
}

/** A checked share's public fields; with --out its text written, and said to be the share in the clear. */
function checkedShare(io: Io, json: boolean, what: string, d: ReturnType<typeof describeShare>, out: string | undefined, text: string, extra: Record<string, unknown> = {}): void {
  if (out !== undefined) {
    const bytes = new TextEncoder().encode(text);
    writeNewFile(out, bytes);
    bytes.fill(0);
  }
  const warning = out !== undefined ? `${out} holds your share in the clear: keep it on your own medium and destroy it once the quorum has used it` : undefined;
  if (json) io.out(JSON.stringify({ ok: true, ...extra, share: d, ...(out !== undefined && { file: out, warning }) }) + '\n');
  else io.out(`${what}: share ${shareFacts(d)}${warning ? `written ${out}\nWARNING ${warning}\n` : ''}`);
}

/** A share's public fields, a line each; a rehearsal's share says so first. */
function shareFacts(d: ReturnType<typeof describeShare>): string {
  const rehearsal = d.rehearsal ? `REHEARSAL a rehearsal's share, of a throwaway key: no real ceremony takes it\n` : '';
  return `${d.index} of ${d.count} (any ${d.threshold} restore)\n${rehearsal}set     ${d.setId}\nkey     ${d.keyId}\nkcv     ${d.kcv}\n`;
}

function report(e: unknown, json: boolean, io: Io): number {
  if (!isCustosError(e)) throw e;
  if (json) io.out(JSON.stringify({ ok: false, error: { kind: e.kind, code: e.code, field: e.field, message: e.message } }) + '\n');
  else io.err(`custos: ${printable(e.message)}\n`); // a message may quote what a file holds
  return e.code === INTERRUPTED ? EXIT.interrupted : e.kind === 'input' ? EXIT.usage : EXIT.failed;
}

function planCommand(args: string[], json: boolean, io: Io): number {
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    io.out(PLAN_HELP);
    return args.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (args[0] === 'template' && args.length === 2) {
    try {
      io.out(planTemplate(args[1]!));
      return EXIT.ok;
    } catch (e) {
      return report(e, json, io);
    }
  }
  if (args[0] === 'script' && args.length === 2) {
    try {
      const c = checkPlanFile(nativeProvider, args[1]!, new Date());
      const steps = describeSteps(c.plan, c.roster);
      if (json) io.out(JSON.stringify({ ok: true, kind: c.plan.kind, ceremony: c.plan.ceremony.name, steps }) + '\n');
      else {
        const w = String(steps.length).length;
        const lines = steps.map((s, i) => `${String(i + 1).padStart(w)}. ${s.person}${s.name ? ` (${s.name})` : ''}, ${s.position ?? s.role}: ${s.action}\n${' '.repeat(w + 2)}check: ${s.check}\n${' '.repeat(w + 2)}[ ] done   initials ______`);
        io.out(`Script of the ${c.plan.kind} ceremony "${c.plan.ceremony.name}" (${c.plan.ceremony.organization}), ${steps.length} steps\n\n${lines.join('\n')}\n`);
      }
      return EXIT.ok;
    } catch (e) {
      return report(e, json, io);
    }
  }
  if (args[0] === 'check') {
    try {
      const { positional, opts } = options(args.slice(1), ['rehearsal']);
      if (positional.length !== 1) throw new InputError('cli.usage', 'plan check', 'usage: custos plan check FILE [--rehearsal yes]');
      if (opts.has('rehearsal') && opts.get('rehearsal') !== 'yes') throw new InputError('cli.option', '--rehearsal', 'is "yes" or absent');
      const now = new Date();
      const c = checkPlanFile(nativeProvider, positional[0]!, now);
      const rehearsal = opts.get('rehearsal') === 'yes' || c.roster?.rehearsal === true;
      const f = foreseeRun(nativeProvider, c, rehearsal, now);
      const roster = c.roster ? `${c.roster.words.join(' ')}${c.roster.rehearsal ? ' (REHEARSAL roster: for custos rehearse only)' : ''}` : 'none yet: this enrollment makes it';
      if (json)
        io.out(
          JSON.stringify({ ok: true, kind: c.plan.kind, roster: c.roster?.words.join(' ') ?? null, rehearsalRoster: c.roster?.rehearsal ?? false, rehearsal, outputs: c.outputs, resuming: f.resuming, warnings: f.warnings, ...(f.set && { set: f.set }) }) + '\n',
        );
      else
        io.out(
          `plan ok: ${c.plan.kind} "${c.plan.ceremony.name}"${rehearsal ? ' (checked for custos rehearse)' : ''}\nroster  ${roster}\n` +
            (f.resuming ? `resumes the interrupted run in ${c.transcriptFile}\n` : `outputs ${c.outputs.length} files, none exist yet\n`) +
            (f.set ? `quorum  opens share set ${f.set.setId} (master key ${f.set.kcv}, any ${f.set.threshold} of ${f.set.count})\n` : '') +
            f.warnings.map((w) => `warning ${w}\n`).join(''),
        );
      return EXIT.ok;
    } catch (e) {
      return report(e, json, io);
    }
  }
  io.err(`custos plan: expected "template KIND", "script FILE" or "check FILE"\n\n${PLAN_HELP}`);
  return EXIT.usage;
}

const isEntry = process.argv[1] !== undefined && /(?:custos(?:\.mjs)?|cli[/\\]main\.ts)$/.test(process.argv[1]);
if (isEntry) {
  void run(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`custos: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
