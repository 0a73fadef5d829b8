/** Field schemas shared by every signed document and archive header. */
import { z } from 'zod';
import { isUtcTime } from '../ids';

export const utc = z.string().refine(isUtcTime, 'must be a UTC time like 2026-11-28T10:00:00.000Z');
export const hex = (n: number) => z.string().regex(new RegExp(`^[0-9a-f]{${n}}$`), `must be ${n} hex digits`);
export const kcvSchema = z.string().regex(/^cmac-aes:[0-9a-f]{6}$/, 'must be a KCV (cmac-aes:xxxxxx)');
export const b64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');
export const ageRecipient = z.string().regex(/^age1[02-9ac-hj-np-z]{58}$/, 'must be an age X25519 recipient (age1…)');
/** What every document says about itself. */
export const documentHeader = {
  v: z.literal(1),
  ceremony: hex(32),
  organization: z.string().min(1).max(200),
  created: utc,
  rehearsal: z.boolean(),
  masterKeyId: hex(32),
};
