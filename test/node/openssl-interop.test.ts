/** Cross-checks against OpenSSL's command-line tool, an implementation independent of ours. */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/core/crypto/noble';
import { nativeProvider } from '../../src/node/native-provider';
import { kcv } from '../../src/core/crypto/kcv';
import { rsaAesWrap } from '../../src/core/crypto/rsa-aes-wrap';
import { osRng } from '../../src/node/platform';
import { rsaTestKey, vectorsDir } from '../helpers/vectors';
import { tool } from '../helpers/tools';

const dir = mkdtempSync(join(tmpdir(), 'custos-openssl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const f = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const providers = [nobleProvider, nativeProvider];

describe.runIf(tool('openssl'))('OpenSSL interop', () => {
  it('RFC 5649 wrap equals `openssl enc -id-aes256-wrap-pad` for random keys of many lengths', () => {
    for (const len of [1, 7, 8, 16, 20, 32, 33, 64]) {
      const kek = randomBytes(32);
      const key = randomBytes(len);
      writeFileSync(f('key'), key);
      openssl('enc', '-id-aes256-wrap-pad', '-K', kek.toString('hex'), '-iv', 'A65959A6', '-in', f('key'), '-out', f('wrapped'));
      const theirs = new Uint8Array(readFileSync(f('wrapped')));
      for (const p of providers) {
        expect(p.aesKeyWrapPad(kek, key)).toEqual(theirs);
        expect(p.aesKeyUnwrapPad(kek, theirs)).toEqual(new Uint8Array(key));
      }
    }
  });

  it('RFC 3394 wrap equals `openssl enc -id-aes256-wrap`', () => {
    const kek = randomBytes(32);
    const key = randomBytes(32);
    writeFileSync(f('key'), key);
    openssl('enc', '-id-aes256-wrap', '-K', kek.toString('hex'), '-iv', 'A6A6A6A6A6A6A6A6', '-in', f('key'), '-out', f('wrapped'));
    for (const p of providers) expect(p.aesKeyWrap(kek, key)).toEqual(new Uint8Array(readFileSync(f('wrapped'))));
  });

  it('KCV equals `openssl mac CMAC` over a zero block', () => {
    writeFileSync(f('zero'), Buffer.alloc(16));
    for (const len of [16, 32]) {
      const key = randomBytes(len);
      const mac = openssl('mac', '-cipher', `AES-${len * 8}-CBC`, '-macopt', `hexkey:${key.toString('hex')}`, '-in', f('zero'), 'CMAC').toString().trim().toLowerCase();
      for (const p of providers) expect(kcv(p, key)).toBe(`cmac-aes:${mac.slice(0, 6)}`);
    }
  });

  it('RSA-OAEP-SHA-256: openssl encrypts, both providers decrypt; we encrypt, openssl decrypts', () => {
    const { pkcs8, spki } = rsaTestKey(3072);
    const pem = join(vectorsDir, 'rsa3072-test-only.pem');
    const oaep = ['-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256'];
    const msg = randomBytes(32);
    writeFileSync(f('msg'), msg);
    openssl('pkeyutl', '-encrypt', '-inkey', pem, '-in', f('msg'), '-out', f('ct'), ...oaep);
    for (const p of providers) expect(p.rsaOaepSha256Decrypt(pkcs8, new Uint8Array(readFileSync(f('ct'))))).toEqual(new Uint8Array(msg));
    for (const p of providers) {
      writeFileSync(f('ct2'), p.rsaOaepSha256Encrypt(spki, msg));
      expect(openssl('pkeyutl', '-decrypt', '-inkey', pem, '-in', f('ct2'), ...oaep)).toEqual(msg);
    }
  });

  it('RSA-AES key wrap opens with openssl: OAEP for the AES key, then id-aes256-wrap-pad', () => {
    const { spki } = rsaTestKey(4096);
    const pem = join(vectorsDir, 'rsa4096-test-only.pem');
    const target = randomBytes(32);
    const wrapped = rsaAesWrap(nativeProvider, osRng, spki, target);
    writeFileSync(f('c1'), wrapped.subarray(0, 512));
    writeFileSync(f('c2'), wrapped.subarray(512));
    const aesKey = openssl('pkeyutl', '-decrypt', '-inkey', pem, '-in', f('c1'), '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256');
    const out = openssl('enc', '-d', '-id-aes256-wrap-pad', '-K', aesKey.toString('hex'), '-iv', 'A65959A6', '-in', f('c2'));
    expect(out).toEqual(target);
  });

  it('Ed25519: openssl signs and we verify; we sign and openssl verifies', () => {
    openssl('genpkey', '-algorithm', 'ed25519', '-out', f('ed.pem'));
    openssl('pkey', '-in', f('ed.pem'), '-pubout', '-out', f('ed.pub'));
    const seed = new Uint8Array(createPrivateKey(readFileSync(f('ed.pem'))).export({ format: 'der', type: 'pkcs8' }).subarray(16));
    const msg = randomBytes(100);
    writeFileSync(f('msg'), msg);
    openssl('pkeyutl', '-sign', '-rawin', '-inkey', f('ed.pem'), '-in', f('msg'), '-out', f('sig'));
    const sig = new Uint8Array(readFileSync(f('sig')));
    for (const p of providers) {
      expect(p.ed25519Sign(seed, msg)).toEqual(sig); // Ed25519 is deterministic (RFC 8032 §5.1.6)
      expect(p.ed25519Verify(p.ed25519PublicKey(seed), msg, sig)).toBe(true);
      writeFileSync(f('sig2'), p.ed25519Sign(seed, msg));
      expect(openssl('pkeyutl', '-verify', '-rawin', '-pubin', '-inkey', f('ed.pub'), '-in', f('msg'), '-sigfile', f('sig2')).toString()).toMatch(/Signature Verified Successfully/);
    }
  });

  it('RSA-PSS-SHA-256 (salt 32): openssl signs, both providers verify; a changed byte or another salt length does not', () => {
    for (const bits of [3072, 4096] as const) {
      const { spki } = rsaTestKey(bits);
      const pem = join(vectorsDir, `rsa${bits}-test-only.pem`);
      const msg = randomBytes(77);
      writeFileSync(f('msg'), msg);
      const pss = (salt: number) => ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_pss_saltlen:${salt}`, '-sigopt', 'rsa_mgf1_md:sha256'];
      const sig = new Uint8Array(openssl('dgst', '-sha256', '-sign', pem, ...pss(32), f('msg')));
      const otherSalt = new Uint8Array(openssl('dgst', '-sha256', '-sign', pem, ...pss(20), f('msg')));
      for (const p of providers) {
        expect(p.rsaPssSha256Verify(spki, msg, sig), p.name).toBe(true);
        expect(p.rsaPssSha256Verify(spki, msg, otherSalt), p.name).toBe(false);
        const bad = sig.slice();
        bad[bad.length - 40]! ^= 1;
        expect(p.rsaPssSha256Verify(spki, msg, bad), p.name).toBe(false);
        expect(p.rsaPssSha256Verify(spki, msg, sig.subarray(1)), p.name).toBe(false);
        msg[0]! ^= 1;
        expect(p.rsaPssSha256Verify(spki, msg, sig), p.name).toBe(false);
        msg[0]! ^= 1;
      }
    }
  });
});
