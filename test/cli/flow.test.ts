/** The ceremony through the command line: enroll, plan check, rehearse, verify the transcript. */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planTemplate } from '../../src/core/plan/templates';
import { openShareFile } from '../../src/core/shares/file';
import { combineShares } from '../../src/core/shares/combine';
import { verifyRoster } from '../../src/core/roster/roster';
import { nativeProvider as provider } from '../../src/node/native-provider';
import { answersYaml, custosProcess, enrollmentYaml, PEOPLE } from '../helpers/lifecycle';
import { scratchDir } from '../helpers/scratch';

const dir = scratchDir('custos-flow-'); // it holds a paper medium: never a temporary folder
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const custos = custosProcess;

describe('ceremony through the CLI', () => {
  it('enroll -> plan check -> rehearse 3-of-5 -> verify transcript; a changed byte fails verification', async () => {
    const ids = join(dir, 'ids');
    mkdirSync(ids);
    mkdirSync(join(dir, 'out'));
    mkdirSync(join(dir, 'vault'));
    mkdirSync(join(dir, 'paper'));
    writeFileSync(join(dir, 'enroll.yaml'), enrollmentYaml());
    expect(custos('enroll', join(dir, 'enroll.yaml'), '--out', ids, '--work-factor', '10')).toMatchObject({ code: 2, err: expect.stringMatching(/--work-factor: may only lower/) });
    const e = custos('enroll', join(dir, 'enroll.yaml'), '--out', ids, '--rehearsal', 'yes', '--work-factor', '10', '--json');
    expect(e.code, e.err).toBe(0);
    const words = JSON.parse(e.out).words as string;
    expect(readdirSync(ids).sort()).toEqual(['roster.json', ...PEOPLE.map(([id]) => `${id}.identity.age`)].sort());
    expect(custos('enroll', join(dir, 'enroll.yaml'), '--out', ids, '--rehearsal', 'yes', '--work-factor', '10')).toMatchObject({ code: 1, err: expect.stringMatching(/already exist in .*: Custos never overwrites/) });

    writeFileSync(
      join(dir, 'plan.yaml'),
      planTemplate('generate')
        .replace('"REPLACE WITH THE EIGHT ROSTER FINGERPRINT WORDS READ ALOUD AT ENROLLMENT"', `"${words}"`)
        .replace('file: roster.json', 'file: ids/roster.json')
        .replace('directory: /media/ceremony', 'directory: out')
        .replace('paper: /media/paper', 'paper: paper')
        .replace('vault: /var/lib/custos/vault', 'vault: vault')
        .replace('airgap: strict', 'airgap: warn'),
    );
    writeFileSync(join(dir, 'answers.yaml'), answersYaml('out'));
    expect(custos('plan', 'check', join(dir, 'plan.yaml')).code).toBe(0);
    const r = custos('rehearse', join(dir, 'plan.yaml'), '--answers', join(dir, 'answers.yaml'), '--work-factor', '10', '--json');
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out);
    expect(result).toMatchObject({ ok: true, rehearsal: true });

    const v = custos('verify', 'transcript', join(dir, 'vault', 'generate-2026.jsonl'), '--roster', join(ids, 'roster.json'), '--roster-words', words, '--json');
    expect(v.code, v.err).toBe(0);
    expect(JSON.parse(v.out)).toMatchObject({ ok: true, events: 16, attestedBy: ['wendy', 'oscar'], rehearsal: true, closingWords: result.headWords, kcv: result.kcv, rosterChain: [expect.stringMatching(/^[0-9a-f]{64}$/)] });

    // any 3 share files rebuild the key with the recorded KCV, signed by the operator
    const roster = verifyRoster(provider, readFileSync(join(ids, 'roster.json'), 'utf8'));
    const shares = await Promise.all(
      ['bob', 'dave', 'erin'].map(async (c) => ({ label: c, record: await openShareFile(provider, new Uint8Array(readFileSync(join(dir, 'out', `${c}.share.age`))), { passphrase: `${c} share passphrase` }) })),
    );
    const key = await combineShares(provider, shares, { signer: roster.publicKey('oscar')! });
    expect(key.kcv).toBe(result.kcv);

    // tamper: one byte of the transcript
    const t = readFileSync(join(dir, 'vault', 'generate-2026.jsonl'), 'utf8');
    const i = t.indexOf('"custodian":"carol"') + 14;
    writeFileSync(join(dir, 'tampered.jsonl'), t.slice(0, i) + 'X' + t.slice(i + 1));
    const bad = custos('verify', 'transcript', join(dir, 'tampered.jsonl'), '--roster', join(ids, 'roster.json'), '--roster-words', words);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/transcript\.line\[\d+\]\.sig: is not a valid signature by carol/);

    // a second run refuses: the ceremony is closed
    const again = custos('rehearse', join(dir, 'plan.yaml'), '--answers', join(dir, 'answers.yaml'), '--work-factor', '10');
    expect(again).toMatchObject({ code: 1, err: expect.stringMatching(/transcript: is already closed: this ceremony is complete/) });
    // lowering the work factor is for rehearsals only
    expect(custos('run', join(dir, 'plan.yaml'), '--answers', join(dir, 'answers.yaml'), '--work-factor', '10')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--work-factor: may only lower the scrypt work factor in a rehearsal/),
    });
  }, 180_000); // several CLI processes, each loading TypeScript
});
