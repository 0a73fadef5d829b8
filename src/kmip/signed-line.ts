/** One canonical JSON line `{"<root>":{...},"sig":"<base64>"}`, parsed strictly; damage is a VerifyError. */
import { base64 } from '@scure/base';
import type { z } from 'zod';
import { InputError, VerifyError } from '../core/errors';
import { parseCanonicalJson } from '../core/transcript/canonical';
import { strictParse } from '../core/plan/strict';

export function parseSignedLine<T>(text: string, root: string, schema: z.ZodType<T>, what: string): { body: T; sig: Uint8Array } {
  try {
    if (typeof text !== 'string' || !text.endsWith('\n') || text.indexOf('\n') !== text.length - 1) throw new InputError(`${root}.text`, root, 'must be one line of canonical JSON ending in a newline');
    const v = parseCanonicalJson(text.slice(0, -1), root);
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.keys(v).sort().join() !== [root, 'sig'].sort().join()) throw new InputError(`${root}.shape`, root, `must hold exactly "${root}" and "sig"`);
    const body = strictParse(schema, v[root], root, what);
    if (typeof v.sig !== 'string') throw new InputError(`${root}.sig`, `${root}.sig`, 'must be base64');
    let sig: Uint8Array;
    try {
      sig = base64.decode(v.sig);
    } catch (e) {
      throw new InputError(`${root}.sig`, `${root}.sig`, 'must be base64', { cause: e });
    }
    return { body, sig };
  } catch (e) {
    if (e instanceof InputError) throw new VerifyError(e.code, e.field, `${e.message.slice(e.field.length + 2)} (the file is damaged or altered)`, { cause: e });
    throw e;
  }
}
