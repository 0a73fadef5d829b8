/** `custos enroll`, `custos run`, `custos rehearse`, `custos verify transcript`. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, PolicyError } from '../core/errors';
import { parseAnswers } from '../core/ceremony/answers';
import { runGenerate } from '../core/ceremony/generate';
import { enroll, parseEnrollment } from '../core/roster/enroll';
import { verifyRoster } from '../core/roster/roster';
import { verifyTranscript } from '../core/transcript/transcript';
import { checkCeremonyTranscript } from '../core/ceremony/verify';
import { writeNewFile } from '../node/durable';
import { nativeProvider } from '../node/native-provider';
import { osRng, systemClock } from '../node/platform';
import { checkPlanFile } from '../node/plan-check';
import { cliPorts } from '../node/ceremony-ports';

export interface Io {
  out(s: string): void;
  err(s: string): void;
}

/** `--name value` options after the positional arguments; unknown options are usage errors. */
export function options(args: string[], allowed: string[]): { positional: string[]; opts: Map<string, string> } {
  const positional: string[] = [];
  const opts = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const name = a.slice(2);
    if (!allowed.includes(name)) throw new InputError('cli.option', a, `is not an option of this command (options: ${allowed.map((o) => `--${o}`).join(' ')})`);
    const v = args[++i];
    if (v === undefined) throw new InputError('cli.option', a, 'needs a value');
    opts.set(name, v);
  }
  return { positional, opts };
}

function read(file: string, field: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError('cli.read', field, `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

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
  if (json) io.out(JSON.stringify({ ok: true, roster: path.join(out, 'roster.json'), words: r.roster.words.join(' '), app: appVersion }) + '\n');
  else io.out(`roster written: ${path.join(out, 'roster.json')}\nfingerprint words (read aloud, pin in plans): ${r.roster.words.join(' ')}\n`);
}

export async function runCommand(args: string[], json: boolean, io: Io, appVersion: string, rehearsal: boolean): Promise<void> {
  const { positional, opts } = options(args, ['answers', 'work-factor']);
  if (positional.length !== 1 || !opts.has('answers')) throw new InputError('cli.usage', rehearsal ? 'rehearse' : 'run', `usage: custos ${rehearsal ? 'rehearse' : 'run'} PLAN --answers FILE`);
  const planFile = positional[0]!;
  const lowered = workFactor(opts, rehearsal); // a usage error is reported before anything is read
  const checked = checkPlanFile(nativeProvider, planFile, systemClock());
  const answersFile = opts.get('answers')!;
  const answers = parseAnswers(read(answersFile, 'answers'));
  const outputDir = path.dirname(checked.outputs[0]!);
  const ports = cliPorts({
    outputDir,
    transcriptFile: path.join(outputDir, checked.plan.outputs.transcript),
    answers,
    answersDir: path.dirname(path.resolve(answersFile)),
    roster: checked.roster,
    appVersion,
    say: (s) => (json ? undefined : io.out(`${s}\n`)),
  });
  const r = await runGenerate(ports, checked.plan, checked.roster, {
    planSha256: checked.planSha256,
    rehearsal,
    workFactor: lowered,
  });
  if (json) io.out(JSON.stringify({ ok: true, rehearsal, ...r, headWords: r.headWords.join(' ') }) + '\n');
  else io.out(`${rehearsal ? 'REHEARSAL ' : ''}ceremony ${r.ceremony} closed\nkey ${r.keyId} ${r.kcv}\nshare set ${r.setId}\nclosing head ${r.headWords.join(' ')}\n`);
}

export function verifyCommand(args: string[], json: boolean, io: Io): void {
  const { positional, opts } = options(args, ['roster', 'roster-words']);
  if (positional[0] !== 'transcript' || positional.length !== 2 || !opts.has('roster'))
    throw new InputError('cli.usage', 'verify', 'usage: custos verify transcript FILE --roster ROSTER [--roster-words "8 words"]');
  const words = opts.get('roster-words')?.trim().split(/\s+/);
  const roster = verifyRoster(nativeProvider, read(opts.get('roster')!, 'roster'), words ? { expectedWords: words } : {});
  const report = verifyTranscript(nativeProvider, read(positional[1]!, 'transcript'), { publicKey: roster.publicKey });
  const s = checkCeremonyTranscript(report, roster);
  const summary = { ok: true, ...s, events: report.events.length, rosterWords: roster.words.join(' '), closingWords: s.closingWords.join(' '), attestedBy: [...s.witnesses, s.operator] };
  if (json) io.out(JSON.stringify(summary) + '\n');
  else
    io.out(
      `transcript verified: ${summary.events} events, ${s.kind} "${s.name}"${s.rehearsal ? ' (REHEARSAL)' : ''}\n` +
        `key ${s.keyId} ${s.kcv}, shares ${s.threshold} of ${s.count}, set ${s.setId}\n` +
        `closing head ${summary.closingWords}\nattested by ${summary.attestedBy.join(', ')}\n` +
        `roster ${summary.rosterWords}${words ? '' : '  <- compare these words with the ones read aloud at enrollment'}\n`,
    );
}
