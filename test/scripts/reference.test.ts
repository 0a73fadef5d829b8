/** docs/reference.md is what scripts/reference.ts makes of the schemas today. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PLAN_KINDS } from '../../src/core/plan/schema';
import { reference, REFERENCE_FILE } from '../../scripts/reference';

describe('docs/reference.md', () => {
  const generated = reference();

  it('matches the schemas', () => {
    const committed = readFileSync(REFERENCE_FILE, 'utf8');
    expect(committed, 'docs/reference.md is out of date with the schemas: run `npx tsx scripts/reference.ts` (npm run docs:reference)').toBe(generated);
  });

  it('has a section for every plan kind', () => {
    for (const kind of PLAN_KINDS) expect(generated).toContain(`\n### \`${kind}\`\n`);
  });
});
