// Layer boundaries of DESIGN.md, enforced: the core is pure, the renderer reaches the app only
// through the preload API, and only main and preload may touch electron.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Bare Node built-in names are matched exactly (a pattern "crypto" would also match "./crypto/x").
const NODE_NAMES = ['fs', 'fs/promises', 'path', 'os', 'child_process', 'net', 'tls', 'crypto', 'http', 'https', 'dgram', 'dns', 'worker_threads', 'stream', 'buffer', 'util', 'process', 'module', 'v8', 'vm'];
const nodeBuiltins = ['node:*', ...NODE_NAMES.map((n) => `=${n}`)];

/** `=name` forbids exactly that module; anything else is a gitignore-style pattern. */
const forbid = (groups, message) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: groups.filter((g) => g.startsWith('=')).map((g) => ({ name: g.slice(1), message })),
      patterns: [{ group: groups.filter((g) => !g.startsWith('=')), message }],
    },
  ],
});

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      ...forbid(
        ['=electron', 'electron/*', ...nodeBuiltins, '=react', '=react-dom', 'react/*', '**/node/**', '**/main/**', '**/preload/**', '**/renderer/**', '**/cli/**', '**/kmip/**'],
        'src/core is pure TypeScript: no electron, no Node built-ins, no DOM or React, no outer layer (DESIGN.md).',
      ),
      'no-console': 'error',
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: forbid(['=electron', 'electron/*', ...nodeBuiltins, '=react', '**/core/**', '**/node/**', '**/main/**'], 'src/shared is the IPC contract, loaded by the renderer too: no electron, Node or core imports.'),
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: forbid(['=electron', 'electron/*', ...nodeBuiltins, '**/core/**', '**/node/**', '**/main/**', '**/preload/**', '**/cli/**', '**/kmip/**'], 'The renderer talks to the app only through the preload API (window.custos) and types from src/shared.'),
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: forbid([...nodeBuiltins, '**/core/**', '**/node/**', '**/main/**', '**/renderer/**'], 'The preload exposes one narrow typed API: electron and src/shared only.'),
  },
  {
    files: ['src/node/**/*.ts', 'src/cli/**/*.ts', 'src/kmip/**/*.ts'],
    rules: forbid(['=electron', 'electron/*', '**/main/**', '**/preload/**', '**/renderer/**'], 'Only the Electron main process and preload import electron.'),
  },
);
