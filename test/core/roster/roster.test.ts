import { describe, expect, it } from 'vitest';
import { identityToRecipient, Decrypter, Encrypter } from 'age-encryption';
import { seededRng } from '../../../src/core/crypto/random';
import { ageIdentityString, ageRecipientOf, newIdentity, openIdentity, sealIdentity } from '../../../src/core/roster/identity';
import { assembleRoster, checkSeparation, endorseRoster, participantFrom, participantWords, rosterToText, signRoster, successionQuorum, trustRoster, verifyRoster, type RosterBody } from '../../../src/core/roster/roster';
import { fromHex } from '../../../src/core/crypto/bytes';
import { CustosError, InputError, PolicyError, VerifyError } from '../../../src/core/errors';
import { nativeProvider as provider } from '../../../src/node/native-provider';
import { makeRoster } from '../../helpers/roster';

describe('identities', () => {
  it('age keys agree with age-encryption, and files sealed to the recipient open with the identity', async () => {
    const s = newIdentity(seededRng('id'), 'alice');
    expect(await identityToRecipient(ageIdentityString(s.ageSecret))).toBe(ageRecipientOf(s.ageSecret));
    const e = new Encrypter();
    e.addRecipient(ageRecipientOf(s.ageSecret));
    const d = new Decrypter();
    d.addIdentity(ageIdentityString(s.ageSecret));
    expect(await d.decrypt(await e.encrypt('hi'), 'text')).toBe('hi');
  });
  it('an identity file opens with its passphrase and must match the roster entry', async () => {
    const { ids, verified } = makeRoster();
    const alice = ids.get('alice')!;
    const file = await sealIdentity({ provider, rng: seededRng('f') }, alice, 'alice passphrase 123', 10);
    const p = verified.participant('alice')!;
    const expected = { id: 'alice', signingKey: fromHex(p.signingKey), ageRecipient: p.ageRecipient };
    const opened = await openIdentity(provider, file, 'alice passphrase 123', expected);
    expect(opened.signingSeed).toEqual(alice.signingSeed);
    await expect(openIdentity(provider, file, 'wrong passphrase!!')).rejects.toThrowError(/^passphrase: does not open this identity file/);
    const b = verified.participant('bob')!;
    await expect(openIdentity(provider, file, 'alice passphrase 123', { id: 'bob', signingKey: fromHex(b.signingKey), ageRecipient: b.ageRecipient })).rejects.toThrowError(
      /^identity: is not the enrolled identity of bob/,
    );
  });
  it('refuses a bad participant id', () => {
    expect(() => newIdentity(seededRng('x'), 'Alice!')).toThrowError(/^id: must be lowercase/);
  });
});

describe('roster', () => {
  it('verifies when every participant signed, with fingerprints as words', () => {
    const { verified, body } = makeRoster();
    expect(verified.words).toHaveLength(8);
    expect(verified.publicKey('alice')).toEqual(fromHex(body.participants.find((p) => p.id === 'alice')!.signingKey));
    expect(verified.publicKey('mallory')).toBeUndefined();
    expect(participantWords(provider, body.participants[0]!)).toHaveLength(8);
    expect(verifyRoster(provider, makeRoster().text, { expectedWords: verified.words }).fingerprint).toBe(verified.fingerprint);
    expect(() => verifyRoster(provider, makeRoster('other').text, { expectedWords: verified.words })).toThrowError(/^roster: its fingerprint words differ from the pinned ones: this is not the roster that was pinned$/);
  });
  it('refuses a roster missing a signature, or with a participant changed after signing', () => {
    const { roster, body } = makeRoster();
    const unsigned = rosterToText(assembleRoster(body, roster.signatures.filter((s) => s.actor !== 'bob')));
    expect(() => verifyRoster(provider, unsigned)).toThrowError(/^roster\.signatures: missing the signature of bob/);
    const changed = { ...roster, participants: roster.participants.map((p) => (p.id === 'bob' ? { ...p, roles: ['custodian', 'witness'] as never } : p)) };
    expect(() => verifyRoster(provider, rosterToText(changed))).toThrow(VerifyError);
  });
  it('detects every single-byte change of the roster file', () => {
    const { text } = makeRoster();
    for (let i = 0; i < text.length; i += 7) {
      const t = text.slice(0, i) + (text[i] === 'a' ? 'b' : 'a') + text.slice(i + 1);
      expect(() => verifyRoster(provider, t), `byte ${i}`).toThrow(CustosError);
    }
  });
  it('refuses unknown fields and duplicates, naming them', () => {
    const { roster } = makeRoster();
    const extra = { ...roster, participants: [{ ...roster.participants[0]!, email: 'x@y' }, ...roster.participants.slice(1)] };
    expect(() => verifyRoster(provider, rosterToText(extra))).toThrowError(/^roster\.participants\[0\]\.email: is not a field of a participant/);
    const dup = { ...roster, participants: [...roster.participants, roster.participants[1]!] };
    expect(() => verifyRoster(provider, rosterToText(dup))).toThrow(InputError);
  });
});

describe('separation of duties', () => {
  const { verified } = makeRoster();
  const now = new Date('2026-12-01T00:00:00.000Z');
  const ok = { operator: 'oscar', custodians: ['alice', 'bob', 'carol'], witnesses: ['wendy'] };
  it('accepts a proper assignment', () => {
    expect(() => checkSeparation(verified, ok, now)).not.toThrow();
  });
  it.each([
    [{ ...ok, witnesses: ['victor'], custodians: ['alice', 'victor'] }, /^witnesses: victor cannot be custodian and witness in the same ceremony/],
    [{ ...ok, custodians: ['alice', 'alice', 'bob'] }, /^custodians: alice would hold two shares of one set/],
    [{ ...ok, approvers: ['alice', 'bob'], requester: 'alice' }, /^approvers: alice cannot approve their own request/],
    [{ ...ok, approvers: ['alice', 'alice'] }, /^approvers: alice cannot approve twice/],
    [{ ...ok, witnesses: ['alice'], custodians: [] }, /^witnesses\[0\]: alice is not enrolled as witness/],
    [{ ...ok, operator: 'alice' }, /^operator: alice is not enrolled as operator/],
    [{ ...ok, custodians: ['mallory'] }, /^custodians\[0\]: "mallory" is not in the roster/],
  ])('refuses %#', (a, re) => {
    expect(() => checkSeparation(verified, a, now)).toThrow(PolicyError);
    expect(() => checkSeparation(verified, a, now)).toThrowError(re);
  });
  it('refuses an expired enrollment', () => {
    const old = makeRoster('old', new Date('2026-11-30T00:00:00.000Z'), new Date('2026-11-01T00:00:00.000Z')).verified;
    expect(() => checkSeparation(old, ok, now)).toThrowError(/^operator: oscar's enrollment expired on 2026-11-30T00:00:00\.000Z/);
  });
});

describe('trust roots: a roster is trusted only pinned, or as an endorsed successor of the pinned one', () => {
  const first = makeRoster('first');
  const pinWords = { words: first.verified.words };
  /** A renewed roster: the previous roster's people with a newcomer added, naming first as previous, endorsed by `endorsers` of first. */
  const successor = (endorsers: string[], previous = first, newcomer = 'frank') => {
    const frank = newIdentity(seededRng(newcomer), newcomer);
    const ids = new Map([...previous.ids, [newcomer, frank]]);
    const enrolled = new Date('2026-11-20T09:00:00.000Z');
    const participants = [...previous.body.participants, participantFrom(provider, frank, { name: `${newcomer} Custodian`, roles: ['custodian'], enrolled, expires: new Date('2027-11-20T00:00:00.000Z') })];
    const body: RosterBody = { ...previous.body, created: enrolled.toISOString(), participants, previous: previous.verified.fingerprint };
    const signatures = [...ids.values()].map((s) => signRoster(provider, body, s));
    const endorsements = endorsers.map((e) => endorseRoster(provider, body, previous.verified, previous.ids.get(e)!));
    return { ids, body, text: rosterToText(assembleRoster(body, signatures, endorsements)) };
  };

  it('the pinned roster by words or SHA-256; another roster is refused without printing its words', () => {
    expect(trustRoster(provider, first.text, pinWords).chain).toEqual([first.verified.fingerprint]);
    expect(trustRoster(provider, first.text, { sha256: first.verified.fingerprint.toUpperCase() }).fingerprint).toBe(first.verified.fingerprint);
    const other = makeRoster('other');
    expect(() => trustRoster(provider, other.text, pinWords)).toThrow(VerifyError);
    try {
      trustRoster(provider, other.text, pinWords);
    } catch (e) {
      expect((e as Error).message).toBe('roster: its fingerprint differs from the pinned one: this is not the roster that was pinned');
      expect((e as Error).message).not.toContain(other.verified.words[0]);
    }
  });

  it('a successor endorsed by a majority of the pinned roster is trusted with its predecessor given', () => {
    expect(successionQuorum(first.body)).toBe(5); // 8 participants
    const next = successor(['alice', 'bob', 'carol', 'dave', 'oscar']);
    const t = trustRoster(provider, next.text, pinWords, [first.text]);
    expect(t.participant('frank')?.roles).toEqual(['custodian']);
    expect(t.chain).toEqual([t.fingerprint, first.verified.fingerprint]);
    // Without its predecessor the link cannot be checked: say what to give.
    expect(() => trustRoster(provider, next.text, pinWords)).toThrowError(/^roster: is not the pinned roster; it succeeds roster [0-9a-f]{16}…: give that roster file too \(--previous-roster\), or pin this roster anew$/);
    // Pinned anew, it stands on its own.
    expect(trustRoster(provider, next.text, { words: verifyRoster(provider, next.text).words }).chain).toHaveLength(1);
    // Two renewals in a row, the predecessors given in any order.
    const third = successor(['alice', 'bob', 'carol', 'dave', 'frank'], { ...next, verified: verifyRoster(provider, next.text) } as unknown as typeof first, 'grace');
    expect(trustRoster(provider, third.text, pinWords, [first.text, next.text]).chain).toHaveLength(3);
  });

  it('a successor endorsed by too few, by outsiders, or with a forged endorsement is refused', () => {
    expect(() => trustRoster(provider, successor(['alice', 'bob', 'carol', 'dave']).text, pinWords, [first.text])).toThrowError(
      /^roster [0-9a-f]{16}…\.endorsements: 4 of the previous roster's 8 participants endorsed this roster; 5 must, or it must be pinned anew$/,
    );
    // An insider's own roster claiming to succeed the pinned one, endorsed by the insider's keys.
    const insider = makeRoster('insider');
    const body: RosterBody = { ...insider.body, previous: first.verified.fingerprint };
    const sigs = [...insider.ids.values()].map((s) => signRoster(provider, body, s));
    const msgOf = (id: string) => endorseRoster(provider, body, { ...first.verified, participant: (x: string) => (x === id ? insider.verified.participant(x) : undefined) } as never, insider.ids.get(id)!);
    const forged = rosterToText(assembleRoster(body, sigs, ['alice', 'bob', 'carol', 'dave', 'erin'].map(msgOf)));
    expect(() => trustRoster(provider, forged, pinWords, [first.text])).toThrowError(/^roster [0-9a-f]{16}…\.endorsements\[0\]\.sig: is not a valid endorsement by alice$/);
    const r = successor(['alice', 'bob', 'carol', 'dave', 'oscar']);
    const swapped = r.text.replace(/"previous":"[0-9a-f]{64}"/, `"previous":"${'ab'.repeat(32)}"`);
    expect(() => trustRoster(provider, swapped, pinWords, [first.text])).toThrow(VerifyError);
  });

  it('one identity per person: two participants with the same age recipient are refused', () => {
    const { roster } = makeRoster();
    const twin = { ...roster, participants: roster.participants.map((p, i) => (i === 2 ? { ...p, ageRecipient: roster.participants[1]!.ageRecipient } : p)) };
    expect(() => verifyRoster(provider, rosterToText(twin))).toThrowError(/^roster\.participants\[2\]\.ageRecipient: is the age recipient of "alice" too: "alice" and "bob" cannot share one identity \(one identity per person\)/);
  });

  it('a rehearsal roster never leads to a real one, and endorsers must have been enrolled when the successor was made', () => {
    const drill = makeRoster('drill');
    const dbody: RosterBody = { ...drill.body, rehearsal: true };
    const dtext = rosterToText(assembleRoster(dbody, [...drill.ids.values()].map((s) => signRoster(provider, dbody, s))));
    const dv = verifyRoster(provider, dtext);
    const nb: RosterBody = { ...drill.body, created: '2026-11-20T00:00:00.000Z', previous: dv.fingerprint };
    const real = rosterToText(assembleRoster(nb, [...drill.ids.values()].map((s) => signRoster(provider, nb, s)), ['alice', 'bob', 'carol', 'dave', 'oscar'].map((x) => endorseRoster(provider, nb, dv, drill.ids.get(x)!))));
    expect(() => trustRoster(provider, real, { sha256: dv.fingerprint }, [dtext])).toThrowError(/\.rehearsal: a rehearsal roster and a real one never succeed each other/);
    // Endorsed by a majority whose enrollments had expired when the successor was made.
    const old = makeRoster('expired', new Date('2026-06-01T00:00:00.000Z'), new Date('2026-01-01T00:00:00.000Z'));
    const late: RosterBody = { ...old.body, created: '2026-11-20T00:00:00.000Z', previous: old.verified.fingerprint };
    const lateText = rosterToText(assembleRoster(late, [...old.ids.values()].map((s) => signRoster(provider, late, s)), ['alice', 'bob', 'carol', 'dave', 'oscar'].map((x) => endorseRoster(provider, late, old.verified, old.ids.get(x)!))));
    expect(() => trustRoster(provider, lateText, { sha256: old.verified.fingerprint }, [old.text])).toThrowError(/endorsements\[0\]\.actor: alice's enrollment \(2026-01-01T00:00:00\.000Z to 2026-06-01T00:00:00\.000Z\) was not in force when this roster was made/);
  });
});
