/** The layer rules of DESIGN.md are enforced by ESLint; this proves the rules bite. */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(filePath: string, spec: string): Promise<boolean> {
  const [r] = await eslint.lintText(`import x from '${spec}';\nexport default x;\n`, { filePath });
  return r!.messages.some((m) => m.ruleId === 'no-restricted-imports');
}

describe('layer boundaries', () => {
  it.each([
    ['src/core/shares/x.ts', 'node:fs', true],
    ['src/core/shares/x.ts', 'fs', true],
    ['src/core/shares/x.ts', 'crypto', true],
    ['src/core/shares/x.ts', 'electron', true],
    ['src/core/shares/x.ts', 'react', true],
    ['src/core/shares/x.ts', '../../node/native-provider', true],
    ['src/core/shares/x.ts', '../crypto/bytes', false],
    ['src/core/shares/x.ts', '@noble/hashes/sha2.js', false],
    ['src/renderer/app.tsx', 'electron', true],
    ['src/renderer/app.tsx', 'node:path', true],
    ['src/renderer/app.tsx', '../core/shares/record', true],
    ['src/renderer/app.tsx', '../shared/ipc', false],
    ['src/shared/ipc.ts', 'node:fs', true],
    ['src/preload/preload.ts', 'node:fs', true],
    ['src/preload/preload.ts', 'electron', false],
    ['src/cli/main.ts', 'electron', true],
    ['src/node/platform.ts', 'electron', true],
    ['src/main/main.ts', 'electron', false],
  ] as const)('%s importing %s: restricted=%s', async (file, spec, expected) => {
    expect(await restricted(file, spec)).toBe(expected);
  });
});
