import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { appendLine, createNewFile, partialName, writeNewFile } from '../../src/node/durable';
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
  it('a streamed file is invisible under its name until committed; an aborted one leaves nothing', () => {
    const f = join(dir, 'stream.bin');
    const w = createNewFile(f);
    w.write(new Uint8Array([1, 2, 3]));
    expect(existsSync(f)).toBe(false);
    expect(existsSync(partialName(f))).toBe(true);
    expect(w.digest()).toBe(createHash('sha256').update(Buffer.from([1, 2, 3])).digest('hex'));
    w.write(new Uint8Array([4]));
    expect(w.commit()).toBe(createHash('sha256').update(Buffer.from([1, 2, 3, 4])).digest('hex'));
    expect(readFileSync(f)).toEqual(Buffer.from([1, 2, 3, 4]));
    expect(existsSync(partialName(f))).toBe(false);
    const a = createNewFile(join(dir, 'aborted.bin'));
    a.write(new Uint8Array(10));
    a.abort();
    expect(readdirSync(dir).filter((n) => n.includes('aborted'))).toEqual([]);
  });
  it('a stale partial from a killed run is replaced; a file published meanwhile is never overwritten', () => {
    const f = join(dir, 'race.bin');
    writeFileSync(partialName(f), 'left by a killed run');
    const w = createNewFile(f);
    w.write(new Uint8Array([9]));
    writeFileSync(f, 'someone else was faster');
    expect(() => w.commit()).toThrowError(/race\.bin: already exists: Custos never overwrites a file/);
    expect(readFileSync(f, 'utf8')).toBe('someone else was faster');
    expect(existsSync(partialName(f))).toBe(false);
  });
});
