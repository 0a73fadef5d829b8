/**
 * Writes docs/reference.md, the field reference of the files people write for Custos (ceremony
 * plans, the answers file, the unattended enrollment file), from the zod schemas the parsers
 * use, so it cannot drift from them: `npx tsx scripts/reference.ts` (npm run docs:reference)
 * rewrites it, and test/scripts/reference.test.ts fails while it is out of date.
 *
 * The schemas are walked generically: a field added to a schema appears after regeneration.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { answersSchema } from '../src/core/ceremony/answers';
import { PLAN_KINDS, PLAN_SCHEMAS } from '../src/core/plan/schema';
import { participantId } from '../src/core/plan/strict';
import { enrollmentSchema } from '../src/core/roster/enroll';

export const REFERENCE_FILE = fileURLToPath(new URL('../docs/reference.md', import.meta.url));

/** What the generator reads of a zod 4 schema or check definition. */
interface Def {
  type?: string;
  check?: string;
  error?: (issue: object) => unknown;
  checks?: { _zod: { def: Def } }[];
  // containers
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  innerType?: z.ZodType;
  defaultValue?: unknown;
  in?: z.ZodType;
  // scalars and checks
  values?: unknown[];
  entries?: Record<string, string | number>;
  format?: string;
  pattern?: RegExp;
  minimum?: number;
  maximum?: number;
  length?: number;
  value?: number;
  inclusive?: boolean;
}
const defOf = (s: z.ZodType | { _zod: { def: unknown } }): Def => (s as { _zod: { def: Def } })._zod.def;

interface Row {
  path: string;
  type: string;
  presence: string;
  rules: string[];
}

const plural = (type: string) => (/^[a-z ]+$/.test(type) ? `${type}s` : type);
const code = (v: unknown) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;
const quote = (m: string) => `“${m}”`;

function message(d: Def): string | undefined {
  try {
    const m = d.error?.({});
    return typeof m === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}

function range(low: number | undefined, high: number | undefined, unit: string): string | undefined {
  const n = (x: number) => (unit === '' ? `${x}` : `${x} ${x === 1 ? unit.replace(/s$/, '') : unit}`);
  if (low !== undefined && high !== undefined) return low === high ? `exactly ${n(low)}` : `${low} to ${n(high)}`;
  if (low === 1 && unit !== '') return 'not empty';
  if (low !== undefined) return `at least ${n(low)}`;
  if (high !== undefined) return `at most ${n(high)}`;
  return undefined;
}

/** Bounds, patterns and the error texts of a schema's own checks. */
function checkRules(d: Def, unit: string): { rules: string[]; messages: string[] } {
  let low: number | undefined;
  let high: number | undefined;
  const rules: string[] = [];
  const messages: string[] = [];
  for (const c of d.checks ?? []) {
    const cd = defOf(c);
    switch (cd.check) {
      case 'min_length':
        low = cd.minimum;
        break;
      case 'max_length':
        high = cd.maximum;
        break;
      case 'length_equals':
        low = high = cd.length;
        break;
      case 'greater_than':
        if (cd.inclusive) low = cd.value;
        else rules.push(`greater than ${cd.value}`);
        break;
      case 'less_than':
        if (cd.inclusive) high = cd.value;
        else rules.push(`less than ${cd.value}`);
        break;
      case 'string_format':
        if (cd.format === 'regex' && cd.pattern) rules.push(`matches ${code(cd.pattern.source)}`);
        else if (cd.format) rules.push(`format ${cd.format}`);
        break;
    }
    const m = message(cd);
    if (m !== undefined) messages.push(m);
  }
  const r = range(low, high, unit);
  return { rules: r ? [r, ...rules] : rules, messages };
}

/** The description given with `.describe()`, if any. */
const description = (s: z.ZodType) => z.globalRegistry.get(s)?.description;

/** A schema with its optional/default wrappers and input-side pipes taken off. */
function unwrap(s: z.ZodType, presence: string): { s: z.ZodType; presence: string; notes: string[]; messages: string[] } {
  const notes: string[] = [];
  const messages: string[] = [];
  for (;;) {
    const desc = description(s);
    if (desc) notes.push(desc);
    const d = defOf(s);
    if (d.type === 'optional') {
      presence = 'optional';
      s = d.innerType!;
    } else if (d.type === 'default') {
      presence = `default ${code(d.defaultValue)}`;
      s = d.innerType!;
    } else if (d.type === 'pipe') {
      // A transform after the input: the file holds what the input side accepts; the pipe's refinements still apply.
      const m = checkRules(d, '').messages;
      messages.push(...m);
      s = d.in!;
    } else return { s, presence, notes, messages };
  }
}

const isContainer = (s: z.ZodType) => ['object', 'record', 'union', 'array'].includes(defOf(unwrap(s, '').s).type ?? '');

/** Types the reader knows by name. */
const NAMED = new Map<z.ZodType, string>([[participantId, 'participant id']]);

/** Type and rules of a scalar schema. */
function scalar(s: z.ZodType): { type: string; rules: string[]; messages: string[] } {
  const d = defOf(s);
  const own = message(d);
  const ownMessages = own !== undefined ? [own] : [];
  switch (d.type) {
    case 'string': {
      const c = checkRules(d, 'characters');
      return { type: NAMED.get(s) ?? 'string', rules: c.rules, messages: [...ownMessages, ...c.messages] };
    }
    case 'number': {
      const int = d.format !== undefined && /int/.test(d.format);
      const c = checkRules(d, '');
      return { type: int ? 'integer' : 'number', rules: c.rules, messages: [...ownMessages, ...c.messages] };
    }
    case 'boolean':
      return { type: 'boolean', rules: [], messages: ownMessages };
    case 'literal':
      return { type: (d.values ?? []).map((v) => code(v)).join(' or '), rules: [], messages: ownMessages };
    case 'enum':
      return { type: 'string', rules: [`one of ${Object.values(d.entries ?? {}).map((v) => code(v)).join(', ')}`], messages: ownMessages };
    default:
      return { type: d.type ?? 'value', rules: [], messages: ownMessages };
  }
}

function rulesText(rules: string[], messages: string[]): string[] {
  const seen = [...new Set(messages)];
  return seen.length ? [...rules, `${seen.length === 1 ? 'error' : 'errors'}: ${seen.map(quote).join(', ')}`] : rules;
}

/** The rows of one field and everything under it. */
function walk(schema: z.ZodType, path: string, presence: string, out: Row[]): void {
  const u = unwrap(schema, presence);
  const d = defOf(u.s);
  const extra = (more: string[]) => [...u.notes, ...more];
  switch (d.type) {
    case 'object': {
      if (path !== '') out.push({ path, type: 'mapping', presence: u.presence, rules: extra(rulesText([], u.messages)) });
      for (const [k, v] of Object.entries(d.shape ?? {})) walk(v, path === '' ? k : `${path}.${k}`, 'required', out);
      return;
    }
    case 'array': {
      const c = checkRules(d, 'items');
      const item = d.element!;
      if (isContainer(item)) {
        out.push({ path, type: 'list', presence: u.presence, rules: extra(rulesText(c.rules, [...u.messages, ...c.messages])) });
        walk(item, `${path}[]`, 'required', out);
      } else {
        const iu = unwrap(item, '');
        const e = scalar(iu.s);
        const each = rulesText(e.rules, [...iu.messages, ...e.messages]);
        out.push({
          path,
          type: `list of ${plural(e.type)}`,
          presence: u.presence,
          rules: extra([...rulesText(c.rules, [...u.messages, ...c.messages]), ...(each.length ? [`each item: ${each.join('; ')}`] : [])]),
        });
      }
      return;
    }
    case 'record': {
      const key = scalar(unwrap(d.keyType!, '').s);
      const keyRules = rulesText(key.rules, key.messages);
      const placeholder = `${path}.<${NAMED.has(d.keyType!) ? 'id' : 'key'}>`;
      if (isContainer(d.valueType!)) {
        out.push({ path, type: `mapping by ${key.type}`, presence: u.presence, rules: extra(keyRules.length ? [`each key: ${keyRules.join('; ')}`] : []) });
        walk(d.valueType!, placeholder, 'required', out);
      } else {
        const vu = unwrap(d.valueType!, '');
        const v = scalar(vu.s);
        const valueRules = rulesText(v.rules, [...vu.messages, ...v.messages]);
        out.push({
          path,
          type: `mapping of ${plural(key.type)} to ${plural(v.type)}`,
          presence: u.presence,
          rules: extra([...(keyRules.length ? [`each key: ${keyRules.join('; ')}`] : []), ...(valueRules.length ? [`each value: ${valueRules.join('; ')}`] : [])]),
        });
      }
      return;
    }
    case 'union': {
      const options = d.options ?? [];
      const own = message(d);
      out.push({ path, type: `one of ${options.length} forms`, presence: u.presence, rules: extra(rulesText([], [...u.messages, ...(own !== undefined ? [own] : [])])) });
      options.forEach((o, i) => {
        const rows: Row[] = [];
        walk(o, path, 'required', rows);
        for (const r of rows) out.push({ ...r, presence: `form ${i + 1}: ${r.presence}` });
      });
      return;
    }
    default: {
      const sc = scalar(u.s);
      out.push({ path, type: sc.type, presence: u.presence, rules: extra(rulesText(sc.rules, [...u.messages, ...sc.messages])) });
    }
  }
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(schema: z.ZodType): string {
  const rows: Row[] = [];
  walk(schema, '', 'required', rows);
  return [
    '| Field | Type | Required | Rules |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${cell(code(r.path))} | ${cell(r.type)} | ${cell(r.presence)} | ${cell(r.rules.join('; '))} |`),
  ].join('\n');
}

/** The whole reference, as docs/reference.md holds it. */
export function reference(): string {
  const parts: string[] = [
    '# Custos file reference',
    '',
    '<!-- Generated from the schemas by scripts/reference.ts: do not edit by hand. -->',
    '',
    'Every field of the files people write for Custos: ceremony plans (src/core/plan/schema.ts), the',
    'answers file (src/core/ceremony/answers.ts) and the unattended enrollment file',
    '(src/core/roster/enroll.ts). This file is generated from those schemas:',
    '`npx tsx scripts/reference.ts` (`npm run docs:reference`) rewrites it, and',
    '`test/scripts/reference.test.ts` fails while it differs from them.',
    '',
    '**Paths.** Every file or folder a plan names (`vault`, `outputs.directory`, `roster.file`,',
    '`previous.file`, `backup.file`, `recipient.file`, `receipt.file`, `bundle.file`,',
    '`agent.rsa.file`, `participants[].request` and the like) is relative to the folder that holds',
    'the plan file; an absolute path is used as it is. The `file` paths of an answers file are',
    "relative to the answers file's folder.",
    '',
    'All three are strict YAML (the YAML 1.2 core schema; no duplicate keys, anchors, aliases or',
    'custom tags) read strictly: a key not listed here is an error, and every error names its',
    'field by its dotted path (`plan.shares.custodians[2]`).',
    '',
    'How to read the tables: `a.b` is field `b` of mapping `a`; `a[]` is each item of list `a`;',
    '`a.<id>` is each entry of a mapping keyed by participant id (`a.<key>`: by a key you choose).',
    '"Required" inside an optional mapping means required when that mapping is given; "form N"',
    'rows belong to one of the forms a field can take. A quoted error is what Custos reports for',
    'that field. Plans also obey cross-field rules (separation of duties, no one listed twice, a',
    'threshold no larger than the custodians, ...), which `custos plan check` reports by path and',
    'which are not listed here.',
    '',
    '## Plans',
    '',
    `A plan is one YAML mapping; its \`kind\` is one of ${PLAN_KINDS.map((k) => code(k)).join(', ')}.`,
    '`custos plan template KIND` prints a commented starting plan of that kind.',
  ];
  for (const kind of PLAN_KINDS) {
    parts.push('', `### ${code(kind)}`, '', table(PLAN_SCHEMAS[kind]));
  }
  parts.push(
    '',
    '## Answers file',
    '',
    'Every answer a ceremony asks of people, so `custos rehearse PLAN --answers FILE` runs',
    'unattended. It holds passphrases: for rehearsals and throwaway keys only (`custos run`',
    'refuses it).',
    '',
    table(answersSchema),
    '',
    '## Enrollment file',
    '',
    'The unattended enrollment of `custos enroll FILE --out DIR`: each participant gets fresh keys',
    'and an identity file sealed with the passphrase given here. Whoever wrote the file holds every',
    'identity, so the roster is marked REHEARSAL and real ceremonies refuse it.',
    '',
    table(enrollmentSchema),
    '',
  );
  return parts.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(REFERENCE_FILE, reference());
  console.log(`wrote ${REFERENCE_FILE}`);
}
