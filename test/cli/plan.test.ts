import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planTemplate } from '../../src/core/plan/templates';
import { makeRoster } from '../helpers/roster';
import { custosTyping, typing } from '../helpers/lifecycle';
import { scratchDir } from '../helpers/scratch';

const dir = scratchDir('custos-plan-'); // it holds a paper medium: never a temporary folder
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function custos(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function setup(name: string, opts: { words?: string; rosterSeed?: string; expires?: Date; enrolled?: Date; edit?: (t: string) => string } = {}) {
  const d = join(dir, name);
  mkdirSync(join(d, 'out'), { recursive: true });
  mkdirSync(join(d, 'vault'), { recursive: true });
  mkdirSync(join(d, 'paper'), { recursive: true });
  const r = makeRoster(opts.rosterSeed ?? 'roster', opts.expires, opts.enrolled);
  writeFileSync(join(d, 'roster.json'), r.text);
  let plan = planTemplate('generate')
    .replace('"REPLACE WITH THE EIGHT ROSTER FINGERPRINT WORDS READ ALOUD AT ENROLLMENT"', `"${opts.words ?? r.verified.words.join(' ')}"`)
    .replace('directory: /media/ceremony', 'directory: out')
    .replace('paper: /media/paper', 'paper: paper')
    .replace('vault: /var/lib/custos/vault', 'vault: vault')
    .replace('airgap: strict', 'airgap: warn'); // this machine's interfaces are its own (airgap.test.ts checks strict)
  if (opts.edit) plan = opts.edit(plan);
  writeFileSync(join(d, 'plan.yaml'), plan);
  return { d, file: join(d, 'plan.yaml'), words: r.verified.words };
}

describe('custos plan', () => {
  it('template prints a plan of every kind; an unknown kind is a usage error', () => {
    expect(custos('plan', 'template', 'generate')).toMatchObject({ code: 0, out: expect.stringContaining('kind: generate') });
    expect(custos('plan', 'template', 'export-bundle')).toMatchObject({ code: 0, out: expect.stringContaining('approvers: [dave, erin]') });
    expect(custos('plan', 'template', 'nope')).toMatchObject({ code: 2, err: expect.stringMatching(/kind: must be one of: generate/) });
  });
  it('script prints every step with who acts, what they do and check, and a box to initial', () => {
    const { file } = setup('script');
    const r = custos('plan', 'script', file);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Script of the generate ceremony "KMS master key 2026" \(Example Bank KMS\), 16 steps$/m);
    expect(r.out).toMatch(/^ 1\. oscar \([^)]+\), operator: opens the ceremony/m);
    expect(r.out).toMatch(/bob \([^)]+\), custodian 2 of 5: receives share 2: chooses the passphrase of their share file, twice/);
    expect(r.out).toMatch(/^16\. oscar \([^)]+\), operator: attests the closing head last/m);
    expect(r.out.match(/\[ \] done {3}initials ______/g)).toHaveLength(16);
    const j = JSON.parse(custos('plan', 'script', file, '--json').out) as { steps: { id: string }[] };
    expect(j.steps.map((s) => s.id)).toEqual(['open', 'generate', 'split', 'inventory', ...['alice', 'bob', 'carol', 'dave', 'erin'].map((c) => `issue:${c}`), ...['alice', 'bob', 'carol', 'dave', 'erin'].map((c) => `verify:${c}`), 'attest:wendy', 'close']);
  });
  it('check passes a good plan and names its roster words and outputs', () => {
    const { file, words } = setup('good');
    const r = custos('plan', 'check', file, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, kind: 'generate', roster: words.join(' ') });
    expect(JSON.parse(r.out).outputs).toHaveLength(15);
  });
  it('check refuses with the field named: wrong roster words (1), expired enrollment (1), an existing output (1), a bad field (2)', () => {
    const wrong = setup('wrong-words', { words: 'abandon ability able about above absent absorb abstract' });
    expect(custos('plan', 'check', wrong.file)).toMatchObject({ code: 1, err: expect.stringMatching(/roster: its fingerprint words differ from the pinned ones/) });
    const expired = setup('expired', { enrolled: new Date('2025-01-01T00:00:00.000Z'), expires: new Date('2025-12-31T00:00:00.000Z') });
    expect(custos('plan', 'check', expired.file)).toMatchObject({ code: 1, err: expect.stringMatching(/operator: oscar's enrollment expired on 2025-12-31/) });
    const exists = setup('exists');
    writeFileSync(join(exists.d, 'out', 'bob.share.age'), 'old share, keep me');
    expect(custos('plan', 'check', exists.file)).toMatchObject({ code: 1, err: expect.stringMatching(/plan\.outputs: would overwrite bob\.share\.age/) });
    const bad = setup('bad', { edit: (t) => t.replace('threshold: 3', 'threshold: 9') });
    expect(custos('plan', 'check', bad.file)).toMatchObject({ code: 2, err: expect.stringMatching(/plan\.shares\.threshold: is 9 but only 5 custodians/) });
    expect(custos('plan', 'check', join(dir, 'missing.yaml'))).toMatchObject({ code: 2, err: expect.stringMatching(/cannot be read \(ENOENT\)/) });
  });
  it('paper shares go to a medium of their own: not the outputs directory, not inside the vault', () => {
    const beside = setup('beside', { edit: (t) => t.replace('paper: paper', 'paper: out') });
    expect(custos('plan', 'check', beside.file)).toMatchObject({ code: 1, err: expect.stringMatching(/plan\.outputs\.paper: .*out is or shares a folder with the outputs directory, which carries the encrypted share files/) });
    const inside = setup('inside', { edit: (t) => t.replace('paper: paper', 'paper: out/cards') });
    mkdirSync(join(inside.d, 'out', 'cards'));
    expect(custos('plan', 'check', inside.file)).toMatchObject({ code: 1, err: expect.stringMatching(/plan\.outputs\.paper: .* shares a folder with the outputs directory/) });
    const vault = setup('in-vault', { edit: (t) => t.replace('paper: paper', 'paper: vault') });
    expect(custos('plan', 'check', vault.file)).toMatchObject({ code: 1, err: expect.stringMatching(/plan\.outputs\.paper: .* shares a folder with the vault/) });
    const dots = setup('dot-dot', { edit: (t) => t.replace('paper: paper', 'paper: out/..cards') });
    mkdirSync(join(dots.d, 'out', '..cards'));
    expect(custos('plan', 'check', dots.file)).toMatchObject({ code: 1, err: expect.stringMatching(/plan\.outputs\.paper: .*\.\.cards is or shares a folder with the outputs directory/) });
    const written = setup('paper-exists');
    writeFileSync(join(written.d, 'paper', 'carol.share.txt'), 'an older card');
    expect(custos('plan', 'check', written.file)).toMatchObject({ code: 1, err: expect.stringMatching(/would overwrite carol\.share\.txt/) });
  });
  it('paper shares never go to a temporary folder of the system (os.tmpdir(), /tmp, /var/tmp, /dev/shm), even through a link: plan check and run refuse it before anyone is asked anything', async () => {
    const cards = mkdtempSync(join(tmpdir(), 'custos-cards-'));
    try {
      const temporary = /plan\.outputs\.paper: .* is in \S+, a temporary folder of this system: a paper share is the share in the clear, so it goes to a medium chosen for it/;
      const inTmp = setup('in-tmp', { edit: (t) => t.replace('paper: paper', `paper: ${cards}`) });
      expect(custos('plan', 'check', inTmp.file)).toMatchObject({ code: 1, err: expect.stringMatching(temporary) });
      for (const root of ['/tmp', '/var/tmp', '/dev/shm'].filter((r) => existsSync(r))) {
        const direct = setup(`root${root.replace(/\//g, '-')}`, { edit: (t) => t.replace('paper: paper', `paper: ${root}`) });
        expect(custos('plan', 'check', direct.file), root).toMatchObject({ code: 1, err: expect.stringMatching(temporary) });
      }
      const linked = setup('linked', { edit: (t) => t.replace('paper: paper', 'paper: cards') });
      symlinkSync(cards, join(linked.d, 'cards'));
      expect(custos('plan', 'check', linked.file)).toMatchObject({ code: 1, err: expect.stringMatching(temporary) });
      // The run refuses it before anyone is asked anything, and nothing is written there.
      const terminal = typing(inTmp.d);
      const run = await custosTyping(terminal, 'run', inTmp.file);
      expect([run.code, run.err, terminal.asked, readdirSync(cards)]).toEqual([1, expect.stringMatching(temporary), [], []]);
      expect(readdirSync(join(inTmp.d, 'vault'))).toEqual([]);
    } finally {
      rmSync(cards, { recursive: true, force: true });
    }
  });
  // A second drive: /dev/shm is its own file system on Linux.
  const shm = existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(dir).dev;
  it.runIf(shm)('two folders of the drive that carries the share files away are one medium; the workstation disk is another', () => {
    const usb = mkdtempSync('/dev/shm/custos-usb-');
    try {
      mkdirSync(join(usb, 'shares'));
      mkdirSync(join(usb, 'cards'));
      const same = setup('same-drive', { edit: (t) => t.replace('directory: out', `directory: ${usb}/shares`).replace('paper: paper', `paper: ${usb}/cards`) });
      expect(custos('plan', 'check', same.file)).toMatchObject({ code: 1, err: expect.stringMatching(/plan\.outputs\.paper: .*cards is on the same drive as the outputs directory .*shares.*, which carries the encrypted share files away/) });
      const apart = setup('apart', { edit: (t) => t.replace('directory: out', `directory: ${usb}/shares`) });
      expect(custos('plan', 'check', apart.file).code).toBe(0);
    } finally {
      rmSync(usb, { recursive: true, force: true });
    }
  });
});
