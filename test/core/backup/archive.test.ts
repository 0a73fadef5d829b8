import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractBackup, openContentKey, verifyBackup, writeBackup, type BackupSource } from '../../../src/core/backup/archive';
import { seededRng } from '../../../src/core/crypto/random';
import { concat, toHex } from '../../../src/core/crypto/bytes';
import { ageIdentityString, ageRecipientOf } from '../../../src/core/roster/identity';
import { CustosError, VerifyError } from '../../../src/core/errors';
import { nativeProvider as provider } from '../../../src/node/native-provider';
import { makeRoster } from '../../helpers/roster';
import { memoryMedium } from '../../helpers/ports';

const { ids, verified } = makeRoster('archive');
const secret = seededRng('backup identity')(32);

function source(name: string, role: BackupSource['role'], bytes: Uint8Array, sha256 = toHex(provider.sha256(bytes))): BackupSource {
  return {
    name,
    role,
    size: bytes.length,
    sha256,
    *chunks(n) {
      for (let o = 0; o < bytes.length; o += n) yield bytes.subarray(o, o + n);
    },
  };
}

async function archive(files: [string, BackupSource['role'], Uint8Array][], segmentSize: number, seed = 'a', onProgress?: (done: number, total: number) => void) {
  const store = new Map<string, Uint8Array>();
  const m = memoryMedium(store);
  const w = m.create('b');
  await writeBackup(
    { provider, rng: seededRng(seed) },
    w,
    { ceremony: 'ab'.repeat(16), organization: 'Example', created: '2026-11-28T10:00:00.000Z', rehearsal: true, masterKeyId: 'cd'.repeat(16), masterKcv: 'cmac-aes:000000', recipient: ageRecipientOf(secret), shareSets: [], revoked: [] },
    files.map(([n, r, b]) => source(n, r, b)),
    [ids.get('alice')!, ids.get('bob')!],
    segmentSize,
    onProgress,
  );
  w.commit();
  return { m, bytes: store.get('b')! };
}

async function restore(m: ReturnType<typeof memoryMedium>) {
  const f = m.open('b');
  const layout = verifyBackup(provider, f, verified);
  const key = await openContentKey(provider, layout.header, ageIdentityString(secret));
  const out = new Map<string, Uint8Array[]>();
  for (const p of extractBackup(provider, f, layout, key)) out.set(p.file.name, [...(out.get(p.file.name) ?? []), p.bytes.slice()]);
  return new Map([...out].map(([k, v]) => [k, concat(...v)]));
}

describe('backup archive', () => {
  it('reports the bytes sealed as it goes, up to the whole', async () => {
    const reports: [number, number][] = [];
    const rng = seededRng('progress');
    await archive([['inventory-a.json', 'inventory', rng(100)], ['t.jsonl', 'transcript', rng(250)]], 64, 'p', (d, t) => void reports.push([d, t]));
    expect(reports.map(([d]) => d)).toEqual([64, 128, 192, 256, 320, 350]);
    expect(reports.every(([, t]) => t === 350)).toBe(true);
  });

  it('round-trips files across segment boundaries, for any sizes and segment size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 2, maxLength: 5 }), fc.integer({ min: 16, max: 128 }), async (sizes, seg) => {
        const rng = seededRng(`files ${sizes.join()}`);
        const files = sizes.map((n, i): [string, BackupSource['role'], Uint8Array] => [`f${i}.jsonl`, i === 0 ? 'inventory' : 'transcript', rng(n)]);
        const { m } = await archive(files, seg);
        const back = await restore(m);
        for (const [n, , b] of files) expect(back.get(n)).toEqual(b);
      }),
      { numRuns: 60 },
    );
  });
  it('a total that is an exact multiple of the segment size ends with a full last segment', async () => {
    const rng = seededRng('exact');
    const { m } = await archive([['i.json', 'inventory', rng(64)], ['r.json', 'roster', rng(64)]], 32);
    expect((await restore(m)).get('r.json')!.length).toBe(64);
  });
  it('refuses a source that is not the file the header names, before anything is published', async () => {
    const store = new Map<string, Uint8Array>();
    const w = memoryMedium(store).create('b');
    const wrong = source('i.json', 'inventory', new Uint8Array(40), 'ee'.repeat(32));
    await expect(
      writeBackup(
        { provider, rng: seededRng('x') },
        w,
        { ceremony: 'ab'.repeat(16), organization: 'E', created: '2026-11-28T10:00:00.000Z', rehearsal: true, masterKeyId: 'cd'.repeat(16), masterKcv: 'cmac-aes:000000', recipient: ageRecipientOf(secret), shareSets: [], revoked: [] },
        [wrong, source('r.json', 'roster', new Uint8Array(3))],
        [ids.get('alice')!, ids.get('bob')!],
      ),
    ).rejects.toThrowError(/^i\.json: is not the file the transcripts recorded/);
    expect(store.size).toBe(0);
  });
  it('a wrong backup identity cannot open it; random damage is always a typed VerifyError', async () => {
    const { m, bytes } = await archive([['i.json', 'inventory', new Uint8Array(100)], ['r.json', 'roster', new Uint8Array(10)]], 64);
    const layout = verifyBackup(provider, m.open('b'), verified);
    await expect(openContentKey(provider, layout.header, ageIdentityString(seededRng('other')(32)))).rejects.toThrow(VerifyError);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.boolean(), (i, x, cut) => {
        const store = new Map([['b', cut ? bytes.slice(0, i) : bytes.map((v, j) => (j === i ? v ^ x : v))]]);
        try {
          verifyBackup(provider, memoryMedium(store).open('b'), verified);
          return false;
        } catch (e) {
          return e instanceof CustosError && e.kind === 'verify';
        }
      }),
      { numRuns: 3000 },
    );
  });
});
