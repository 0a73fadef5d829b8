/**
 * A workstation for CLI tests: participants enrolled through `custos enroll`, plan files made
 * from the templates, an answers file, a key server's transport key and an escrow agent's age
 * identity. The CLI runs in-process (the same `run` the binary calls) unless `spawn` is asked.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../src/cli/main';
import type { Terminal } from '../../src/cli/io';
import { planTemplate } from '../../src/core/plan/templates';
import { signedTransport } from './vectors';
import { ageIdentityString, ageRecipientOf } from '../../src/core/roster/identity';
import { seededRng } from '../../src/core/crypto/random';

export const PEOPLE = [
  ['oscar', 'Oscar Operator', 'operator'],
  ['alice', 'Alice Custodian', 'custodian'],
  ['bob', 'Bob Custodian', 'custodian'],
  ['carol', 'Carol Custodian', 'custodian'],
  ['dave', 'Dave Custodian', 'custodian'],
  ['erin', 'Erin Custodian', 'custodian'],
  ['frank', 'Frank Custodian', 'custodian'],
  ['wendy', 'Wendy Witness', 'witness'],
  ['rita', 'Rita Recovery', 'dr-officer'],
] as const;

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

export async function custos(...args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await run(args, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

/** The CLI in-process, which must succeed: its last line of output, parsed as JSON. */
export async function custosOk(...args: string[]): Promise<Record<string, unknown>> {
  const r = await custos(...args);
  if (r.code !== 0) throw new Error(`custos ${args[0] ?? ''} exited ${String(r.code)}: ${r.err}${r.out}`);
  return JSON.parse(r.out.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

/**
 * The people at the terminal in a real run: each types what a rehearsal's answers file would
 * hold (identity files in `dir/<idsDir>`, passphrases "<id> identity passphrase" and "<id>
 * share passphrase", the shares of `shares`: a file path ("identity:PATH" for a file that opens with
 * its custodian's identity, "typed:CARD" for a paper card typed line by line, see below); "type
 * it again" repeats the answer before.
 * Every question asked is kept in `asked`.
 */
export function typing(dir: string, shares: Record<string, string> = {}, idsDir = 'ids'): Terminal & { asked: string[] } {
  const asked: string[] = [];
  const typos = new Set<string>();
  let last = '';
  const answer = (question: string): string => {
    const q = question.split('\n').at(-1)!; // an approver reads the summary above the question
    const m = /^([a-z0-9._-]+): (.*)$/.exec(q);
    if (!m) throw new Error(`unexpected question: ${q}`);
    const [, who, what] = m as unknown as [string, string, string];
    if (what.startsWith('type it again')) return last;
    if (what.startsWith('path of your identity file')) return join(dir, idsDir, `${who}.identity.age`);
    if (what.startsWith('the folder on your own medium for your identity file')) return join(dir, idsDir);
    if (what.startsWith('identity passphrase') || what.startsWith('choose the passphrase of your identity')) return `${who} identity passphrase`;
    if (/passphrase of your share file|share-file passphrase/.test(what)) return shares[who]?.startsWith('identity:') ? '' : `${who} share passphrase`;
    const line = /^line (\d{2}) of \d+: $/.exec(what);
    if (line) {
      // "typed:CARD[:typo-NN]": the card's line NN, the first time with two neighbours swapped.
      const [, card, typo] = /^typed:([^:]+)(?::typo-(\d{2}))?$/.exec(shares[who] ?? '') ?? [];
      if (!card) throw new Error(`${who} has no card to type`);
      const text = readFileSync(join(dir, card), 'utf8').split('\n').find((l) => l.startsWith(`${line[1]}  `))!;
      if (typo === line[1] && !typos.has(`${who}:${typo}`)) {
        typos.add(`${who}:${typo}`);
        const i = [...text].findIndex((c, k) => k >= 4 && c !== ' ' && text[k + 1] !== ' ' && text[k + 1] !== c);
        return text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2);
      }
      return text;
    }
    if (what.startsWith('your dice rolls')) return '';
    if (what.startsWith('type yes to approve')) return 'yes';
    if (what.startsWith('path of your share file')) {
      if (!shares[who]) throw new Error(`no share file for ${who}`);
      if (shares[who].startsWith('typed:')) return '';
      return join(dir, shares[who].replace(/^identity:/, ''));
    }
    throw new Error(`unexpected question: ${q}`);
  };
  const t: Terminal = (q) => {
    asked.push(q);
    return (last = answer(q));
  };
  return Object.assign(t, { asked });
}

/**
 * A real enrollment ceremony of `people`, each typing at the terminal: identity files in
 * `dir/<idsDir>`, the signed roster in `dir/<out>/roster.json`.
 */
export async function enrollmentCeremony(dir: string, people: readonly (readonly [string, string, string])[], where: { idsDir: string; out: string; vault: string }) {
  for (const d of [where.idsDir, where.out, where.vault]) mkdirSync(join(dir, d), { recursive: true });
  const body = planTemplate('enroll')
    .replace(/^participants:\n(?: {2}- .*\n)+/m, 'participants:\n' + people.map(([id, name, role]) => `  - { id: ${id}, name: "${name}", roles: [${role}] }\n`).join(''))
    .replace('directory: /media/ceremony', `directory: ${where.out}`)
    .replace('vault: /var/lib/custos/vault', `vault: ${where.vault}`)
    .replace('airgap: strict', 'airgap: warn');
  const plan = join(dir, `${where.out}.enroll.yaml`);
  writeFileSync(plan, body);
  const terminal = typing(dir, {}, where.idsDir);
  const r = await custosTyping(terminal, 'run', plan, '--json');
  if (r.code !== 0) throw new Error(r.err + r.out);
  const out = JSON.parse(r.out) as { rosterWords: string; roster: string; ceremony: string };
  return { roster: join(dir, where.out, 'roster.json'), words: out.rosterWords, transcript: join(dir, where.vault, 'enroll-2026.jsonl'), asked: terminal.asked, result: out };
}

/** The CLI in-process with `terminal` standing in for the people at the keyboard. */
export async function custosTyping(terminal: Terminal, ...args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await run(args, { out: (s) => void (out += s), err: (s) => void (err += s), terminal });
  return { code, out, err };
}

/** The real binary path: a separate process, as an operator runs it. */
export function custosProcess(...args: string[]): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** An enrollment file for `people`, each with the passphrase "<id> identity passphrase". */
export function enrollmentYaml(people: readonly (readonly [string, string, string])[] = PEOPLE): string {
  return `organization: Example Bank KMS\nvalidDays: 30\nparticipants:\n` + people.map(([id, name, role]) => `  - { id: ${id}, name: "${name}", roles: [${role}], passphrase: "${id} identity passphrase" }\n`).join('');
}

/** An answers file: every identity in `ids/`, every custodian's share passphrase, and the share files a quorum brings. */
export function answersYaml(shareDir: string, quorum: string[] = []): string {
  return (
    'identities:\n' +
    PEOPLE.map(([id]) => `  ${id}: { file: ids/${id}.identity.age, passphrase: "${id} identity passphrase" }\n`).join('') +
    'sharePassphrases:\n' +
    PEOPLE.filter(([, , r]) => r === 'custodian').map(([id]) => `  ${id}: "${id} share passphrase"\n`).join('') +
    (quorum.length ? 'shares:\n' + quorum.map((c) => `  ${c}: { file: ${shareDir}/${c}.share.age, passphrase: "${c} share passphrase" }\n`).join('') : '')
  );
}

/** A plan text whose shares have no paper form loses its paper medium line (and its comment lines). */
export function withoutPaperMedium(text: string): string {
  return /forms: \[[^\]]*paper/.test(text) ? text : text.replace(/^ {2}paper: .*\n(?: +#.*\n)*/m, '');
}

export const TRANSPORT_PEM = readFileSync('test/vectors/rsa4096-test-only.pem', 'utf8');

export async function workstation(dir: string) {
  const ids = join(dir, 'ids');
  mkdirSync(ids, { recursive: true });
  writeFileSync(join(dir, 'enroll.yaml'), enrollmentYaml());
  const e = await custos('enroll', join(dir, 'enroll.yaml'), '--out', ids, '--rehearsal', 'yes', '--work-factor', '10', '--json');
  if (e.code !== 0) throw new Error(e.out + e.err);
  const words = JSON.parse(e.out).words as string;
  const roster = join(ids, 'roster.json');

  // The key server's transport key (issue: custos server enroll makes this on the server).
  const now = Date.now();
  writeFileSync(
    join(dir, 'kms.transport.json'),
    signedTransport(TRANSPORT_PEM, { server: { name: 'kms-test-1', kmip: ['127.0.0.1:5696'] }, created: new Date(now - 86_400_000).toISOString(), expires: new Date(now + 30 * 86_400_000).toISOString() }),
  );
  // An escrow agent's age identity.
  const agentSecret = seededRng('escrow agent')(32);
  writeFileSync(join(dir, 'agent.key'), ageIdentityString(agentSecret) + '\n');
  const agentRecipient = ageRecipientOf(agentSecret);

  /** A plan from the template of `kind`, with this workstation's roster, vault and output. */
  const plan = (name: string, kind: string, edit: (t: string) => string = (t) => t, where: { vault?: string; out?: string; roster?: { file: string; words: string } } = {}) => {
    const vault = where.vault ?? 'vault';
    const out = where.out ?? `out-${name}`;
    mkdirSync(join(dir, vault), { recursive: true });
    mkdirSync(join(dir, out), { recursive: true });
    const paper = `paper-${name}`;
    let text = edit(
      planTemplate(kind)
        .replace('paper: /media/paper', `paper: ${paper}`)
        .replace('"REPLACE WITH THE EIGHT ROSTER FINGERPRINT WORDS READ ALOUD AT ENROLLMENT"', `"${where.roster?.words ?? words}"`)
        .replace('file: roster.json', `file: ${where.roster?.file ?? 'ids/roster.json'}`)
        .replace('directory: /media/ceremony', `directory: ${out}`)
        .replace('vault: /var/lib/custos/vault', `vault: ${vault}`)
        .replace('airgap: strict', 'airgap: warn')
        .replace(/^transcript: \S+/m, `transcript: ${name}.jsonl`),
    );
    // The paper medium only when the plan makes paper shares.
    if (/forms: \[[^\]]*paper/.test(text)) mkdirSync(join(dir, paper), { recursive: true });
    else text = withoutPaperMedium(text);
    writeFileSync(join(dir, `${name}.yaml`), text);
    return join(dir, `${name}.yaml`);
  };
  const answersFile = (name: string, shareDir: string, quorum: string[]) => {
    writeFileSync(join(dir, `${name}.answers.yaml`), answersYaml(shareDir, quorum));
    return join(dir, `${name}.answers.yaml`);
  };
  return { ids, roster, words, plan, answersFile, agentRecipient, agentKey: join(dir, 'agent.key') };
}
