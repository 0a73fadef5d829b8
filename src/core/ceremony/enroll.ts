/**
 * The enrollment ceremony: how a roster comes to be without anyone holding another person's
 * secret.
 *
 *  1. Each participant in turn, at the workstation: a new identity from the CSPRNG, sealed with
 *     a passphrase they type (never stored) and written to the medium they choose; or the
 *     public request they signed with keys made elsewhere; or, renewing the pinned roster, the
 *     keys it enrolled. Requests are checked before anyone types anything.
 *  2. The draft roster's body is then complete, so its fingerprint is final. The operator opens
 *     the transcript; each participant unlocks their identity, opens a challenge sealed to their
 *     age recipient (proof they hold that key), signs the roster and records it; those who
 *     continue from the previous roster also endorse the new one (a majority of it must).
 *  3. The signed roster is written to the output medium (and kept in the vault, with the one
 *     it renews), its words read aloud and written on paper; the witnesses, then the operator,
 *     attest.
 *
 * An interrupted enrollment is not resumed: its identity files belong to no roster; it starts
 * again under a new transcript name.
 */
import { InputError, PolicyError, VerifyError } from '../errors';
import { equalBytes, fromUtf8, toHex, utf8, wipe } from '../crypto/bytes';
import { openAge, sealAge } from '../age';
import { planOutputs, type PlanOf } from '../plan/schema';
import { ageIdentityString, checkIdentityPassphrase, newIdentity, sealIdentity, wipeIdentity, type IdentitySecrets } from '../roster/identity';
import { verifyRequest, type EnrollmentRequest } from '../roster/request';
import {
  assembleRoster,
  draftRoster,
  endorseRoster,
  participantFrom,
  rosterToText,
  signRoster,
  successionQuorum,
  trustRoster,
  verifyRoster,
  type Participant,
  type RosterBody,
  type Signature,
  type VerifiedRoster,
} from '../roster/roster';
import type { CeremonyPorts } from './ports';
import { attempt, Session, type Closing } from './session';
import type { CeremonyOptions } from './generate';
import { vaultRosterName } from './vault';

const DAY = 86_400_000;

export interface EnrollResult extends Closing {
  roster: string;
  rosterWords: string;
  participants: number;
}

type Source = { kind: 'created'; location: string; sha256: string } | { kind: 'request'; sha256: string } | { kind: 'kept' };

/** An enrollment's transcript exists: an interrupted enrollment is never resumed. */
export function enrollResumed(): PolicyError {
  return new PolicyError('enroll.resume', 'plan.transcript', 'exists: an interrupted enrollment is not resumed (the identity files it made belong to no roster); start again under a new transcript name, with fresh media');
}

export async function runEnroll(ports: CeremonyPorts, plan: PlanOf<'enroll'>, previous: VerifiedRoster | undefined, opts: CeremonyOptions): Promise<EnrollResult> {
  const { provider } = ports;
  if (ports.transcript.existing() !== undefined) throw enrollResumed();
  if (plan.previous && !previous) throw new InputError('enroll.previous', 'plan.previous', 'the pinned previous roster was not given');
  if (previous && previous.rehearsal !== (opts.rehearsal === true)) throw new PolicyError('enroll.rehearsal', 'plan.previous.file', 'a rehearsal roster and a real one never succeed each other');
  const present = planOutputs(plan).filter((f) => ports.outputs.exists(f));
  if (present.length) throw new PolicyError('plan.outputs.exist', 'plan.outputs', `would overwrite ${present.join(', ')}: Custos never overwrites`);

  // Everything that can be checked before anyone types a passphrase.
  const kept = plan.participants.filter((p) => p.keep);
  if (previous) {
    plan.participants.forEach((p, i) => {
      if (p.keep && !previous.participant(p.id)) throw new PolicyError('enroll.keep', `plan.participants[${i}].keep`, `${p.id} is not in the previous roster: there are no keys to keep`);
    });
    const need = successionQuorum(previous.roster);
    if (kept.length < need)
      throw new PolicyError('enroll.quorum', 'plan.participants', `${kept.length} of the previous roster's ${previous.roster.participants.length} participants continue; ${need} must, to endorse the new roster (or enroll anew, without previous, and pin the new roster from its paper)`);
  }
  const requests = new Map<string, { request: EnrollmentRequest; sha256: string }>();
  for (const [i, p] of plan.participants.entries()) {
    if (!p.request) continue;
    const field = `plan.participants[${i}].request`;
    const bytes = ports.input(p.request, field);
    const request = verifyRequest(provider, fromUtf8(bytes, field), field);
    if (request.id !== p.id) throw new PolicyError('enroll.request', field, `is the request of ${request.id}, not ${p.id}`);
    requests.set(p.id, { request, sha256: toHex(provider.sha256(bytes)) });
  }

  // 1. Each participant's keys: made here by them, brought as a request, or kept.
  const now = ports.clock();
  const dates = { enrolled: now, expires: new Date(now.getTime() + plan.validDays * DAY) };
  const participants: Participant[] = [];
  const sources = new Map<string, Source>();
  for (const p of plan.participants) {
    const roles = [...new Set(p.roles)].sort();
    if (p.keep) {
      const q = previous!.participant(p.id)!;
      participants.push({ id: p.id, name: p.name, roles, signingKey: q.signingKey, ageRecipient: q.ageRecipient, enrolled: dates.enrolled.toISOString(), expires: dates.expires.toISOString() });
      sources.set(p.id, { kind: 'kept' });
      continue;
    }
    const r = requests.get(p.id);
    if (r) {
      participants.push({ id: p.id, name: p.name, roles, signingKey: r.request.signingKey, ageRecipient: r.request.ageRecipient, enrolled: dates.enrolled.toISOString(), expires: dates.expires.toISOString() });
      sources.set(p.id, { kind: 'request', sha256: r.sha256 });
      continue;
    }
    ports.say(`${p.id} (${p.name}): your identity is made now. Choose a passphrase only you know; your identity file goes to your own medium.`);
    const s = newIdentity(ports.rng, p.id);
    try {
      const passphrase = await attempt(ports, p.id, 'choose the passphrase of your identity', async () => checkIdentityPassphrase(await ports.chooseIdentityPassphrase(p.id), `identity.${p.id}`));
      const sealed = await sealIdentity({ provider, rng: ports.rng }, s, passphrase, opts.workFactor);
      const saved = await ports.saveIdentity(p.id, sealed);
      if (saved.sha256 !== toHex(provider.sha256(sealed))) throw new VerifyError('enroll.identity', p.id, 'the identity file read back differs from what was written');
      participants.push(participantFrom(provider, s, { name: p.name, roles, ...dates }));
      sources.set(p.id, { kind: 'created', ...saved });
    } finally {
      wipeIdentity(s);
    }
  }
  const body: RosterBody = {
    v: 1,
    kind: 'custos.roster',
    organization: plan.ceremony.organization,
    created: now.toISOString(),
    participants,
    ...(previous && { previous: previous.fingerprint }),
    ...(opts.rehearsal && { rehearsal: true as const }),
  };
  const draft = draftRoster(provider, body); // one identity per person: a repeated key is refused here

  // 2. Each participant proves their keys and signs; the continuing ones endorse.
  const session = new Session(ports, draft, plan, opts);
  const { warning } = session.preflight({ operator: plan.operator, custodians: [], witnesses: plan.witnesses });
  return session.run(async () => {
    await session.open({ roster: draft.fingerprint, participants: participants.map((p) => p.id), validDays: plan.validDays, ...(previous && { previous: previous.fingerprint }) }, warning);
    const signatures: Signature[] = [];
    const endorsements: Signature[] = [];
    for (const p of participants) {
      const own = p.id === plan.operator;
      const s: IdentitySecrets = own ? session.operator : await session.unlock(p.id, 'prove your keys and sign the roster');
      try {
        const possession = await provePossession(ports, s, p.ageRecipient);
        const sig = signRoster(provider, body, s);
        signatures.push(sig);
        const source = sources.get(p.id)!;
        let endorsement: Signature | undefined;
        if (source.kind === 'kept') endorsements.push((endorsement = endorseRoster(provider, body, previous!, s)));
        session.append(s, 'participant.enrolled', {
          id: p.id,
          name: p.name,
          roles: p.roles,
          signingKey: p.signingKey,
          ageRecipient: p.ageRecipient,
          source: source.kind,
          ...(source.kind === 'created' && { identityFile: { location: source.location, sha256: source.sha256 } }),
          ...(source.kind === 'request' && { request: source.sha256 }),
          possession,
          rosterSignature: sig.sig,
          ...(endorsement && { endorsement: endorsement.sig }),
        });
      } finally {
        if (!own) wipeIdentity(s);
      }
    }
    // 3. The roster, checked as any door will check it, written, read aloud.
    const text = rosterToText(assembleRoster(body, signatures, previous ? endorsements : undefined));
    const previousText = previous && rosterToText(previous.roster);
    const verified = previousText ? trustRoster(provider, text, { sha256: previous!.fingerprint }, [previousText]) : verifyRoster(provider, text);
    const sha256 = ports.outputs.write('roster.json', utf8(text));
    // The vault keeps every roster its ceremonies were made under: after a renewal, the
    // transcripts made under the previous roster are still read, under it.
    const kept: string[] = [];
    for (const [r, t] of [[verified, text], ...(previousText ? [[previous!, previousText] as const] : [])] as const) {
      const name = vaultRosterName(r.fingerprint);
      if (!ports.vault.exists(name)) {
        ports.vault.write(name, utf8(t));
        kept.push(name);
      }
    }
    session.append(session.operator, 'roster.written', { file: 'roster.json', sha256, fingerprint: verified.fingerprint, words: verified.words.join(' '), vault: kept });
    ports.readAloud?.({ label: 'Roster fingerprint', value: verified.fingerprint, words: verified.words });
    ports.say(`Roster fingerprint: ${verified.words.join(' ')}. Read it aloud; every participant writes it on the enrollment paper and signs it. Every plan and every door pins these words.`);
    const closing = await session.close();
    return { ...closing, roster: verified.fingerprint, rosterWords: verified.words.join(' '), participants: participants.length };
  });
}

/** A challenge sealed to the enrolled age recipient must open with the unlocked identity: returns the sealed challenge's SHA-256. */
async function provePossession(ports: CeremonyPorts, s: IdentitySecrets, recipient: string): Promise<string> {
  const challenge = ports.rng(32);
  const sealed = await sealAge({ provider: ports.provider, rng: ports.rng }, challenge, { recipient });
  let opened: Uint8Array;
  try {
    opened = await openAge(ports.provider, sealed, { identity: ageIdentityString(s.ageSecret) }, 4096, 'challenge');
  } catch (e) {
    throw new VerifyError('enroll.possession', s.id, `${s.id}'s identity does not open a challenge sealed to the age recipient enrolled for them`, { cause: e });
  }
  const ok = equalBytes(opened, challenge);
  wipe(opened, challenge);
  if (!ok) throw new VerifyError('enroll.possession', s.id, `${s.id}'s identity opened the challenge to something else`);
  return toHex(ports.provider.sha256(sealed));
}
