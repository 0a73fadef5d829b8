import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shareToText } from '../../src/core/shares/text';
import { makeShares, provider } from '../helpers/shares';

const dir = mkdtempSync(join(tmpdir(), 'custos-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function custos(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The CLI in-process; stdout and stderr together. */
async function call(...args: string[]) {
  const { run } = await import('../../src/cli/main');
  let out = '';
  const code = await run(args, { out: (x) => void (out += x), err: (x) => void (out += x) });
  return { code, out };
}

describe('custos command', () => {
  it('the package bin works from a checkout: linked onto the PATH (as npm link does), `custos` runs from any folder', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: { custos: string } };
    const onPath = join(dir, 'path');
    mkdirSync(onPath);
    symlinkSync(resolve(pkg.bin.custos), join(onPath, 'custos'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'custos-elsewhere-'));
    try {
      const sh = (cmd: string) => spawnSync('/bin/sh', ['-c', cmd], { cwd: elsewhere, encoding: 'utf8', env: { ...process.env, PATH: `${onPath}:${process.env.PATH}` } });
      expect(sh('custos --version')).toMatchObject({ status: 0, stdout: '0.1.0\n' });
      expect(sh('custos plan template generate')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^kind: generate\n/) });
      expect(sh('custos verify transcript nothing.jsonl --roster r.json')).toMatchObject({ status: 2, stderr: expect.stringMatching(/--roster: is not pinned/) });
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
  it('--help and --version exit 0; no command is a usage error', () => {
    expect(custos('--help')).toMatchObject({ code: 0, out: expect.stringMatching(/Usage:\n {2}custos <command>/) });
    expect(custos('--version')).toMatchObject({ code: 0, out: '0.1.0\n' });
    expect(custos().code).toBe(2);
    expect(custos('frobnicate')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command "frobnicate"/) });
    expect(custos('share', '--help')).toMatchObject({ code: 0, out: expect.stringMatching(/custos share inspect FILE/) });
  });
  it('share inspect prints public fields only, and exit codes follow the error kind', async () => {
    const f = await makeShares(3, 5, 'cli');
    const text = shareToText(provider, f.records[1]!);
    writeFileSync(join(dir, 'share.txt'), text);
    const ok = custos('share', 'inspect', join(dir, 'share.txt'), '--json');
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.out);
    expect(j.share).toMatchObject({ index: 2, count: 5, threshold: 3, kcv: f.kcv });
    expect(ok.out).not.toContain(text.split('\n')[1]!.slice(4, 13)); // no share characters
    const lines = text.split('\n');
    lines[3] = lines[3]!.slice(0, -2) + (lines[3]!.endsWith('00') ? '11' : '00');
    writeFileSync(join(dir, 'typo.txt'), lines.join('\n'));
    expect(custos('share', 'inspect', join(dir, 'typo.txt'))).toMatchObject({ code: 1, err: expect.stringMatching(/share\.line\[03\]: the line check does not match/) });
    writeFileSync(join(dir, 'junk.txt'), 'hello');
    expect(custos('share', 'inspect', join(dir, 'junk.txt')).code).toBe(2);
    expect(custos('share', 'inspect', join(dir, 'missing.txt'))).toMatchObject({ code: 2, err: expect.stringMatching(/cannot read .*ENOENT/) });
  });
  it('--help on every level explains the command and exits 0', async () => {
    for (const [cmd, mention] of [
      ['enroll', /identity \(Ed25519 \+ age X25519\)/],
      ['run', /resumes it/],
      ['rehearse', /REHEARSAL/],
      ['verify', /custos verify backup FILE PIN[\s\S]*--roster ROSTER --roster-words/],
      ['inspect', /without verifying them/],
      ['plan', /custos plan check FILE/],
      ['share', /custos share inspect FILE/],
    ] as const) {
      const r = await call(cmd, '--help');
      expect(r.code, cmd).toBe(0);
      expect(r.out, cmd).toMatch(mention);
    }
    expect(await call('verify', 'nonsense', 'x', '--roster', 'r')).toMatchObject({ code: 2, out: expect.stringMatching(/verify: usage:/) });
  });
  it('inspect says what a file is without trusting it', async () => {
    const f = await makeShares(2, 3, 'inspect');
    writeFileSync(join(dir, 'paper.txt'), shareToText(provider, f.records[0]!));
    expect(await call('inspect', join(dir, 'paper.txt'))).toMatchObject({ code: 0, out: expect.stringMatching(/paper share/) });
    writeFileSync(join(dir, 'file.age'), 'age-encryption.org/v1\n-> scrypt x 10\n');
    expect(await call('inspect', join(dir, 'file.age'))).toMatchObject({ code: 0, out: expect.stringMatching(/age file/) });
    writeFileSync(join(dir, 'broken.jsonl'), '{"actor":"oscar", broken\n');
    expect(await call('inspect', join(dir, 'broken.jsonl'))).toMatchObject({ code: 2, out: expect.stringMatching(/first line is not JSON/) });
    writeFileSync(join(dir, 'other.bin'), 'hello');
    expect(await call('inspect', join(dir, 'other.bin'))).toMatchObject({ code: 2, out: expect.stringMatching(/is not a file Custos recognises/) });
  });
});
