/**
 * Power-on self-test of the native crypto library, as HSMs do: each primitive is run on a
 * published known answer before it is trusted. A primitive the running library lacks or gets
 * wrong (Electron's BoringSSL has no AES key wrap through node:crypto, for example) is served
 * by the pure-JS provider instead, and the result says why.
 */
import { scryptSync } from 'node:crypto';
import { equalBytes, fromHex } from '../core/crypto/bytes';
import type { RawProvider } from '../core/crypto/checked';
import type { PrimitiveName } from '../core/crypto/provider';

const h = (s: string) => fromHex(s);
const eq = equalBytes;

/** Which RawProvider methods each primitive covers. */
export const METHODS: Record<PrimitiveName, (keyof RawProvider)[]> = {
  sha256: ['sha256'],
  sha512: ['sha512'],
  hmacSha256: ['hmacSha256'],
  hkdfSha256: ['hkdfSha256'],
  aesGcm: ['aesGcmEncrypt', 'aesGcmDecrypt', 'aesGcmEncryptDetached'],
  aesKeyWrap: ['aesKeyWrap', 'aesKeyUnwrap'],
  aesKeyWrapPad: ['aesKeyWrapPad', 'aesKeyUnwrapPad'],
  aesCmac: ['aesCmac'],
  rsaOaepSha256: ['rsaOaepSha256Encrypt', 'rsaOaepSha256Decrypt'],
  rsaPssSha256: ['rsaPssSha256Verify'],
  ed25519: ['ed25519PublicKey', 'ed25519Sign', 'ed25519Verify'],
  scrypt: ['scrypt'],
};

type Check = (p: RawProvider) => boolean;

// RSA-OAEP-SHA-256 is randomised: the known answer is a decryption. A throwaway RSA-2048 key
// made for this self-test only (it protects nothing), and "custos self-test" encrypted to it
// by `openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256
// -pkeyopt rsa_mgf1_md:sha256`.
const SELF_TEST_RSA_PKCS8 = 'MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC3XrgCXSa5pwL90yGb1zm4FKWI8ZpNWSJjpW7Qqz0PX5/jzcLlaq6XQycDbPKmF5mjXmKG2MrZDcRpznZbjI5iKG+48MWLgY6g98q+KZdJ66Gwedwmr0LCeCjjF4SZnPG+jvdyZ2qPvv9JWAk5+kzrc5zwuQgJt+5BTo2Dm0slL4eZTkSmLUk+Y4iNw8xp4v7Liz7yBx5K/mZVdKDqpaXvkOnRRrDisAPgxvoP2JmnYbXF6F8hQ1ihd4x87uAha7GMBYl+QLugFafMyA/UTrWIKeCvwGvWcDmu88DsNEK31rzfxJwFTY7VluhKkfxv10zmPhZwS1EpSad518glhxtPAgMBAAECggEAAzmCsePyeORTfKQ4XJW52Z9fU9uv03lkTe1MWBYS0lDjrm1hZohsPpO7PWeukrYqiQFxaR6p3oxL7nJniW+c12QPpuhxCOWD3RfOdG6lzvJ6WvChqvp9CY90ZJ32wn7Mj4XTGytvZ8y7j44hR2g77w4O7frLBeS6p2Jawbw645H9QF3axD8G2Byg08fq4XfJYO4NteZXpW3+LYEBr+V4zWQb1o6teBnEK87i++Vhdq+60BAU1C8ntjv8bG4j0y1Kd0gPqYIKDNG6lTF15e6HR9r0ywOznWpjC36+pfW0vTO6COZb6Q05q+rxlDdB0y7eZtYcbJcDRQgEl19CltVTJQKBgQDuO+jUUKWizsHf7qZBgnqnnNEBUFTQ1pJSzEtmGTfXGVMGsTgjlXsUzCctWcLG+IGqgeml+pZ8VmrXXbQ8TUUtDabqDgH/T+bw3eVSFlRSZcFbhNRgoscSC65t7sSRsK6XITH8a9+Mqb3z0BMO8xLMakQpjYfll7+uAjzbzZ045QKBgQDFC2iE271ib03uRzXUV4s/ls76cu1guCPAINUAa6j12bRXJilsXXsQt1GL5hgvvSjKVwKib2zM4UYXitW8+Dhd8FBrVagCpcABsh/qoqxDSQFrvaMoYqPVJO2NeYajKl8SK1OxY6UoO+0O4EQOJzTEhTEQ01bxY7eYFucCiQXEIwKBgAGKka8N9oRfIhH40UqLNY/wC8oeYu4W9Utj1vkKILpbh5X7f4l7Zhh0WayJcCEpam1X+dMBFAgp5vcNvCTHuzLXa8UH4itssOnOBbXKPzFpRx74dQdLBk6vlKlRaiQnKHoB1Pj1GbUnQ/tX1Ue7etuntFkweTibCrpteUdSxTmhAoGBAJinpvjPGKDrJFAG4UA59op0NrQ3V4pH/oJ5rStfPQ4C9MFTsmHe5lnj/AxLXc+WV8SytjrL4lmz6U6R49c74sd8R4FwYfJzIRbvPeTU1GpoY+5pg77k9JJLwrKJRPKh//eek39peGl8S8Lroi3o1+usWH/1i3UF0RXGIICJUWtLAoGBAIYJC3vpkAagbC0AvZ7IhvMkHuXQ8H7qAQTFFmwkxMUC9+BoN7efWFsax7KeqU96xsl8csGk4bWh1A2/kz8lYldEAbhCUf+/5H6BDfyPlqNjly83dWeBrneAl1xsOHxFBBRxZYujd4waNdKoRjNOsJwzMM0QR6mcLbK22Bb8lzsi';
const SELF_TEST_RSA_CIPHERTEXT = 'UXiTY3dJOGNuBQiR6NypN4bAn+L9aQmOnxNDPxcBRGFHb+EPV9QNEAOGsfAQGAQJs18JHsqqBJRgug0kelt1ByKpFJ5qU7wKivfdgtP8NO6yyRbMPoJ4mQhEE/W6KUJBcrmIC7A50Ak2jHkNd66gbTPINcuKciaCCqtb8YC26envloi31XLIqd5yDHNDjGrJWGDZD1rgpYV7QqYcVdxf7H/04+STC74SqMluPv2RfKvKjr2PnzUhjIg9Z7EJf7hUTVS7oOP6X31CZfzScbUc1oNu+kO32SQzX3ggKhFaZt79js+MfjAzBrXujLgGfwGH2j5Rtgkantq2mBHOqpSJlw==';

// RSASSA-PSS-SHA-256 (salt 32) is randomised too: the known answer is a verification of
// "custos self-test" signed with the same throwaway key by `openssl dgst -sha256 -sign
// -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256`.
const SELF_TEST_RSA_SPKI = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAt164Al0muacC/dMhm9c5uBSliPGaTVkiY6Vu0Ks9D1+f483C5Wqul0MnA2zypheZo15ihtjK2Q3Eac52W4yOYihvuPDFi4GOoPfKvimXSeuhsHncJq9Cwngo4xeEmZzxvo73cmdqj77/SVgJOfpM63Oc8LkICbfuQU6Ng5tLJS+HmU5Epi1JPmOIjcPMaeL+y4s+8gceSv5mVXSg6qWl75Dp0Uaw4rAD4Mb6D9iZp2G1xehfIUNYoXeMfO7gIWuxjAWJfkC7oBWnzMgP1E61iCngr8Br1nA5rvPA7DRCt9a838ScBU2O1ZboSpH8b9dM5j4WcEtRKUmnedfIJYcbTwIDAQAB';
const SELF_TEST_RSA_PSS_SIGNATURE = 'sM/2OEU+/GTlLwtbu9enWOg40JsnycrDLThIewSCF57wtFSa6E+l/bXDFsKcSnwZRqoyNh0ZxA9W5cSFQE0FP3GV0G1jjHPlC41KDvqIOg6Ne2LwFcQsncPUAZlIHS0kcMdMInFeXJiOwRaKEfxi0JuUJa5f2kYHk2VsLyWjpfQBbrvoXYUEz7mbQW15dihxklDAdMktghV9JamgQo/9vZIp9CyvsioUh/y3IOsP6YQZdCGhV+IqS4nYESLVTPCf5nnAarQl9or0ehtioS2eNLMhqCkykT9KlWMICTYPrY+xRowYVAHUJbxT2ovVq4F8eDZ4tvs2EQKdO0YNR/GKnA==';

/** Known answers (sources in test/vectors). */
const CHECKS: Partial<Record<PrimitiveName, Check>> = {
  // FIPS 180-2 B.1 / C.1
  sha256: (p) => eq(p.sha256(h('616263')), h('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')),
  sha512: (p) =>
    eq(p.sha512(h('616263')), h('ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f')),
  // RFC 4231 test case 2
  hmacSha256: (p) =>
    eq(p.hmacSha256(h('4a656665'), h('7768617420646f2079612077616e7420666f72206e6f7468696e673f')), h('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')),
  // RFC 5869 A.1
  hkdfSha256: (p) =>
    eq(
      p.hkdfSha256(h('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b'), h('000102030405060708090a0b0c'), h('f0f1f2f3f4f5f6f7f8f9'), 42),
      h('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865'),
    ),
  // GCM specification, test case 14
  aesGcm: (p) => {
    const k = new Uint8Array(32);
    const n = new Uint8Array(12);
    const sealed = h('cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919');
    const d = p.aesGcmEncryptDetached(k, n, new Uint8Array(16));
    return eq(p.aesGcmEncrypt(k, n, new Uint8Array(16)), sealed) && eq(p.aesGcmDecrypt(k, n, sealed), new Uint8Array(16)) && eq(d.tag, sealed.subarray(16));
  },
  // RFC 3394 §4.1 and §4.6
  aesKeyWrap: (p) => {
    const k1 = h('000102030405060708090a0b0c0d0e0f');
    const w1 = h('1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5');
    const k6 = h('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    const d6 = h('00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f');
    const w6 = h('28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21');
    return eq(p.aesKeyWrap(k1, h('00112233445566778899aabbccddeeff')), w1) && eq(p.aesKeyWrap(k6, d6), w6) && eq(p.aesKeyUnwrap(k6, w6), d6);
  },
  // RFC 5649 §6
  aesKeyWrapPad: (p) => {
    const kek = h('5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8');
    const w = h('afbeb0f07dfbf5419200f2ccb50bb24f');
    return eq(p.aesKeyWrapPad(kek, h('466f7250617369')), w) && eq(p.aesKeyUnwrapPad(kek, w), h('466f7250617369'));
  },
  // RFC 4493 example 2
  aesCmac: (p) => eq(p.aesCmac(h('2b7e151628aed2a6abf7158809cf4f3c'), h('6bc1bee22e409f96e93d7e117393172a')), h('070a16b46b4d4144f79bdd9dd04a287c')),
  // RFC 8032 §7.1 TEST 2
  ed25519: (p) => {
    const seed = h('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
    const pub = h('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c');
    const sig = h('92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00');
    const bad = sig.slice();
    bad[0]! ^= 1;
    return eq(p.ed25519PublicKey(seed), pub) && eq(p.ed25519Sign(seed, h('72')), sig) && p.ed25519Verify(pub, h('72'), sig) && !p.ed25519Verify(pub, h('72'), bad);
  },
  rsaOaepSha256: (p) => {
    const pkcs8 = Uint8Array.from(Buffer.from(SELF_TEST_RSA_PKCS8, 'base64'));
    const ct = Uint8Array.from(Buffer.from(SELF_TEST_RSA_CIPHERTEXT, 'base64'));
    return Buffer.from(p.rsaOaepSha256Decrypt(pkcs8, ct)).toString() === 'custos self-test';
  },
  rsaPssSha256: (p) => {
    const spki = Uint8Array.from(Buffer.from(SELF_TEST_RSA_SPKI, 'base64'));
    const sig = Uint8Array.from(Buffer.from(SELF_TEST_RSA_PSS_SIGNATURE, 'base64'));
    const msg = Buffer.from('custos self-test');
    const bad = sig.slice();
    bad[100]! ^= 1;
    return p.rsaPssSha256Verify(spki, msg, sig) && !p.rsaPssSha256Verify(spki, msg, bad) && !p.rsaPssSha256Verify(spki, Buffer.from('custos self-tesT'), sig);
  },
  // RFC 7914 §12, first vector, through the same OpenSSL function the async path calls
  scrypt: () =>
    eq(
      new Uint8Array(scryptSync('', '', 64, { N: 16, r: 1, p: 1 })),
      h('77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906'),
    ),
};

export type SelfTestResult = Record<PrimitiveName, 'native' | `fallback: ${string}`>;

/**
 * Primitives never served by the pure-JS fallback: its RSA is variable-time BigInt
 * arithmetic without blinding, fit to cross-check but not to unwrap real keys.
 */
const NO_FALLBACK: PrimitiveName[] = ['rsaOaepSha256'];

export class SelfTestFailure extends Error {
  constructor(readonly failures: string[]) {
    super(`crypto self-test failed, refusing to run: ${failures.join('; ')}`);
    this.name = 'SelfTestFailure';
  }
}

/**
 * Run the self-test on `native` and return a provider where every primitive the library does
 * not offer (absent, or throwing) is served by `fallback`. A primitive that runs but gives a
 * wrong answer means the crypto library cannot be trusted at all: that is fatal, as is a
 * missing primitive that must not fall back.
 */
export function selfTested(native: RawProvider, fallback: RawProvider, unavailable: PrimitiveName[]): { raw: RawProvider; result: SelfTestResult } {
  const raw: RawProvider = { ...native };
  const result = {} as SelfTestResult;
  const failures: string[] = [];
  for (const name of Object.keys(METHODS) as PrimitiveName[]) {
    let verdict: SelfTestResult[PrimitiveName] = 'native';
    if (unavailable.includes(name)) verdict = 'fallback: not offered by this crypto library';
    else {
      const check = CHECKS[name];
      try {
        if (check && !check(native)) failures.push(`${name} gave a wrong known answer`);
      } catch (e) {
        verdict = `fallback: ${e instanceof Error ? e.message : 'error'}`;
      }
    }
    if (verdict !== 'native') {
      if (NO_FALLBACK.includes(name)) failures.push(`${name} is not available natively (${verdict.slice(10)})`);
      for (const m of METHODS[name]) (raw as Record<string, unknown>)[m] = fallback[m];
    }
    result[name] = verdict;
  }
  if (failures.length) throw new SelfTestFailure(failures);
  return { raw, result };
}
