import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { appendLine, writeNewFile } from '../../src/node/durable';
import { newChain, signEvent, verifyTranscript } from '../../src/core/transcript/transcript';
import { seededRng } from '../../src/core/crypto/random';
import { nativeProvider as provider } from '../../src/node/native-provider';

const dir = mkdtempSync(join(tmpdir(), 'custos-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('durable outputs', () => {
  it('creates, syncs and hash-checks a new file', () => {
    const data = new TextEncoder().encode('hello');
    const h = writeNewFile(join(dir, 'a.bin'), data);
    expect(h).toBe(createHash('sha256').update(data).digest('hex'));
    expect(readFileSync(join(dir, 'a.bin'), 'utf8')).toBe('hello');
  });
  it('never overwrites: an existing file is refused and left as it was', () => {
    writeFileSync(join(dir, 'b.bin'), 'precious');
    expect(() => writeNewFile(join(dir, 'b.bin'), new Uint8Array(3))).toThrowError(/b\.bin: already exists: Custos never overwrites a file/);
    expect(readFileSync(join(dir, 'b.bin'), 'utf8')).toBe('precious');
    expect(() => writeNewFile(join(dir, 'no-such-dir', 'c.bin'), new Uint8Array(1))).toThrowError(/create failed \(ENOENT\)/);
  });
  it('appends transcript events one synced line at a time, and the file verifies', () => {
    const file = join(dir, 't.jsonl');
    const rng = seededRng('durable');
    const seed = rng(32);
    let state = newChain(rng);
    const clock = () => new Date('2026-11-28T10:00:00.000Z');
    for (let i = 0; i < 3; i++) {
      const r = signEvent({ provider, clock }, state, { actor: 'oscar', signerSeed: seed, type: 'step.done', data: { step: i } });
      appendLine(file, r.line, { create: i === 0 });
      state = r.state;
    }
    const pub = provider.ed25519PublicKey(seed);
    const report = verifyTranscript(provider, readFileSync(file, 'utf8'), { publicKey: (a) => (a === 'oscar' ? pub : undefined) });
    expect(report.head).toBe(state.head);
    expect(() => appendLine(file, 'x\n', { create: true })).toThrowError(/already exists/);
    expect(() => appendLine(file, 'two\nlines\n', { create: false })).toThrowError(/^line: must be exactly one line/);
  });
});
