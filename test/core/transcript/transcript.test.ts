import { describe, expect, it } from 'vitest';
import { ATTEST, GENESIS, newChain, signEvent, verifyTranscript, type ChainState } from '../../../src/core/transcript/transcript';
import { seededRng } from '../../../src/core/crypto/random';
import { CustosError, InputError, VerifyError } from '../../../src/core/errors';
import { nativeProvider as provider } from '../../../src/node/native-provider';

const rng = seededRng('transcript');
const people = { alice: rng(32), bob: rng(32), wendy: rng(32), oscar: rng(32) };
type Who = keyof typeof people;
const roster = new Map(Object.entries(people).map(([k, seed]) => [k, provider.ed25519PublicKey(seed)]));
const publicKey = (a: string) => roster.get(a);

let now = Date.parse('2026-11-28T10:00:00.000Z');
const clock = () => new Date((now += 1000));

function build(events: [Who, string, Record<string, unknown>][], state: ChainState = newChain(seededRng('ceremony'))) {
  let text = '';
  for (const [actor, type, data] of events) {
    const r = signEvent({ provider, clock }, state, { actor, signerSeed: people[actor], type, data: data as never });
    text += r.line;
    state = r.state;
  }
  return { text, state };
}

function sample() {
  const opened = build([
    ['oscar', 'ceremony.open', { plan: 'generate', network: { interfaces: ['lo'] }, app: '0.1.0' }],
    ['oscar', 'key.generated', { keyId: 'ab'.repeat(16), kcv: 'cmac-aes:0a00e3' }],
    ['alice', 'share.received', { setId: 'cd'.repeat(16), index: 1 }],
  ]);
  const head = opened.state.head;
  const closed = build(
    [
      ['wendy', ATTEST, { head }],
      ['oscar', ATTEST, { head }],
    ],
    opened.state,
  );
  return { text: opened.text + closed.text, head };
}

describe('transcript', () => {
  it('verifies a signed, chained, attested transcript and reports the closing head as words', () => {
    const { text, head } = sample();
    const r = verifyTranscript(provider, text, { publicKey });
    expect(r.events.map((e) => e.type)).toEqual(['ceremony.open', 'key.generated', 'share.received', 'attest', 'attest']);
    expect(r.events[0]!.prev).toBe(GENESIS);
    expect(r.closing).toMatchObject({ head, attestations: [{ actor: 'wendy', line: 4 }, { actor: 'oscar', line: 5 }] });
    expect(r.closing!.words).toHaveLength(8);
    expect(r.headWords).toHaveLength(8);
    expect(r.state.seq).toBe(5);
  });

  it('detects every single-byte change', () => {
    const { text } = sample();
    const bytes = new TextEncoder().encode(text);
    let detected = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes.slice();
      b[i] = b[i] === 0x41 ? 0x42 : 0x41;
      let t: string;
      try {
        t = new TextDecoder('utf-8', { fatal: true }).decode(b);
      } catch {
        detected++; // not even text
        continue;
      }
      try {
        verifyTranscript(provider, t, { publicKey });
      } catch (e) {
        expect(e).toBeInstanceOf(CustosError);
        detected++;
      }
    }
    expect(detected).toBe(bytes.length);
  });

  it('names a removed, reordered or truncated line', () => {
    const { text } = sample();
    const lines = text.split('\n').slice(0, -1);
    const without2 = [lines[0], ...lines.slice(2)].join('\n') + '\n';
    expect(() => verifyTranscript(provider, without2, { publicKey })).toThrowError(/^transcript\.line\[2\]\.seq: is 2, expected 1/);
    const swapped = [lines[0], lines[2], lines[1], ...lines.slice(3)].join('\n') + '\n';
    expect(() => verifyTranscript(provider, swapped, { publicKey })).toThrow(VerifyError);
    expect(() => verifyTranscript(provider, text.slice(0, -10), { publicKey })).toThrowError(/^transcript\.line\[5\]: ends without a newline/);
  });

  it('refuses an unknown signer, another ceremony, and events after the close', () => {
    const { text } = sample();
    expect(() => verifyTranscript(provider, text, { publicKey: (a) => (a === 'wendy' ? undefined : publicKey(a)) })).toThrowError(/^transcript\.line\[4\]\.actor: "wendy" is not in the trusted roster/);
    expect(() => verifyTranscript(provider, text, { publicKey, ceremony: 'ff'.repeat(16) })).toThrowError(/^transcript\.line\[1\]\.ceremony:/);
    const r = verifyTranscript(provider, text, { publicKey });
    const after = build([['alice', 'share.received', { index: 2 }]], r.state).text;
    expect(() => verifyTranscript(provider, text + after, { publicKey })).toThrowError(/^transcript\.line\[6\]: an event after the closing attestations/);
  });

  it('refuses an attestation of another head and a second attestation by the same person', () => {
    const opened = build([['oscar', 'ceremony.open', {}]]);
    const wrong = build([['wendy', ATTEST, { head: 'ee'.repeat(32) }]], opened.state).text;
    expect(() => verifyTranscript(provider, opened.text + wrong, { publicKey })).toThrowError(/^transcript\.line\[2\]\.data\.head: does not name the closing head/);
    const twice = build([['wendy', ATTEST, { head: opened.state.head }], ['wendy', ATTEST, { head: opened.state.head }]], opened.state).text;
    expect(() => verifyTranscript(provider, opened.text + twice, { publicKey })).toThrowError(/wendy already attested/);
  });

  it('never records a secret: forbidden names, bytes and blobs are refused before signing', () => {
    const state = newChain(seededRng('s'));
    const ctx = { provider, clock: () => new Date('2026-11-28T10:00:00.000Z') };
    const tryData = (data: unknown) => () => signEvent(ctx, state, { actor: 'alice', signerSeed: people.alice, type: 'x.y', data: data as never });
    expect(tryData({ passphrase: 'x' })).toThrowError(/^data\.passphrase: names a secret/);
    expect(tryData({ custodian: { passphraseLength: 12 } })).toThrowError(/^data\.custodian\.passphraseLength: names a secret/);
    expect(tryData({ share: 'AAAA' })).toThrow(InputError);
    expect(tryData({ masterKey: 'ab' })).toThrow(InputError);
    expect(tryData({ blob: 'x'.repeat(5000) })).toThrowError(/^data\.blob: is longer than 4096/);
    expect(tryData({ raw: new Uint8Array(3) })).toThrowError(/^data\.raw: must be plain JSON/);
    expect(tryData({ shareIndex: 3, setId: 'ab' })).not.toThrow();
  });

  it('never stamps an event earlier than the one before, even if the clock steps back', () => {
    let state = newChain(seededRng('clock'));
    let text = '';
    for (const iso of ['2026-11-28T10:00:05.000Z', '2026-11-28T10:00:01.000Z']) {
      const r = signEvent({ provider, clock: () => new Date(iso) }, state, { actor: 'alice', signerSeed: people.alice, type: 'x.y', data: {} });
      text += r.line;
      state = r.state;
    }
    const events = verifyTranscript(provider, text, { publicKey }).events;
    expect(events.map((e) => e.time)).toEqual(['2026-11-28T10:00:05.000Z', '2026-11-28T10:00:05.000Z']);
  });
  it('refuses malformed events with the field named', () => {
    const { text } = sample();
    const first = JSON.parse(text.split('\n')[0]!);
    const line = (o: unknown) => JSON.stringify(Object.fromEntries(Object.entries(o as object).sort(([a], [b]) => (a < b ? -1 : 1)))) + '\n';
    expect(() => verifyTranscript(provider, line({ ...first, extra: 1 }), { publicKey })).toThrowError(/^transcript\.line\[1\]\.extra: is not a field/);
    const { sig: _sig, ...noSig } = first;
    expect(() => verifyTranscript(provider, line(noSig), { publicKey })).toThrowError(/^transcript\.line\[1\]\.sig: is missing/);
    expect(() => verifyTranscript(provider, line({ ...first, v: 2 }), { publicKey })).toThrowError(/^transcript\.line\[1\]\.v: version 2 is not supported/);
    expect(() => verifyTranscript(provider, line({ ...first, time: '2026-11-28 10:00' }), { publicKey })).toThrowError(/^transcript\.line\[1\]\.time:/);
    expect(() => verifyTranscript(provider, '', { publicKey })).toThrowError(/^transcript: is empty/);
  });
});
