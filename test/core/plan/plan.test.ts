import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parsePlan, planOutputs } from '../../../src/core/plan/schema';
import { planTemplate } from '../../../src/core/plan/templates';
import { parseYamlStrict } from '../../../src/core/plan/yaml';
import { CustosError, InputError } from '../../../src/core/errors';

const WORDS = 'abandon ability able about above absent absorb abstract';
const filled = () => planTemplate('generate').replace('"REPLACE WITH THE EIGHT ROSTER FINGERPRINT WORDS READ ALOUD AT ENROLLMENT"', `"${WORDS}"`);

describe('plans', () => {
  it('the template, once its fingerprint is filled in, is a valid plan with its defaults applied', () => {
    const p = parsePlan(filled());
    expect(p).toMatchObject({ kind: 'generate', shares: { threshold: 3, forms: ['file', 'paper'], protection: 'passphrase' }, outputs: { transcript: 'transcript.jsonl' } });
    expect(planOutputs(p)).toEqual(['transcript.jsonl', 'alice.share.age', 'alice.share.txt', 'bob.share.age', 'bob.share.txt', 'carol.share.age', 'carol.share.txt', 'dave.share.age', 'dave.share.txt', 'erin.share.age', 'erin.share.txt']);
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
    ['a path as transcript name', (t: string) => t.replace('transcript: transcript.jsonl', 'transcript: ../etc/passwd'), /^plan\.outputs\.transcript: must be a plain lowercase file name/],
    ['a transcript named like a share', (t: string) => t.replace('transcript: transcript.jsonl', 'transcript: bob.share.txt'), /^plan\.outputs\.transcript: must not end in \.share\.age or \.share\.txt/],
    ['an unknown kind', (t: string) => t.replace('kind: generate', 'kind: destroy-everything'), /^plan\.kind: must be one of: generate/],
    ['a duplicate key', (t: string) => t.replace('airgap: strict', 'airgap: strict\nairgap: warn'), /^plan: YAML error at line \d+, column \d+: Map keys must be unique/],
    ['an anchor and alias', (t: string) => t.replace('witnesses: [wendy]', 'witnesses: &w [wendy]\nextra: *w'), /^plan: anchors and aliases are not allowed/],
    ['a custom tag', (t: string) => t.replace('airgap: strict', 'airgap: !shell strict'), /^plan: (YAML error|the tag)/],
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
