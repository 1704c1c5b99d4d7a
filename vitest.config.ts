import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // tmp-setup first: the images are built with the run's temporary folder too.
    globalSetup: ['tests/tmp-setup.ts', 'tests/global-setup.ts'],
    pool: 'forks',
    env: { FORAGER_ALLOW_UNSANDBOXED: '1' },
  },
});
