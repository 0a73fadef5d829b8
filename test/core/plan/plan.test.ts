import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkPlan, paperOutputs, parsePlan, planIssues, planOutputs } from '../../../src/core/plan/schema';
import { planTemplate } from '../../../src/core/plan/templates';
import { parseYamlStrict } from '../../../src/core/plan/yaml';
import { CustosError, InputError } from '../../../src/core/errors';

const WORDS = 'abandon ability able about above absent absorb abstract';
const filled = () => planTemplate('generate').replace('"REPLACE WITH THE EIGHT ROSTER FINGERPRINT WORDS READ ALOUD AT ENROLLMENT"', `"${WORDS}"`);

describe('plans', () => {
  it('the template, once its fingerprint is filled in, is a valid plan with its defaults applied', () => {
    const p = parsePlan(filled());
    expect(p).toMatchObject({ kind: 'generate', shares: { threshold: 3, forms: ['file', 'paper'], protection: 'passphrase' }, transcript: 'generate-2026.jsonl', outputs: { directory: '/media/ceremony' } });
    expect(planOutputs(p)).toEqual(['alice.share.age', 'bob.share.age', 'carol.share.age', 'dave.share.age', 'erin.share.age']);
    expect(paperOutputs(p)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin'].flatMap((c) => [`${c}.share.pdf`, `${c}.share.txt`]));
    expect(p).toMatchObject({ outputs: { paper: '/media/paper' } });
  });
  it('the raw template says what to fill in', () => {
    expect(() => parsePlan(planTemplate('generate'))).toThrowError(/^plan\.roster\.fingerprint: must be the 8 fingerprint words/);
  });
  it.each([
    ['threshold above the custodian count', (t: string) => t.replace('threshold: 3', 'threshold: 6'), /^plan\.shares\.threshold: is 6 but only 5 custodians are listed/],
    ['a wrong type', (t: string) => t.replace('threshold: 3', 'threshold: three'), /^plan\.shares\.threshold: must be a whole number/],
    ['an unknown key', (t: string) => t.replace('  dice: false', '  dice: false\n  colour: blue'), /^plan\.key\.colour: is not a field of this plan/],
    ['a missing key', (t: string) => t.replace(/^operator: oscar.*$/m, ''), /^plan\.operator: is missing/],
    ['a custodian twice', (t: string) => t.replace('[alice, bob, carol, dave, erin]', '[alice, bob, alice, dave, erin]'), /^plan\.shares\.custodians\[2\]: alice is listed twice/],
    ['a custodian as witness', (t: string) => t.replace('witnesses: [wendy]', 'witnesses: [bob]'), /^plan\.witnesses\[0\]: bob is a custodian and cannot also witness/],
    ['the operator as witness', (t: string) => t.replace('witnesses: [wendy]', 'witnesses: [oscar]'), /^plan\.witnesses\[0\]: oscar is the operator/],
    ['a path as transcript name', (t: string) => t.replace('transcript: generate-2026.jsonl', 'transcript: ../etc/passwd'), /^plan\.transcript: must be a plain lowercase file name/],
    ['a transcript named like a share', (t: string) => t.replace('transcript: generate-2026.jsonl', 'transcript: bob.share.txt'), /^plan\.transcript: must end in \.jsonl/],
    ['an unknown kind', (t: string) => t.replace('kind: generate', 'kind: destroy-everything'), /^plan\.kind: must be one of: generate/],
    ['a duplicate key', (t: string) => t.replace('airgap: strict', 'airgap: strict\nairgap: warn'), /^plan: YAML error at line \d+, column \d+: Map keys must be unique/],
    ['an anchor and alias', (t: string) => t.replace('witnesses: [wendy]', 'witnesses: &w [wendy]\nextra: *w'), /^plan: anchors and aliases are not allowed/],
    ['a custom tag', (t: string) => t.replace('airgap: strict', 'airgap: !shell strict'), /^plan: (YAML error|the tag)/],
    ['paper shares with no medium of their own', (t: string) => t.replace(/^ {2}paper: .*$/m, ''), /^plan\.outputs\.paper: must name the folder for the paper shares, on a medium of their own/],
    ['a paper medium with no paper form', (t: string) => t.replace('forms: [file, paper]', 'forms: [file]'), /^plan\.outputs\.paper: names a medium for paper shares but shares\.forms has no paper/],
    ['a wrong airgap value', (t: string) => t.replace('airgap: strict', 'airgap: maybe'), /^plan\.airgap: must be "strict"/],
  ])('refuses %s, naming the dotted path', (_name, edit, re) => {
    expect(() => parsePlan(edit(filled()))).toThrowError(re);
  });
  it('random and mutated text never escapes as an untyped error', () => {
    const base = filled();
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (t) => {
        try {
          parsePlan(t);
        } catch (e) {
          expect(e).toBeInstanceOf(CustosError);
        }
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.nat(), fc.string({ minLength: 1, maxLength: 3 }), (pos, ins) => {
        const p = pos % base.length;
        try {
          parsePlan(base.slice(0, p) + ins + base.slice(p + 1));
        } catch (e) {
          expect(e).toBeInstanceOf(CustosError);
        }
      }),
      { numRuns: 2000 },
    );
  });
  it('YAML edge cases', () => {
    expect(() => parseYamlStrict('')).toThrow(InputError);
    expect(parseYamlStrict('a: 1')).toEqual({ a: 1 });
    expect(() => planTemplate('nope')).toThrowError(/^kind: must be one of/);
  });
});

describe('plans of every kind', () => {
  const fill = (kind: string) =>
    planTemplate(kind)
      .replace('"REPLACE WITH THE EIGHT ROSTER FINGERPRINT WORDS READ ALOUD AT ENROLLMENT"', `"${WORDS}"`)
      .replace('"REPLACE WITH THE 64-HEX SHA-256 FINGERPRINT CONFIRMED BY PHONE"', `"${'ab'.repeat(32)}"`)
      .replace(`"REPLACE WITH THE AGENT'S age1... RECIPIENT"`, '"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"');
  it.each(['generate', 'add-key', 'change-state', 'export-bundle', 'escrow', 'backup', 'restore', 'reshare', 'rotate', 'confirm-import'])('the %s template is a valid plan once filled in', (kind) => {
    expect(parsePlan(fill(kind)).kind).toBe(kind);
  });
  it.each([
    ['export-bundle', 'one approver twice', (t: string) => t.replace('approvers: [dave, erin]', 'approvers: [dave, dave]'), /^plan\.approvers\[1\]: dave cannot approve twice/],
    ['export-bundle', 'the operator approving', (t: string) => t.replace('approvers: [dave, erin]', 'approvers: [dave, oscar]'), /^plan\.approvers\[1\]: oscar requests this export as operator/],
    ['export-bundle', 'a single approver', (t: string) => t.replace('approvers: [dave, erin]', 'approvers: [dave]'), /^plan\.approvers: must name exactly two approvers/],
    ['export-bundle', 'an unpinned recipient', (t: string) => t.replace(`fingerprint: "${'ab'.repeat(32)}"`, 'fingerprint: "abc"'), /^plan\.recipient\.fingerprint: must be 64 lowercase hex/],
    ['add-key', 'a quorum member twice', (t: string) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob, alice]'), /^plan\.quorum\[2\]: alice is listed twice/],
    ['add-key', 'a quorum member as witness', (t: string) => t.replace('witnesses: [wendy]', 'witnesses: [bob]'), /^plan\.witnesses\[0\]: bob is a custodian/],
    ['add-key', 'an unknown usage', (t: string) => t.replace('usage: [wrap-key, unwrap-key]', 'usage: [sign]'), /^plan\.keys\[0\]\.usage\[0\]: must be one of/],
    ['change-state', 'an unknown state', (t: string) => t.replace('to: deactivated', 'to: retired'), /^plan\.changes\[0\]\.to: must be one of/],
  ])('%s: refuses %s', (kind, _name, edit, re) => {
    expect(() => parsePlan(edit(fill(kind)))).toThrowError(re);
  });
});

describe('planIssues: every problem at once, for a form that checks as you type', () => {
  const base = () => parseYamlStrict(planTemplate('generate').replace('"REPLACE WITH THE EIGHT ROSTER FINGERPRINT WORDS READ ALOUD AT ENROLLMENT"', '"' + 'abandon '.repeat(7) + 'about"'), 'plan') as Record<string, unknown>;
  it('is empty for a plan that checks, and names each field that does not', () => {
    expect(planIssues(base())).toEqual([]);
    const p = base();
    (p.shares as Record<string, unknown>).threshold = 1;
    (p.ceremony as Record<string, unknown>).name = '';
    p.witnesses = ['oscar'];
    const issues = planIssues(p);
    expect(issues.map((i) => i.field).sort()).toEqual(['plan.ceremony.name', 'plan.shares.threshold', 'plan.witnesses[0]']);
    expect(issues.find((i) => i.field === 'plan.shares.threshold')!.message).toMatch(/at least 2/);
    // Once the fields check, the cross-field rule is all that is left, as checkPlan reports it.
    (p.shares as Record<string, unknown>).threshold = 2;
    (p.ceremony as Record<string, unknown>).name = 'x';
    expect(planIssues(p)).toEqual([{ field: 'plan.witnesses[0]', message: 'oscar is the operator and cannot also witness' }]);
    expect(() => checkPlan(p)).toThrowError('plan.witnesses[0]: oscar is the operator and cannot also witness');
  });
  it('a value that is no plan at all is one issue naming the plan or its kind', () => {
    expect(planIssues([])).toEqual([{ field: 'plan', message: 'must be a YAML mapping' }]);
    expect(planIssues({ kind: 'party' })).toEqual([{ field: 'plan.kind', message: expect.stringMatching(/^must be one of: generate/) }]);
  });
});
