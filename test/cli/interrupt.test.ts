/**
 * Ctrl-C at a question of a real `custos rehearse` on a pseudo-terminal (test/helpers/keyboard.py
 * plays the person): the ceremony is said to be interrupted, not lost, the terminal is restored,
 * the exit code is the one `custos --help` gives for an interruption, and running the plan again
 * resumes it. And the exit codes --help lists are the ones the code returns.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/main';
import { answersYaml, custos, workstation } from '../helpers/lifecycle';
import { scratchDir } from '../helpers/scratch';
import { tool } from '../helpers/tools';

const dir = scratchDir('custos-interrupt-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let plan = '';
beforeAll(async () => {
  const w = await workstation(dir);
  plan = w.plan('dice', 'generate', (t) => t.replace('dice: false', 'dice: true').replace('forms: [file, paper]', 'forms: [file]'));
}, 120_000);

/** `custos rehearse PLAN` on a pseudo-terminal, typed at per `steps`; then the terminal's settings. */
function rehearseTyping(steps: object[]): { exit: number; out: string; stty: string } {
  const r = spawnSync(
    'python3',
    ['test/helpers/keyboard.py', JSON.stringify(steps), 'sh', '-c', `"$0" --import tsx src/cli/main.ts rehearse "$1" --work-factor 10; echo "exit=$?"; stty -a`, process.execPath, plan],
    { encoding: 'utf8', timeout: 120_000 },
  );
  const out = (r.stdout + r.stderr).replace(/\r/g, '');
  const m = /\nexit=(\d+)\n([\s\S]*)$/.exec(out);
  expect(m, out).not.toBeNull();
  return { exit: Number(m![1]), out: out.slice(0, m!.index), stty: m![2]! };
}

const transcript = () => join(dir, 'vault', 'dice.jsonl');
const types = () => [...readFileSync(transcript(), 'utf8').matchAll(/"type":"([a-z.]+)"/g)].map((m) => m[1]);

describe.runIf(tool('python3') && tool('stty'))('Ctrl-C at a question of custos rehearse', () => {
  it('at a passphrase, then at an echoed answer: interrupted not lost, terminal restored, exit 130; the next run resumes', async () => {
    const said = /interrupted \(Ctrl-C\): the ceremony is interrupted, not lost; run the same plan again \(custos rehearse .*dice\.yaml\) to resume it/;
    // The operator's passphrase (no echo, signal keys off): nothing is written yet.
    const atPassphrase = rehearseTyping([
      { wait: 'oscar: path of your identity file (to open the ceremony): ' },
      { send: `${join(dir, 'ids', 'oscar.identity.age')}\r` },
      { wait: 'oscar: identity passphrase (to open the ceremony): ' },
      { send: '\x03' },
    ]);
    expect(atPassphrase.exit, atPassphrase.out).toBe(EXIT.interrupted);
    expect(atPassphrase.out).toMatch(/identity\.oscar: /);
    expect(atPassphrase.out).toMatch(said);
    for (const on of ['echo', 'icanon', 'isig']) expect(atPassphrase.stty).toMatch(new RegExp(`(^|[\\s;])${on}[\\s;]`));

    // A custodian's dice rolls, an echoed line, once the transcript is open.
    const atPath = rehearseTyping([
      { wait: 'oscar: path of your identity file (to open the ceremony): ' },
      { send: `${join(dir, 'ids', 'oscar.identity.age')}\r` },
      { wait: 'oscar: identity passphrase (to open the ceremony): ' },
      { send: 'oscar identity passphrase\r' },
      { wait: 'alice: your dice rolls (digits 1-6): ' },
      { send: '1234\x03' },
    ]);
    expect(atPath.exit, atPath.out).toBe(EXIT.interrupted);
    expect(atPath.out).toMatch(/dice\.alice: /);
    expect(atPath.out).toMatch(said);
    for (const on of ['echo', 'icanon', 'isig']) expect(atPath.stty).toMatch(new RegExp(`(^|[\\s;])${on}[\\s;]`));
    expect(types()).toEqual(['ceremony.open']); // interrupted, not aborted

    // Running the plan again resumes it (every answer from a file this time).
    const rolls = '3141526535'.repeat(6).replace(/[0789]/g, '6');
    writeFileSync(join(dir, 'dice.answers.yaml'), answersYaml('out-dice') + `dice:\n${['alice', 'bob', 'carol', 'dave', 'erin'].map((c) => `  ${c}: "${rolls}"\n`).join('')}`);
    const again = await custos('rehearse', plan, '--answers', join(dir, 'dice.answers.yaml'), '--work-factor', '10', '--json');
    expect(again.code, again.err + again.out).toBe(EXIT.ok);
    expect(types()).toContain('ceremony.resumed');
    expect(types().at(-1)).toBe('attest'); // closed
  }, 300_000);
});

describe('exit codes', () => {
  it('custos --help lists exactly the exit codes the code returns', async () => {
    const help = await custos('--help');
    const listed = /Exit codes: ([\s\S]*?)(?:\(|\n\n|$)/.exec(help.out)?.[1] ?? '';
    const codes = [...listed.matchAll(/(\d+) ([a-z][a-z ]*)/g)].map((m) => Number(m[1]));
    expect(codes.sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });
});
