/** Decoders hand out copies: wiping or reusing the input (often a Node Buffer) never changes a decoded secret. */
import { describe, expect, it } from 'vitest';
import { copyBytes } from '../../../src/core/crypto/bytes';
import { seededRng } from '../../../src/core/crypto/random';
import { decodeIdentity, encodeIdentity, newIdentity } from '../../../src/core/roster/identity';
import { decodeShareRecord } from '../../../src/core/shares/record';
import { decodeTtlv } from '../../../src/kmip/ttlv';
import { makeShares, provider } from '../../helpers/shares';

describe('copies, not views', () => {
  it('copyBytes copies a Buffer into a plain Uint8Array', () => {
    const b = Buffer.from([1, 2, 3]);
    const c = copyBytes(b);
    b.fill(0);
    expect(c).toEqual(new Uint8Array([1, 2, 3]));
    expect(Buffer.isBuffer(c)).toBe(false);
  });
  it('identity, share record and TTLV byte strings survive wiping the Buffer they came from', async () => {
    const s = newIdentity(seededRng('copies'), 'alice');
    const buf = Buffer.from(encodeIdentity(s));
    const d = decodeIdentity(buf);
    buf.fill(0);
    expect(d.signingSeed).toEqual(s.signingSeed);
    expect(d.ageSecret).toEqual(s.ageSecret);

    const f = await makeShares(2, 3, 'copies');
    const rb = Buffer.from(f.records[0]!.bytes);
    const r = decodeShareRecord(provider, rb);
    const share = r.share.slice();
    rb.fill(0);
    expect(r.share).toEqual(share);

    const t = Buffer.from('42004308000000040102030400000000', 'hex');
    const item = decodeTtlv(t);
    t.fill(0);
    expect(item).toMatchObject({ type: 'byteString', value: new Uint8Array([1, 2, 3, 4]) });
  });
});
