/**
 * The answers file: every answer a ceremony asks of people (identity passphrases, share
 * passphrases, dice, the share files a quorum brings), so rehearsals, drills and tests run
 * unattended. Strict like a plan. It holds passphrases: it is for rehearsals and throwaway
 * keys, never for a real ceremony.
 */
import { z } from 'zod';
import { participantId, parseStrictYaml } from '../plan/strict';

const idKey = participantId;
export const answersSchema = z.strictObject({
  identities: z.record(idKey, z.strictObject({ file: z.string().min(1), passphrase: z.string().min(1) })),
  sharePassphrases: z.record(idKey, z.string().min(1)).default({}),
  dice: z.record(idKey, z.string()).default({}),
  shares: z.record(idKey, z.strictObject({ file: z.string().min(1), passphrase: z.string().min(1).optional() })).default({}),
});
export type Answers = z.infer<typeof answersSchema>;

export function parseAnswers(text: string): Answers {
  return parseStrictYaml(answersSchema, text, 'answers', 'an answers file');
}
