/** The README and `--help` say the same things: every plan kind, in the same order, and every command. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PLAN_KINDS } from '../../src/core/plan/schema';
import { custos } from '../helpers/lifecycle';

const readme = readFileSync('README.md', 'utf8');

describe('README and --help', () => {
  it('list every plan kind the same way', async () => {
    const inReadme = /# kinds: (.*)$/m.exec(readme)?.[1]?.trim().split(/\s+/);
    expect(inReadme).toEqual([...PLAN_KINDS]);
    const help = (await custos('--help')).out;
    expect(/plan template KIND {3}Print a commented starting plan \(kinds: ([^)]*)\)/.exec(help)?.[1]?.split(' ')).toEqual([...PLAN_KINDS]);
    const planHelp = (await custos('plan', '--help')).out;
    expect(planHelp).toContain(`(kinds: ${PLAN_KINDS.join(' ')})`);
    for (const kind of PLAN_KINDS) expect((await custos('plan', 'template', kind)).code).toBe(0);
  });
  it('every command of --help appears in the README', async () => {
    const help = (await custos('--help')).out;
    const commands = [...help.matchAll(/^ {2}([a-z]+(?: [a-z-]+)?)\b/gm)].map((m) => m[1]!).filter((c) => !/^(custos|kinds)/.test(c));
    expect(commands.length).toBeGreaterThan(10);
    for (const c of new Set(commands.map((x) => x.replace(/ [A-Z].*$/, '')))) expect(readme, `README lacks "custos ${c}"`).toContain(`custos ${c.split(' ')[0]}`);
  });
});
