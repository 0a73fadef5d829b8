import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createStreamOpener, createStreamSealer, openAll, sealAll, STREAM_HEADER_LENGTH } from '../../../src/core/crypto/stream';
import { seededRng } from '../../../src/core/crypto/random';
import { nobleProvider } from '../../../src/core/crypto/noble';
import { nativeProvider } from '../../../src/node/native-provider';
import { CustosError, InputError, VerifyError } from '../../../src/core/errors';

const key = new Uint8Array(32).fill(3);

describe('streaming AEAD', () => {
  it('round-trips any length, identical bytes from both providers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.integer({ min: 16, max: 200 }), (data, segmentSize) => {
        const a = sealAll(nativeProvider, seededRng('s'), key, data, { segmentSize });
        const b = sealAll(nobleProvider, seededRng('s'), key, data, { segmentSize });
        expect(a).toEqual(b);
        expect(openAll(nobleProvider, key, a)).toEqual(data);
      }),
      { numRuns: 300 },
    );
  });
  it('detects every single-byte change, truncation at a segment boundary, and reordering', () => {
    const data = Uint8Array.from({ length: 100 }, (_, i) => i);
    const sealed = sealAll(nativeProvider, seededRng('t'), key, data, { segmentSize: 32 });
    for (let i = 0; i < sealed.length; i++) {
      const s = sealed.slice();
      s[i]! ^= 1;
      expect(() => openAll(nativeProvider, key, s)).toThrow(CustosError);
    }
    const seg = 32 + 16;
    expect(() => openAll(nativeProvider, key, sealed.subarray(0, STREAM_HEADER_LENGTH + 2 * seg))).toThrow(VerifyError);
    const swapped = sealed.slice();
    swapped.set(sealed.subarray(STREAM_HEADER_LENGTH + seg, STREAM_HEADER_LENGTH + 2 * seg), STREAM_HEADER_LENGTH);
    swapped.set(sealed.subarray(STREAM_HEADER_LENGTH, STREAM_HEADER_LENGTH + seg), STREAM_HEADER_LENGTH + seg);
    expect(() => openAll(nativeProvider, key, swapped)).toThrow(VerifyError);
    expect(() => openAll(nativeProvider, new Uint8Array(32), sealed)).toThrow(VerifyError);
    expect(() => openAll(nativeProvider, key, sealed, { info: new Uint8Array([1]) })).toThrow(VerifyError);
  });
  it('keeps working when the caller wipes the header it wrote, or calls seal detached', () => {
    const s = createStreamSealer(nativeProvider, seededRng('d'), key, { segmentSize: 16 });
    const header = s.header.slice();
    s.header.fill(0);
    const { seal } = s;
    const parts = [header, ...seal(new Uint8Array(16).fill(1), false), ...seal(new Uint8Array(5).fill(2), true)];
    const sealed = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((o, p) => (sealed.set(p, o), o + p.length), 0);
    expect(openAll(nativeProvider, key, sealed)).toEqual(new Uint8Array([...new Uint8Array(16).fill(1), ...new Uint8Array(5).fill(2)]));
  });
  it('refuses misuse with named errors and wipes its key at the end', () => {
    const s = createStreamSealer(nativeProvider, seededRng('m'), key, { segmentSize: 16 });
    expect(() => s.seal(new Uint8Array(15), false)).toThrowError(/^plaintext: each segment but the last must be 16 bytes/);
    s.seal(new Uint8Array(3), true);
    expect(() => s.seal(new Uint8Array(3), true)).toThrowError(/^stream: the stream is already finished/);
    expect(() => createStreamOpener(nativeProvider, key, new Uint8Array(10))).toThrow(InputError);
    const h = s.header.slice();
    h[0] = 2;
    expect(() => createStreamOpener(nativeProvider, key, h)).toThrowError(/^stream\.header\.version:/);
  });
});
