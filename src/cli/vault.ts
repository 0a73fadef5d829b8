/**
 * `custos vault doctor VAULT PIN`: what blocks a vault and why, file by file, with what to do.
 * `custos vault quarantine VAULT FILE PIN --operator ID --witness ID --reason "..."`: move one
 * file aside into VAULT/quarantine/, with a deviation record the operator and a witness sign
 * at the terminal (the record is written first, then the file moved; nothing is overwritten).
 */
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { InputError, PolicyError } from '../core/errors';
import { toHex } from '../core/crypto/bytes';
import { attempt } from '../core/ceremony/session';
import { checkQuarantineRecord, deviationName, diagnoseVault, QUARANTINE_DIR, quarantineRecord } from '../core/ceremony/doctor';
import { openIdentity, wipeIdentity, type IdentitySecrets } from '../core/roster/identity';
import type { VerifiedRoster } from '../core/roster/roster';
import { isCustosError } from '../core/errors';
import { writeNewFile } from '../node/durable';
import { directoryMedium } from '../node/medium';
import { nativeProvider } from '../node/native-provider';
import { systemClock } from '../node/platform';
import { ask as terminalAsk } from '../node/prompt';
import { options, printable, readBytes, type Io } from './io';
import { PIN_OPTIONS, pinFromOptions, pinnedRoster } from './trust';

export const VAULT_USAGE = `usage: custos vault doctor VAULT --roster ROSTER --roster-words "8 words" [--previous-roster OLD ...] [--rehearsal yes]
       custos vault quarantine VAULT FILE --roster ROSTER --roster-words "8 words" --operator ID --witness ID --reason "why" [--rehearsal yes]`;

export function vaultDir(dir: string | undefined): string {
  if (!dir || !existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError('cli.read', 'VAULT', `${dir ?? '(none)'} is not a vault folder`);
  return dir;
}

export async function vaultCommand(args: string[], json: boolean, io: Io): Promise<void> {
  const what = args[0];
  if (what === 'doctor') return doctor(args.slice(1), json, io);
  if (what === 'quarantine') return quarantine(args.slice(1), json, io);
  throw new InputError('cli.usage', 'vault', VAULT_USAGE);
}

function doctor(args: string[], json: boolean, io: Io): void {
  const { positional, opts, all } = options(args, [...PIN_OPTIONS, 'rehearsal']);
  if (positional.length !== 1 || !opts.has('roster')) throw new InputError('cli.usage', 'vault doctor', VAULT_USAGE);
  if (opts.has('rehearsal') && opts.get('rehearsal') !== 'yes') throw new InputError('cli.option', '--rehearsal', 'is "yes" or absent');
  const dir = vaultDir(positional[0]);
  const roster = pinnedRoster(opts.get('roster')!, all, pinFromOptions(opts));
  const d = diagnoseVault(nativeProvider, directoryMedium(dir), roster, opts.has('rehearsal') ? { rehearsal: true } : {});
  const quarantined = quarantinedFiles(dir, roster);
  // A file moved aside without a record that verifies is an unexplained gap in the vault's history.
  const blocking = [...d.findings.filter((f) => f.blocks), ...quarantined.filter((q) => !q.ok).map((q) => ({ file: `${QUARANTINE_DIR}/${q.file}` }))];
  if (json) io.out(JSON.stringify({ ok: blocking.length === 0, vault: dir, closed: d.closed, findings: d.findings, quarantined }) + '\n');
  else {
    const lines = [`vault ${dir}: ${d.closed.length} closed ceremon${d.closed.length === 1 ? 'y' : 'ies'}, ${d.findings.length} finding${d.findings.length === 1 ? '' : 's'}, ${blocking.length} blocking`];
    for (const f of d.findings) lines.push('', `${f.blocks ? 'BLOCKS ' : ''}${f.status}: ${f.file}`, `  why:  ${f.why}`, ...(f.blocks ? [`  stops: ${f.blocks}`] : []), `  do:   ${f.todo}`);
    for (const q of quarantined) lines.push('', `quarantined: ${q.file}`, `  ${q.record}`);
    io.out(lines.map(printable).join('\n') + '\n');
  }
  if (blocking.length) throw new PolicyError('vault.blocked', 'vault', `${blocking.length} file${blocking.length === 1 ? '' : 's'} block${blocking.length === 1 ? 's' : ''} this vault: ${blocking.map((f) => f.file).join(', ')}`);
}

/** A regular file of at most `max` bytes, read; anything else (a folder, a pipe, a link, too large) is a typed error. */
function regularFile(file: string, max: number): Uint8Array {
  let st;
  try {
    st = lstatSync(file);
  } catch (e) {
    throw new InputError('cli.read', file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!st.isFile()) throw new InputError('vault.file', file, 'is not a regular file');
  if (st.size > max) throw new InputError('vault.file', file, `is larger than ${max} bytes`);
  return readBytes(file, file);
}

const MAX_RECORD = 64 * 1024;
const MAX_MOVED = 1024 * 1024 * 1024;

/** Files moved aside, each with its deviation record checked against the roster; and records whose file was never moved. */
function quarantinedFiles(dir: string, roster: VerifiedRoster): { file: string; record: string; ok: boolean }[] {
  const q = path.join(dir, QUARANTINE_DIR);
  if (!existsSync(q)) return [];
  const names = readdirSync(q).sort();
  const moved = names.filter((n) => !n.endsWith('.deviation.json'));
  const unmoved = names.filter((n) => n.endsWith('.deviation.json') && !moved.includes(n.slice(0, -'.deviation.json'.length))).map((n) => n.slice(0, -'.deviation.json'.length));
  return [
    ...moved.map((file) => {
      const rec = path.join(q, deviationName(file));
      if (!existsSync(rec)) return { file, record: 'NO deviation record: nobody signed for moving it here', ok: false };
      try {
        const m = checkQuarantineRecord(nativeProvider, new TextDecoder().decode(regularFile(rec, MAX_RECORD)), roster, regularFile(path.join(q, file), MAX_MOVED));
        return { file, record: `moved aside on ${m.time} by ${m.operator}, witnessed by ${m.witness}: ${m.reason}`, ok: true };
      } catch (e) {
        if (!isCustosError(e)) throw e;
        return { file, record: `its deviation record does not verify: ${e.message}`, ok: false };
      }
    }),
    ...unmoved.map((file) => ({
      file,
      record: existsSync(path.join(dir, file)) ? 'signed for but not moved yet (interrupted): run the same custos vault quarantine again to complete it' : 'a deviation record whose file is in neither the vault nor the quarantine',
      ok: false,
    })),
  ];
}

/** Move without ever replacing: a hard link under the new name (refused if it exists), then the old name removed. */
function move(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch (e) {
    throw new PolicyError('quarantine.move', 'FILE', `${from} cannot be moved to ${to} (${(e as NodeJS.ErrnoException).code ?? 'error'}): nothing was moved`);
  }
  unlinkSync(from);
}

async function quarantine(args: string[], json: boolean, io: Io): Promise<void> {
  const { positional, opts, all } = options(args, [...PIN_OPTIONS, 'operator', 'witness', 'reason', 'rehearsal']);
  if (positional.length !== 2 || !opts.has('roster') || !opts.has('operator') || !opts.has('witness') || !opts.has('reason')) throw new InputError('cli.usage', 'vault quarantine', VAULT_USAGE);
  const dir = vaultDir(positional[0]);
  const file = positional[1]!;
  if (path.basename(file) !== file || file === QUARANTINE_DIR || !existsSync(path.join(dir, file)) || !statSync(path.join(dir, file)).isFile())
    throw new InputError('cli.read', 'FILE', `${file} is not a file of the vault ${dir} (give its name as custos vault doctor lists it)`);
  const reason = opts.get('reason')!.trim();
  if (reason.length < 10) throw new InputError('cli.option', '--reason', 'must say why, in at least 10 characters: it is recorded');
  const roster = pinnedRoster(opts.get('roster')!, all, pinFromOptions(opts));
  const operator = opts.get('operator')!;
  const witness = opts.get('witness')!;
  if (operator === witness) throw new PolicyError('quarantine.people', '--witness', 'must be another person than the operator (dual control)');
  for (const [id, role, field] of [[operator, 'operator', '--operator'], [witness, 'witness', '--witness']] as const)
    if (!roster.participant(id)?.roles.includes(role)) throw new PolicyError('quarantine.role', field, `${id} is not enrolled as ${role} in the pinned roster`);
  const target = path.join(dir, QUARANTINE_DIR, file);
  const record = path.join(dir, QUARANTINE_DIR, deviationName(file));
  const source = path.join(dir, file);
  if (existsSync(target)) throw new PolicyError('quarantine.exists', 'FILE', `${path.join(QUARANTINE_DIR, file)} is already there: Custos never overwrites`);
  // Only what the doctor finds in the way may be moved: never a valid closed ceremony (moving a
  // reshare or rotate aside would bring back the set or key it revoked), nor a kept roster.
  const d = diagnoseVault(nativeProvider, directoryMedium(dir), roster, opts.get('rehearsal') === 'yes' ? { rehearsal: true } : {});
  if (!d.findings.some((f) => f.file === file))
    throw new PolicyError('quarantine.valid', 'FILE', `${file} is not among what custos vault doctor finds in the way (${d.closed.includes(file) ? 'it is a valid, closed ceremony: its record stands' : 'it is part of the vault'}): it stays`);
  const bytes = regularFile(source, MAX_MOVED);
  if (existsSync(record)) {
    // A quarantine interrupted between its record and the move: the record signed for exactly this file completes it.
    const m = checkQuarantineRecord(nativeProvider, new TextDecoder().decode(regularFile(record, MAX_RECORD)), roster, bytes);
    move(source, target);
    if (json) io.out(JSON.stringify({ ok: true, file, moved: target, record, sha256: m.sha256, completed: true }) + '\n');
    else io.out(`${file} moved aside to ${target}, completing the quarantine ${m.operator} and ${m.witness} signed on ${m.time}\n`);
    return;
  }
  const say = (s: string) => io.err(`${s}\n`);
  const ask = io.terminal ?? terminalAsk;
  const purpose = `move ${file} aside`;
  const unlock = (id: string) =>
    attempt({ say }, id, purpose, async () => {
      const p = roster.participant(id)!;
      const f = ask(`${id}: path of your identity file (to ${purpose}): `, `identity.${id}`, false);
      return openIdentity(nativeProvider, readBytes(f, `identity.${id}`), ask(`${id}: identity passphrase (to ${purpose}): `, `identity.${id}`, true), { id, signingKey: roster.publicKey(id)!, ageRecipient: p.ageRecipient });
    });
  const people: IdentitySecrets[] = [];
  try {
    people.push(await unlock(operator), await unlock(witness));
    const manifest = { file, sha256: toHex(nativeProvider.sha256(bytes)), size: bytes.length, reason, time: systemClock().toISOString(), roster: roster.fingerprint };
    const text = quarantineRecord(nativeProvider, manifest, people[0]!, people[1]!);
    mkdirSync(path.join(dir, QUARANTINE_DIR), { recursive: true, mode: 0o700 });
    // The file signed for is the file moved: read again now, after the prompts.
    if (toHex(nativeProvider.sha256(regularFile(source, MAX_MOVED))) !== manifest.sha256) throw new PolicyError('quarantine.changed', 'FILE', `${file} changed while it was being signed for: nothing was moved; run the quarantine again`);
    writeNewFile(record, new TextEncoder().encode(text)); // the record first: a file never leaves the vault unrecorded
    move(source, target);
    if (json) io.out(JSON.stringify({ ok: true, file, moved: target, record, sha256: manifest.sha256 }) + '\n');
    else io.out(`${file} moved aside to ${target}\ndeviation record ${record}, signed by ${operator} (operator) and ${witness} (witness)\nSHA-256 ${manifest.sha256}\n`);
  } finally {
    people.forEach(wipeIdentity);
  }
}
