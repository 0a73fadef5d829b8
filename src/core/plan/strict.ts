/**
 * One way to turn a schema failure into the project's error: an InputError whose field is
 * the dotted path from the document's root (`plan.shares.custodians[2]`).
 */
import { z } from 'zod';
import { PARTICIPANT_ID_RE } from '../ids';
import { InputError } from '../errors';
import { parseYamlStrict } from './yaml';

export const participantId = z.string().regex(PARTICIPANT_ID_RE, 'must be a participant id (lowercase letters, digits, . _ -)');

export function dottedPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : `${acc}.${String(k)}`), root);
}

/** A schema issue in the project's words: the dotted path of the field, and what is wrong with it. */
export function describeIssue(issue: z.core.$ZodIssue, value: unknown, root: string, what: string): { code: string; field: string; message: string } {
  if (issue.code === 'unrecognized_keys') return { code: `${root}.unknown`, field: dottedPath(root, [...issue.path, issue.keys[0]!]), message: `is not a field of ${what}` };
  const at = issue.path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), value);
  const message = issue.code === 'invalid_type' && at === undefined ? 'is missing' : issue.message;
  return { code: `${root}.${issue.code}`, field: dottedPath(root, issue.path), message };
}

/** Validate `value` with `schema`; the first issue becomes an InputError naming its path. */
export function strictParse<T>(schema: z.ZodType<T>, value: unknown, root: string, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const d = describeIssue(r.error.issues[0]!, value, root, what);
  throw new InputError(d.code, d.field, d.message);
}

/** Strict YAML, then the schema. */
export function parseStrictYaml<T>(schema: z.ZodType<T>, text: string, root: string, what: string): T {
  return strictParse(schema, parseYamlStrict(text, root), root, what);
}
