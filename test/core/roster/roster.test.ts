import { describe, expect, it } from 'vitest';
import { identityToRecipient, Decrypter, Encrypter } from 'age-encryption';
import { seededRng } from '../../../src/core/crypto/random';
import { ageIdentityString, ageRecipientOf, newIdentity, openIdentity, sealIdentity } from '../../../src/core/roster/identity';
import { assembleRoster, checkSeparation, participantWords, rosterToText, verifyRoster } from '../../../src/core/roster/roster';
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
    expect(() => verifyRoster(provider, makeRoster('other').text, { expectedWords: verified.words })).toThrowError(/^roster: fingerprint words are/);
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
