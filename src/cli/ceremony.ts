/** `custos enroll`, `custos run`, `custos rehearse`, `custos verify`, `custos inspect`. */
import { presentedShareBytes } from '../node/qr-image';
import { existsSync } from 'node:fs';
import { options, read, readBytes, type Io } from './io';
import path from 'node:path';
import { CustosError, InputError, PolicyError, VerifyError } from '../core/errors';
import { parseAnswers } from '../core/ceremony/answers';
import { sealedTo } from '../core/age';
import { runPlan } from '../core/ceremony/run';
import { checkBundleRecorded, verifyBundle } from '../core/documents/bundle';
import { verifyEscrow } from '../core/documents/escrow';
import { checkFingerprint, parseTransportKey } from '../core/documents/transport';
import { verifyBackup } from '../core/backup/archive';
import { isAgeFile, openShareFile, parseSharePlaintext } from '../core/shares/file';
import { ageIdentityString, openIdentity, wipeIdentity } from '../core/roster/identity';
import { INTERRUPTED, ask as terminalAsk } from '../node/prompt';
import { wipeShareRecord } from '../core/shares/record';
import { checkShareAgainst, shareSetsOf } from '../node/audit';
import { fromUtf8, toHex } from '../core/crypto/bytes';
import { openRandomAccess } from '../node/medium';
import { verifyReceiptCommand } from './server';
import { enroll, parseEnrollment } from '../core/roster/enroll';
import type { VerifiedRoster } from '../core/roster/roster';
import { bundlePins, PIN_OPTIONS, pinFromOptions, pinnedRoster } from './trust';
import { verifyTranscript } from '../core/transcript/transcript';
import { checkCeremonyTranscript } from '../core/ceremony/verify';
import { writeNewFile } from '../node/durable';
import { nativeProvider } from '../node/native-provider';
import { osRng, systemClock } from '../node/platform';
import { checkPlanFile, foreseeRun } from '../node/plan-check';
import { cliPorts, planMedia } from '../node/ceremony-ports';

export type { Io };
export { inspectCommand } from './inspect';

function workFactor(opts: Map<string, string>, rehearsal: boolean): number | undefined {
  const w = opts.get('work-factor');
  if (w === undefined) return undefined;
  if (!rehearsal) throw new InputError('cli.workFactor', '--work-factor', 'may only lower the scrypt work factor in a rehearsal');
  if (!/^\d+$/.test(w)) throw new InputError('cli.workFactor', '--work-factor', 'must be a number');
  return Number(w);
}

export async function enrollCommand(args: string[], json: boolean, io: Io, appVersion: string): Promise<void> {
  const { positional, opts } = options(args, ['out', 'work-factor', 'rehearsal']);
  if (positional.length !== 1 || !opts.has('out')) throw new InputError('cli.usage', 'enroll', 'usage: custos enroll ENROLLMENT.yaml --out DIR [--rehearsal yes --work-factor N]');
  const rehearsal = opts.get('rehearsal') === 'yes';
  const lowered = workFactor(opts, rehearsal);
  const e = parseEnrollment(read(positional[0]!, 'enrollment'));
  const out = opts.get('out')!;
  const names = ['roster.json', ...e.participants.map((p) => `${p.id}.identity.age`)];
  const present = names.filter((n) => existsSync(path.join(out, n)));
  if (present.length) throw new PolicyError('enroll.exists', '--out', `${present.join(', ')} already exist in ${out}: Custos never overwrites`);
  const r = await enroll({ provider: nativeProvider, rng: osRng, clock: systemClock }, e, { workFactor: lowered });
  // Identity files first: a roster is only written once every key it names has its file.
  for (const [id, file] of r.identityFiles) writeNewFile(path.join(out, `${id}.identity.age`), file);
  writeNewFile(path.join(out, 'roster.json'), new TextEncoder().encode(r.rosterText));
  if (json) io.out(JSON.stringify({ ok: true, roster: path.join(out, 'roster.json'), words: r.roster.words.join(' '), rehearsal: true, app: appVersion }) + '\n');
  else
    io.out(
      `REHEARSAL roster written: ${path.join(out, 'roster.json')}\nfingerprint words (pin them in rehearsal plans): ${r.roster.words.join(' ')}\n` +
        `This roster is for custos rehearse only: the file that made it holds every passphrase. A real roster comes from the enrollment ceremony (custos plan template enroll).\n`,
    );
}

export async function runCommand(args: string[], json: boolean, io: Io, appVersion: string, rehearsal: boolean): Promise<void> {
  const { positional, opts } = options(args, ['answers', 'work-factor']);
  const name = rehearsal ? 'rehearse' : 'run';
  if (positional.length !== 1) throw new InputError('cli.usage', name, rehearsal ? 'usage: custos rehearse PLAN [--answers FILE] [--work-factor N]' : 'usage: custos run PLAN');
  const planFile = positional[0]!;
  const lowered = workFactor(opts, rehearsal); // a usage error is reported before anything is read
  const answersFile = opts.get('answers');
  if (answersFile !== undefined && !rehearsal)
    throw new InputError('cli.answers', '--answers', 'holds passphrases, so it is for rehearsals only (custos rehearse): in a real ceremony each person types their own at the terminal');
  const checked = checkPlanFile(nativeProvider, planFile, systemClock());
  const answers = answersFile ? parseAnswers(read(answersFile, 'answers')) : { identities: {}, sharePassphrases: {}, dice: {}, shares: {}, interactive: true };
  const ports = cliPorts({
    ...planMedia(checked, appVersion, (s) => (json ? undefined : io.out(`${s}\n`))),
    answers,
    answersDir: answersFile ? path.dirname(path.resolve(answersFile)) : process.cwd(),
    ...(io.terminal && { ask: io.terminal }),
  });
  let r: Awaited<ReturnType<typeof runPlan>>;
  try {
    r = await runPlan(ports, checked.plan, checked.roster, { planSha256: checked.planSha256, rehearsal, workFactor: lowered });
  } catch (e) {
    // Ctrl-C at a question: nothing is recorded as aborted, and the next run resumes, unless
    // the interrupted step cannot be resumed (a split whose shares were not all written).
    if (!(e instanceof InputError && e.code === INTERRUPTED)) throw e;
    // Only a lost master key stops a resume; anything else the rerun reports itself (a network
    // cable plugged in since is not a lost ceremony).
    let blocked: string | undefined;
    try {
      foreseeRun(nativeProvider, checked, rehearsal, systemClock());
    } catch (f) {
      if (!(f instanceof CustosError)) throw f;
      if (f.code === 'ceremony.key-lost') blocked = f.message;
    }
    throw new InputError(
      INTERRUPTED,
      e.field,
      blocked === undefined
        ? `interrupted (Ctrl-C): the ceremony is interrupted, not lost; run the same plan again (custos ${name} ${planFile}) to resume it`
        : `interrupted (Ctrl-C), and the run cannot be resumed: ${blocked}`,
    );
  }
  if (json) io.out(JSON.stringify({ ok: true, rehearsal, ...r, headWords: r.headWords.join(' ') }) + '\n');
  else {
    const facts = Object.entries(r)
      .filter(([k, v]) => !['kind', 'ceremony', 'head', 'headWords'].includes(k) && (typeof v === 'string' || typeof v === 'number'))
      .map(([k, v]) => `${k} ${String(v)}`);
    io.out(
      r.closedNow
        ? `${rehearsal ? 'REHEARSAL ' : ''}${checked.plan.kind} ceremony ${r.ceremony} closed now: the interrupted run's remaining attestations are signed\nclosing head ${r.headWords.join(' ')}\n`
        : `${rehearsal ? 'REHEARSAL ' : ''}${checked.plan.kind} ceremony ${r.ceremony} closed\n${facts.join('\n')}\nclosing head ${r.headWords.join(' ')}\n`,
    );
  }
}

const PIN = '--roster ROSTER --roster-words "8 words" (or --roster-sha256 HEX) [--previous-roster OLD ...]';
const VERIFY_USAGE = `usage:
  custos verify transcript FILE ${PIN}
  custos verify bundle FILE ${PIN} [--fingerprint HEX [--transport ENROLLMENT]] [--transcript FILE]
  custos verify backup FILE ${PIN}
  custos verify escrow MANIFEST ${PIN} [--payload FILE.age]
  custos verify shares FILE... (--transcript FILE [--transcript FILE ...] | --vault DIR) ${PIN} [--answers FILE]
  custos verify receipt RECEIPT --transport ENROLLMENT --fingerprint HEX [--bundle BUNDLE]`;

export async function verifyCommand(args: string[], json: boolean, io: Io): Promise<void> {
  const { positional, opts, all } = options(args, [...PIN_OPTIONS, 'transport', 'fingerprint', 'transcript', 'vault', 'payload', 'answers', 'bundle']);
  const what = positional[0];
  if (what === 'receipt') return verifyReceiptCommand(positional, opts, json, io);
  if (!what || positional.length < 2 || !opts.has('roster') || !['transcript', 'bundle', 'backup', 'escrow', 'shares'].includes(what)) throw new InputError('cli.usage', 'verify', VERIFY_USAGE);
  if (what !== 'shares' && positional.length !== 2) throw new InputError('cli.usage', 'verify', VERIFY_USAGE);
  const roster = pinnedRoster(opts.get('roster')!, all, pinFromOptions(opts));
  const file = positional[1]!;
  const emit = (summary: Record<string, unknown>, text: string) => io.out(json ? JSON.stringify({ ok: true, ...summary }) + '\n' : text);
  if (what === 'transcript') {
    const report = verifyTranscript(nativeProvider, read(file, 'transcript'), { publicKey: roster.publicKey });
    const s = checkCeremonyTranscript(report, roster);
    const attestedBy = [...s.witnesses, s.operator];
    emit(
      { ...s, events: report.events.length, roster: roster.fingerprint, rosterChain: roster.chain, closingWords: s.closingWords.join(' '), attestedBy },
      `transcript verified: ${report.events.length} events, ${s.kind} "${s.name}"${s.rehearsal ? ' (REHEARSAL)' : ''}\n` +
        (s.keyId ? `key ${s.keyId} ${s.kcv}, shares ${s.threshold} of ${s.count}, set ${s.setId}\n` : '') +
        (s.deviations ? `${s.deviations} interruption(s), each countersigned\n` : '') +
        `closing head ${s.closingWords.join(' ')}\nattested by ${attestedBy.join(', ')}\n` +
        `roster: the pinned one${roster.chain.length > 1 ? `, through ${roster.chain.length - 1} endorsed renewal(s)` : ''}\n`,
    );
    return;
  }
  if (what === 'bundle') {
    // The recipient is checked against the fingerprint pinned by phone; an enrollment file alone pins nothing.
    const { fingerprint, transport, transcript } = bundlePins(opts);
    if (transport !== undefined) checkFingerprint(parseTransportKey(nativeProvider, read(transport, 'transport'), '--transport'), fingerprint!, '--transport');
    const bytes = readBytes(file, 'bundle');
    const c = verifyBundle(nativeProvider, fromUtf8(bytes, 'bundle'), roster, { ...(fingerprint && { fingerprint }), now: systemClock() });
    if (transcript !== undefined) checkBundleRecorded(nativeProvider, read(transcript, 'transcript'), roster, c.manifest, toHex(nativeProvider.sha256(bytes)), '--transcript');
    const m = c.manifest;
    emit(
      { kind: 'bundle', ceremony: m.ceremony, recipient: m.recipient, expires: m.expires, approvers: c.approvers, rehearsal: m.rehearsal, keys: m.keys.map((k) => ({ id: k.id, name: k.name, kcv: k.kcv })) },
      `bundle verified${m.rehearsal ? ' (REHEARSAL)' : ''}: ${m.keys.length} keys for ${m.recipient.server} (${m.recipient.fingerprint})\n` +
        m.keys.map((k) => `  ${k.name}  ${k.kcv}  ${k.usage.join(',')}\n`).join('') +
        `approved by ${c.approvers.join(' and ')}; expires ${m.expires}\n`,
    );
    return;
  }
  if (what === 'escrow') {
    const payload = opts.has('payload') ? readBytes(opts.get('payload')!, 'payload') : undefined;
    const c = verifyEscrow(nativeProvider, read(file, 'escrow'), roster, payload);
    const m = c.manifest;
    emit(
      { kind: 'escrow', ceremony: m.ceremony, agent: m.agent, approvers: c.approvers, payloadChecked: payload !== undefined, keys: m.keys.map((k) => ({ id: k.id, name: k.name, kcv: k.kcv })) },
      `escrow verified: ${m.keys.length} keys for ${m.agent.name} (${m.agent.type})${payload ? ', payload hash matches' : ''}\napproved by ${c.approvers.join(' and ')}\n`,
    );
    return;
  }
  if (what === 'backup') {
    const f = openRandomAccess(file, 'backup');
    try {
      const l = verifyBackup(nativeProvider, f, roster);
      const h = l.header;
      emit(
        { kind: 'backup', ceremony: h.ceremony, created: h.created, masterKeyId: h.masterKeyId, masterKcv: h.masterKcv, approvers: l.approvers, files: h.files.map((x) => ({ name: x.name, role: x.role, size: x.size })), rehearsal: h.rehearsal },
        `backup verified${h.rehearsal ? ' (REHEARSAL)' : ''}: master key ${h.masterKeyId} ${h.masterKcv}, ${h.files.length} files, made ${h.created}\napproved by ${l.approvers.join(' and ')}\n` +
          `(the content is checked segment by segment when it is restored)\n`,
      );
    } finally {
      f.close();
    }
    return;
  }
  await verifySharesCommand(positional.slice(1), opts, all.get('transcript') ?? [], roster, emit, io);
}

async function verifySharesCommand(files: string[], opts: Map<string, string>, transcripts: string[], roster: VerifiedRoster, emit: (s: Record<string, unknown>, t: string) => void, io: Io): Promise<void> {
  if (opts.has('transcript') === opts.has('vault')) throw new InputError('cli.usage', 'verify', VERIFY_USAGE);
  // The share sets issued and revoked, from the transcripts given or from every valid ceremony of a vault.
  if (opts.has('vault') && !existsSync(opts.get('vault')!)) throw new InputError('cli.read', '--vault', `${opts.get('vault')!} is not a directory`);
  const sets = shareSetsOf(nativeProvider, opts.has('vault') ? { vault: opts.get('vault')! } : { transcripts: transcripts.map((f) => ({ name: f, text: read(f, '--transcript') })) }, roster);
  // A file of passphrases is for rehearsals: real shares are opened by their custodians at the terminal.
  const real = [...sets.sets.entries()].find(([, s]) => !s.rehearsal);
  if (opts.has('answers') && real)
    throw new InputError('cli.answers', '--answers', `holds passphrases, so it is for rehearsal shares only: share set ${real[0]} was issued by a real ceremony; each custodian types their own passphrase at the terminal`);
  const answers = opts.has('answers') ? parseAnswers(read(opts.get('answers')!, 'answers')) : undefined;
  const answersDir = opts.has('answers') ? path.dirname(path.resolve(opts.get('answers')!)) : '';
  const lines: string[] = [];
  const shares: Record<string, unknown>[] = [];
  for (const file of files) {
    const { bytes } = presentedShareBytes(readBytes(file, file), file);
    const sealed = isAgeFile(bytes);
    const a = sealed ? answers && Object.values(answers.shares).find((x) => path.resolve(answersDir, x.file) === path.resolve(file)) : undefined;
    // How to open it is asked first: a missing identity file or no terminal is bad input (exit 2), not a failed verification.
    const key = sealed ? (a?.passphrase ? { passphrase: a.passphrase } : await askShareKey(file, bytes, answers !== undefined, io)) : undefined;
    let record;
    try {
      record = key ? await openShareFile(nativeProvider, bytes, key) : parseSharePlaintext(nativeProvider, bytes, file);
    } catch (e) {
      // The share under verification is damaged or altered: a failed verification, naming the file.
      if (e instanceof InputError || (e instanceof VerifyError && !e.field.startsWith(file)))
        throw new VerifyError(e.code, `${file}: ${e.field}`, e.detail, { cause: e });
      throw e;
    } finally {
      if (!sealed) bytes.fill(0); // a paper share in the clear (a sealed file holds nothing readable)
    }
    try {
      const d = checkShareAgainst(nativeProvider, record, sets, file);
      shares.push({ file, ...d });
      lines.push(`${file}: ${d.rehearsal ? 'REHEARSAL ' : ''}share ${d.index} of ${d.count} (any ${d.threshold}), set ${d.setId}, key ${d.kcv}: ${sets.from === 'vault' ? 'ok' : 'issued and signed, and no transcript given revokes its set'}\n`);
    } finally {
      wipeShareRecord(record);
    }
  }
  // Given transcripts, not a vault: a revocation recorded by any other ceremony is not seen, and that is said plainly.
  const partial = `revocations are known only from the ${transcripts.length} transcript${transcripts.length === 1 ? '' : 's'} given: a revocation recorded by another ceremony is not seen here; verify against the vault (--vault) to see every one\n`;
  emit({ kind: 'shares', shares, revocationsFrom: sets.from, ...(sets.from === 'transcripts' && { warning: partial.trim() }) }, lines.join('') + (sets.from === 'transcripts' ? partial : ''));
}

/**
 * How a sealed share file is opened in `verify shares`, asked at the terminal: its passphrase,
 * or, for a recipient-protected file, its custodian's identity file and identity passphrase.
 */
async function askShareKey(file: string, bytes: Uint8Array, rehearsal: boolean, io: Io): Promise<{ passphrase: string } | { identity: string }> {
  if (rehearsal) throw new InputError('cli.passphrase', file, 'is an age share file and the answers file has no passphrase for it (shares.<id>: { file, passphrase })');
  const ask = io.terminal ?? terminalAsk;
  const name = path.basename(file);
  if (sealedTo(bytes) !== 'recipient') return { passphrase: ask(`passphrase of the share file ${name}: `, file, true) };
  const idFile = ask(`${name} opens with its custodian's identity: path of the identity file: `, file, false);
  const s = await openIdentity(nativeProvider, readBytes(idFile, idFile), ask(`identity passphrase of ${path.basename(idFile)}: `, idFile, true));
  try {
    return { identity: ageIdentityString(s.ageSecret) };
  } finally {
    wipeIdentity(s);
  }
}
