/**
 * docs/walkthrough.md is pasted as a newcomer would: every ```sh block, in order, in one bash
 * with `set -euo pipefail`, in an empty folder, with this checkout's `custos` on the PATH.
 * A step that fails fails the test; the restored vault's KCVs must equal the originals.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../helpers/scratch';

const dir = scratchDir('custos-walkthrough-'); // it holds a paper medium: never a temporary folder
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('docs/walkthrough.md', () => {
  it('runs as pasted, start to end', () => {
    const doc = readFileSync('docs/walkthrough.md', 'utf8');
    const blocks = [...doc.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(7);
    writeFileSync(join(dir, 'walkthrough.sh'), 'set -euo pipefail\n' + blocks.join('\n'));
    // `custos` on the PATH, as `npm link` puts it there.
    mkdirSync(join(dir, '.bin'));
    symlinkSync(resolve('bin/custos.mjs'), join(dir, '.bin', 'custos'));
    const r = spawnSync('bash', ['walkthrough.sh'], { cwd: dir, encoding: 'utf8', timeout: 600_000, env: { ...process.env, PATH: `${join(dir, '.bin')}:${process.env.PATH}` } });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    // The master key made in step 3 is the one rebuilt in step 7, and the key added in step 4 came back with its KCV checked.
    const made = /Key (cmac-aes:[0-9a-f]{6}) split 3 of 5/.exec(r.stdout)?.[1];
    expect(made).toBeDefined();
    expect(r.stdout).toContain(`Restored master key ${made}: 1 keys, 1 KCVs checked.`);
    expect(r.stdout).toMatch(/REHEARSAL restore ceremony [0-9a-f]{32} closed/);
    expect(r.stdout).toMatch(/transcript verified: \d+ events, restore "Drill restore" \(REHEARSAL\)/);
    expect(r.stdout).toMatch(/vault restored: 4 closed ceremonies, 0 findings, 0 blocking/);
    // The paper: the script before, a card per custodian, the witnesses' report and the auditor's after.
    expect(r.stdout).toMatch(/^script written to generate-script\.pdf\nSHA-256 [0-9a-f]{64}$/m);
    expect(r.stdout).toMatch(/^alice\.share\.pdf\nalice\.share\.txt\nbob\.share\.pdf/m);
    expect(r.stdout).toMatch(/^transcript written to restore-report\.pdf/m);
    expect(r.stdout).toMatch(/^audit report \(every check passed\) written to backup-audit\.pdf/m);
  }, 600_000);
});
