/** What an age file is sealed to, read from its header, binary or armored. */
import { armor } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { sealAge, sealedTo } from '../../src/core/age';
import { ageRecipientOf } from '../../src/core/roster/identity';
import { seededRng } from '../../src/core/crypto/random';
import { nativeProvider as provider } from '../../src/node/native-provider';

describe('sealedTo', () => {
  it('tells a recipient file from a passphrase file, armored or not, and anything else from both', async () => {
    const rng = seededRng('sealed-to');
    const toRecipient = await sealAge({ provider, rng }, 'a share', { recipient: ageRecipientOf(rng(32)) });
    const toPassphrase = await sealAge({ provider, rng }, 'a share', { passphrase: 'a long enough passphrase', workFactor: 10 });
    expect(sealedTo(toRecipient)).toBe('recipient');
    expect(sealedTo(new TextEncoder().encode(armor.encode(toRecipient)))).toBe('recipient');
    expect(sealedTo(toPassphrase)).toBe('passphrase');
    expect(sealedTo(new TextEncoder().encode(armor.encode(toPassphrase)))).toBe('passphrase');
    expect(sealedTo(new TextEncoder().encode('CUSTOS SHARE 1 OF 3'))).toBeUndefined();
    expect(sealedTo(new TextEncoder().encode('-----BEGIN AGE ENCRYPTED FILE-----\nnot base64!\n'))).toBeUndefined();
  });
});
