import { describe, expect, it } from 'vitest';
import { generateIdentity, identityToRecipient, armor } from 'age-encryption';
import { openShareFile, sealShareFile, MAX_SHARE_FILE_BYTES } from '../../../src/core/shares/file';
import { seededRng } from '../../../src/core/crypto/random';
import { nobleProvider } from '../../../src/core/crypto/noble';
import { InputError, VerifyError } from '../../../src/core/errors';
import { makeShares, provider } from '../../helpers/shares';

const PASS = 'tangerine-orbit-velvet-42';

describe('share files', async () => {
  const f = await makeShares(2, 3, 'files');
  const rec = f.records[0]!;
  const ctx = { provider, rng: seededRng('file') };
  const sealed = await sealShareFile(ctx, rec, { passphrase: PASS, workFactor: 10 });

  it('open with the passphrase, with either provider', async () => {
    expect((await openShareFile(provider, sealed, { passphrase: PASS })).bytes).toEqual(rec.bytes);
    expect((await openShareFile(nobleProvider, sealed, { passphrase: PASS })).bytes).toEqual(rec.bytes);
  });
  it('the header records the scrypt work factor and nothing about the passphrase', () => {
    const header = new TextDecoder().decode(sealed.subarray(0, 120));
    expect(header).toMatch(/^age-encryption\.org\/v1\n-> scrypt [A-Za-z0-9+/]{22} 10\n/);
    expect(new TextDecoder().decode(sealed)).not.toContain(PASS);
  });
  it('a wrong passphrase is a VerifyError on the passphrase', async () => {
    await expect(openShareFile(provider, sealed, { passphrase: 'not the passphrase' })).rejects.toThrowError(/^passphrase: does not open this share file/);
  });
  it('X25519 recipients: opens with the identity, refuses another identity and a passphrase', async () => {
    const id = await generateIdentity();
    const file = await sealShareFile(ctx, rec, { recipient: await identityToRecipient(id) });
    expect((await openShareFile(provider, file, { identity: id })).bytes).toEqual(rec.bytes);
    await expect(openShareFile(provider, file, { identity: await generateIdentity() })).rejects.toThrowError(/^identity: this share file was not encrypted to this identity/);
    await expect(openShareFile(provider, file, { passphrase: PASS })).rejects.toThrowError(/not passphrase-protected/);
  });
  it('armored files open', async () => {
    const armored = new TextEncoder().encode(armor.encode(sealed));
    expect((await openShareFile(provider, armored, { passphrase: PASS })).bytes).toEqual(rec.bytes);
  });
  it('refuses bad inputs, naming the field, before any work', async () => {
    await expect(sealShareFile(ctx, rec, { passphrase: 'short' })).rejects.toThrowError(/^passphrase: must be at least 10 characters/);
    await expect(sealShareFile(ctx, rec, { passphrase: PASS, workFactor: 9 })).rejects.toThrowError(/^workFactor: must be between 10 and 20/);
    await expect(sealShareFile(ctx, rec, { recipient: 'age1nope' })).rejects.toThrowError(/^recipient: must be an age X25519 recipient/);
    await expect(openShareFile(provider, new TextEncoder().encode('hello'), { passphrase: PASS })).rejects.toThrowError(/^file\.header: is not an age v1 file/);
    await expect(openShareFile(provider, new Uint8Array(MAX_SHARE_FILE_BYTES + 1), { passphrase: PASS })).rejects.toThrowError(/^file: is larger than/);
    await expect(openShareFile(provider, sealed, { identity: 'AGE-SECRET-KEY-1xyz' })).rejects.toThrowError(/^identity: must be an age X25519 identity/);
    await expect(openShareFile(provider, sealed, { passphrase: '' })).rejects.toThrow(InputError);
    await expect(openShareFile(provider, sealed, null as never)).rejects.toThrowError(/^key: must be/);
    await expect(sealShareFile(ctx, rec, 'pw' as never)).rejects.toThrowError(/^protection: must be/);
  });
  it('a truncated or altered payload is a VerifyError; an altered header names the header', async () => {
    await expect(openShareFile(provider, sealed.subarray(0, sealed.length - 10), { passphrase: PASS })).rejects.toThrow(VerifyError);
    const p = sealed.slice();
    p[p.length - 20]! ^= 1;
    await expect(openShareFile(provider, p, { passphrase: PASS })).rejects.toThrowError(/^file\.payload:/);
    const h = sealed.slice();
    const text = new TextDecoder().decode(h.subarray(0, 80));
    h[text.indexOf(' 10\n') + 2]! = '1'.charCodeAt(0); // work factor 10 -> 11: the header MAC no longer matches
    await expect(openShareFile(provider, h, { passphrase: PASS })).rejects.toThrow(/passphrase|file\.header|file\.payload/);
  });
  it('a malformed header is named as such, whatever key is offered', async () => {
    const badScrypt = new TextEncoder().encode('age-encryption.org/v1\n-> scrypt\n\n--- AAAA\n');
    await expect(openShareFile(provider, badScrypt, { passphrase: PASS })).rejects.toThrowError(/^file\.header: malformed scrypt stanza/);
    const badHeader = new TextEncoder().encode('age-encryption.org/v1\n-> X25519 abc\nnot base64!!\n');
    for (const key of [{ passphrase: PASS }, { identity: await generateIdentity() }])
      await expect(openShareFile(provider, badHeader, key)).rejects.toThrowError(/^file\.header: malformed age header/);
  });
  it('a share file with a work factor above 2^20 is refused without running scrypt', async () => {
    const text = new TextDecoder().decode(sealed);
    const bumped = new TextEncoder().encode(text.replace(/^(-> scrypt \S+) 10$/m, '$1 30'));
    await expect(openShareFile(provider, bumped, { passphrase: PASS })).rejects.toThrowError(/^file\.header: scrypt work factor 2\^30 is above the accepted 2\^20/);
  });
});
