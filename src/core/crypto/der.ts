/**
 * A strict DER reader for the two RSA key containers the core accepts:
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, RFC 8017 A.1.1) and PKCS#8 PrivateKeyInfo
 * (RFC 5208 §5, RFC 8017 A.1.2). Only definite, minimal lengths; only minimal positive
 * INTEGERs; no trailing bytes. Anything else is an InputError naming the field.
 */
import { InputError } from '../errors';
import { toHex } from './bytes';

const RSA_ENCRYPTION_OID = '2a864886f70d010101'; // 1.2.840.113549.1.1.1

class Reader {
  private pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly field: string,
  ) {}

  done(): boolean {
    return this.pos === this.buf.length;
  }

  expectDone(what: string): void {
    if (!this.done()) throw new InputError('der.trailing', this.field, `unexpected bytes after ${what}`);
  }

  /** Read one TLV with the given tag; returns its content. */
  tlv(tag: number, what: string): Uint8Array {
    const b = this.buf;
    if (this.pos >= b.length) throw new InputError('der.truncated', this.field, `truncated before ${what}`);
    const t = b[this.pos++]!;
    if (t !== tag)
      throw new InputError('der.tag', this.field, `${what}: expected tag 0x${tag.toString(16)}, got 0x${t.toString(16)}`);
    if (this.pos >= b.length) throw new InputError('der.truncated', this.field, `truncated in the length of ${what}`);
    let len = b[this.pos++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 3) throw new InputError('der.length', this.field, `${what}: unsupported length form`);
      if (this.pos + n > b.length) throw new InputError('der.truncated', this.field, `truncated in the length of ${what}`);
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + b[this.pos++]!;
      // X.690 §10.1: the definite form must use the fewest octets.
      if (len < 0x80 || (n > 1 && b[this.pos - n] === 0))
        throw new InputError('der.length', this.field, `${what}: length is not minimally encoded`);
    }
    if (this.pos + len > b.length) throw new InputError('der.truncated', this.field, `${what} runs past the end`);
    const out = b.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** A non-negative INTEGER, minimally encoded (X.690 §8.3.2). */
  uint(what: string): bigint {
    const c = this.tlv(0x02, what);
    if (c.length === 0) throw new InputError('der.integer', this.field, `${what} is empty`);
    if (c[0]! & 0x80) throw new InputError('der.integer', this.field, `${what} must not be negative`);
    if (c.length > 1 && c[0] === 0 && !(c[1]! & 0x80))
      throw new InputError('der.integer', this.field, `${what} is not minimally encoded`);
    return BigInt('0x' + toHex(c));
  }

  algorithm(): void {
    const alg = new Reader(this.tlv(0x30, 'AlgorithmIdentifier'), this.field);
    const oid = alg.tlv(0x06, 'algorithm OID');
    if (toHex(oid) !== RSA_ENCRYPTION_OID)
      throw new InputError('der.algorithm', this.field, 'is not an RSA key (algorithm is not rsaEncryption)');
    // RFC 8017 A.1: the parameters SHALL be NULL.
    const nul = alg.tlv(0x05, 'algorithm parameters');
    if (nul.length !== 0) throw new InputError('der.algorithm', this.field, 'rsaEncryption parameters must be NULL');
    alg.expectDone('AlgorithmIdentifier');
  }
}

export interface RsaPublicKey {
  n: bigint;
  e: bigint;
  /** Modulus length in bits. */
  bits: number;
}

export interface RsaPrivateKey extends RsaPublicKey {
  d: bigint;
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

export function parseRsaSpki(spki: Uint8Array, field = 'publicKey'): RsaPublicKey {
  if (!(spki instanceof Uint8Array)) throw new InputError('der.type', field, 'must be DER bytes (Uint8Array)');
  const outer = new Reader(spki, field);
  const body = new Reader(outer.tlv(0x30, 'SubjectPublicKeyInfo'), field);
  outer.expectDone('SubjectPublicKeyInfo');
  body.algorithm();
  const bits = body.tlv(0x03, 'subjectPublicKey');
  body.expectDone('SubjectPublicKeyInfo');
  if (bits.length < 1 || bits[0] !== 0) throw new InputError('der.bitstring', field, 'subjectPublicKey has unused bits');
  const key = new Reader(bits.subarray(1), field);
  const seq = new Reader(key.tlv(0x30, 'RSAPublicKey'), field);
  key.expectDone('RSAPublicKey');
  const n = seq.uint('modulus');
  const e = seq.uint('publicExponent');
  seq.expectDone('RSAPublicKey');
  return checkPublic(n, e, field);
}

function checkPublic(n: bigint, e: bigint, field: string): RsaPublicKey {
  const bits = bitLength(n);
  if (bits < 2048 || bits > 8192) throw new InputError('rsa.modulus', field, `modulus of ${bits} bits is outside 2048..8192`);
  if ((n & 1n) === 0n) throw new InputError('rsa.modulus', field, 'modulus must be odd');
  if (e < 3n || (e & 1n) === 0n || e >= n) throw new InputError('rsa.exponent', field, 'public exponent is invalid');
  return { n, e, bits };
}

export function parseRsaPkcs8(pkcs8: Uint8Array, field = 'privateKey'): RsaPrivateKey {
  if (!(pkcs8 instanceof Uint8Array)) throw new InputError('der.type', field, 'must be DER bytes (Uint8Array)');
  const outer = new Reader(pkcs8, field);
  const body = new Reader(outer.tlv(0x30, 'PrivateKeyInfo'), field);
  outer.expectDone('PrivateKeyInfo');
  if (body.uint('version') !== 0n) throw new InputError('der.version', field, 'PrivateKeyInfo version must be 0');
  body.algorithm();
  const inner = new Reader(body.tlv(0x04, 'privateKey'), field);
  body.expectDone('PrivateKeyInfo (attributes are not accepted)');
  const seq = new Reader(inner.tlv(0x30, 'RSAPrivateKey'), field);
  inner.expectDone('RSAPrivateKey');
  if (seq.uint('RSAPrivateKey version') !== 0n)
    throw new InputError('der.version', field, 'only two-prime RSA keys (version 0) are accepted');
  const n = seq.uint('modulus');
  const e = seq.uint('publicExponent');
  const d = seq.uint('privateExponent');
  for (const name of ['prime1', 'prime2', 'exponent1', 'exponent2', 'coefficient']) seq.uint(name);
  seq.expectDone('RSAPrivateKey');
  const pub = checkPublic(n, e, field);
  if (d <= 1n || d >= n) throw new InputError('rsa.private', field, 'private exponent is out of range');
  return { ...pub, d };
}
