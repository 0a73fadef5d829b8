import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here and in CI: scrypt-heavy files would starve each other beyond this.
    maxWorkers: 2,
  },
});
