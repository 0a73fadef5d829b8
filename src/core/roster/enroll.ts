/**
 * Unattended enrollment (rehearsals, drills, tests): an enrollment file lists the participants
 * and their passphrases; each gets fresh keys, an identity file sealed with their passphrase,
 * and a place in a roster that all of them sign. Whoever prepared the file holds every
 * identity, so the roster is marked as a rehearsal roster, which real ceremonies refuse: a real
 * roster comes from the enrollment ceremony (src/core/ceremony/enroll.ts).
 */
import { z } from 'zod';
import type { CryptoProvider } from '../crypto/provider';
import type { Clock, Rng } from '../crypto/random';
import { participantId, parseStrictYaml } from '../plan/strict';
import { MIN_IDENTITY_PASSPHRASE_CHARS, newIdentity, sealIdentity, wipeIdentity, type IdentitySecrets } from './identity';
import { assembleRoster, participantFrom, ROLES, rosterToText, signRoster, verifyRoster, type RosterBody, type VerifiedRoster } from './roster';

export const enrollmentSchema = z.strictObject({
  organization: z.string().min(1).max(200),
  validDays: z.int().min(1).max(3660),
  participants: z
    .array(
      z.strictObject({
        id: participantId,
        name: z.string().min(1).max(200),
        roles: z.array(z.enum(ROLES)).min(1),
        passphrase: z.string().min(MIN_IDENTITY_PASSPHRASE_CHARS, `must be at least ${MIN_IDENTITY_PASSPHRASE_CHARS} characters`),
      }),
    )
    .min(1),
});
export type Enrollment = z.infer<typeof enrollmentSchema>;

export function parseEnrollment(text: string): Enrollment {
  return parseStrictYaml(enrollmentSchema, text, 'enrollment', 'an enrollment file');
}

export async function enroll(
  ctx: { provider: CryptoProvider; rng: Rng; clock: Clock },
  e: Enrollment,
  opts: { workFactor?: number } = {},
): Promise<{ roster: VerifiedRoster; rosterText: string; identityFiles: Map<string, Uint8Array> }> {
  const now = ctx.clock();
  const expires = new Date(now.getTime() + e.validDays * 86_400_000);
  const secrets: IdentitySecrets[] = [];
  try {
    for (const p of e.participants) secrets.push(newIdentity(ctx.rng, p.id));
    const body: RosterBody = {
      v: 1,
      kind: 'custos.roster',
      organization: e.organization,
      created: now.toISOString(),
      rehearsal: true,
      participants: e.participants.map((p, i) => participantFrom(ctx.provider, secrets[i]!, { name: p.name, roles: [...new Set(p.roles)], enrolled: now, expires })),
    };
    const rosterText = rosterToText(assembleRoster(body, secrets.map((s) => signRoster(ctx.provider, body, s))));
    const roster = verifyRoster(ctx.provider, rosterText);
    const identityFiles = new Map<string, Uint8Array>();
    for (const [i, p] of e.participants.entries()) identityFiles.set(p.id, await sealIdentity(ctx, secrets[i]!, p.passphrase, opts.workFactor));
    return { roster, rosterText, identityFiles };
  } finally {
    secrets.forEach(wipeIdentity);
  }
}
