/** Passphrases are read from the terminal without echo; plain answers are echoed. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tool } from '../helpers/tools';

let n = 0;
function onTerminal(mode: 'secret' | 'plain', typed: string): string {
  // script(1) gives the probe a pseudo-terminal. Typing starts once the probe says it is about
  // to ask, plus a moment for it to switch echo off; afterwards `stty -a` shows the settings
  // were restored.
  const ready = join(dir, `ready-${n++}`);
  const r = spawnSync(
    'sh',
    ['-c', `(while [ ! -e "$PROBE_READY" ]; do sleep 0.1; done; sleep 1; printf '%s\\r' "$TYPED"; sleep 0.5) | script -qec "node --import tsx test/helpers/ask-probe.ts ${mode}; stty -a" /dev/null`],
    { env: { ...process.env, TYPED: typed, PROBE_READY: ready }, encoding: 'utf8', timeout: 60_000 },
  );
  return r.stdout.replace(/\r/g, '');
}

const dir = mkdtempSync(join(tmpdir(), 'custos-prompt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe.runIf(tool('script'))('terminal prompts', () => {
  it('a passphrase is read without echo, and read whole', () => {
    const out = onTerminal('secret', 'hunter2 horse battery');
    expect(out).toContain('Answer: ');
    expect(out).toContain(`sha256=${sha('hunter2 horse battery')}`);
    expect(out).not.toContain('hunter2');
    expect(out).toMatch(/(^|[\s;])echo[\s;]/); // echo is on again
    expect(out).toMatch(/(^|[\s;])icanon[\s;]/);
  }, 90_000);
  it('a plain answer (a file path) is echoed', () => {
    const out = onTerminal('plain', 'ids/alice.identity.age');
    expect(out).toContain('ids/alice.identity.age');
    expect(out).toContain(`sha256=${sha('ids/alice.identity.age')}`);
  }, 90_000);
  it('without a terminal, the missing answer is named', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/ask-probe.ts', 'secret'], { encoding: 'utf8', input: 'x\n' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/probe: is needed and there is no terminal to ask/);
  }, 90_000);
});

/** The probe on a pseudo-terminal, with a person typing per `steps` (test/helpers/keyboard.py). */
function person(mode: 'secret' | 'plain', steps: object[], env: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync('python3', ['test/helpers/keyboard.py', JSON.stringify(steps), process.execPath, '--import', 'tsx', 'test/helpers/ask-probe.ts', mode], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: r.status, out: (r.stdout + r.stderr).replace(/\r/g, '') };
}

describe.runIf(tool('python3'))('typing at once and typing ahead', () => {
  it('a passphrase typed the instant its question appears is never echoed', () => {
    for (let i = 0; i < 3; i++) {
      const r = person('secret', [{ wait: 'Answer: ' }, { send: 'quick fingers secret\r' }]);
      expect(r.status).toBe(0);
      expect(r.out).toContain(`sha256=${sha('quick fingers secret')}`);
      expect(r.out).not.toContain('quick fingers');
    }
  }, 120_000);
  it('what was typed before the question is discarded, not taken as the answer', () => {
    for (const mode of ['secret', 'plain'] as const) {
      const r = person(mode, [{ wait: 'probe: busy' }, { send: 'typed too early\r' }, { wait: 'Answer: ' }, { send: 'meant answer\r' }], { PROBE_BUSY_MS: '1500' });
      expect(r.status).toBe(0);
      expect(r.out).toContain(`sha256=${sha('meant answer')}`);
      expect(r.out).not.toContain(`sha256=${sha('typed too early')}`);
      if (mode === 'secret') expect(r.out).not.toContain('meant answer');
    }
  }, 120_000);
});

describe.runIf(tool('python3'))('a paper share pasted in one go', () => {
  it('custos share type takes all its lines, none lost to the typed-ahead flush, none echoed', async () => {
    const { makeShares, provider } = await import('../helpers/shares');
    const { shareToText } = await import('../../src/core/shares/text');
    const f = await makeShares(2, 3, 'pasted');
    const lines = shareToText(provider, f.records[1]!).trimEnd().split('\n').slice(1);
    const steps = [{ wait: 'line 01 of 14: ' }, { send: lines.join('\r') + '\r' }];
    const r = spawnSync('python3', ['test/helpers/keyboard.py', JSON.stringify(steps), process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'share', 'type', '--json'], { encoding: 'utf8', timeout: 90_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('"index":2');
    expect(r.stdout).not.toContain(lines[4]!.slice(4, 18)); // the pasted characters never appear
  }, 120_000);
});
