/**
 * RFC 8785 JSON Canonicalization Scheme, through the `canonicalize` package. Inputs that have
 * no canonical form (NaN, Infinity, lone surrogates, undefined, functions) are InputErrors.
 */
import canonicalize from 'canonicalize';
import { InputError } from '../errors';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function canonicalJson(value: unknown, field = 'json'): string {
  let out: string | undefined;
  try {
    out = canonicalize(value);
  } catch (e) {
    throw new InputError('json.canonical', field, `has no canonical JSON form (${e instanceof Error ? e.message : 'error'})`, { cause: e });
  }
  if (out === undefined) throw new InputError('json.canonical', field, 'has no JSON form');
  return out;
}

/** Strict parse: the text must be valid JSON and already in canonical form. */
export function parseCanonicalJson(text: string, field = 'json'): Json {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (e) {
    throw new InputError('json.syntax', field, 'is not valid JSON', { cause: e });
  }
  if (canonicalJson(value, field) !== text) throw new InputError('json.noncanonical', field, 'is not in RFC 8785 canonical form');
  return value;
}
