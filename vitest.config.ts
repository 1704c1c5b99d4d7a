import { defineConfig } from 'vitest/config';

/** The hostile suite's files that run again with every sandbox under gVisor (the runsc tier). */
export const RUNSC_TIER = ['tests/hostile/state-*.test.ts', 'tests/hostile/io-file-tools.test.ts', 'tests/hostile/io-byte-exact.test.ts'];

/**
 * The hostile suite again with every sandbox under gVisor. Not part of `npm test`: on a
 * 2-core machine it takes over 20 minutes (gVisor's file-heavy work is ~5x slower, and the
 * attacks make 100k files), and its timings fail there under load; run it with
 * `npm run test:runsc` on a machine with cores to spare.
 */
const RUNSC_PROJECT = {
  extends: true,
  test: {
    name: 'runsc',
    // A gVisor start costs seconds of CPU on a 2-core machine: its attacks run one at a time.
    maxConcurrency: 1,
    fileParallelism: false,
    include: RUNSC_TIER,
    // `forager run` children read FORAGER_RUNTIME (the --runtime flag): every sandbox, grading's too, under gVisor.
    env: { FORAGER_RUNTIME: 'runsc' },
    globalSetup: ['tests/tmp-setup.ts', 'tests/global-setup.ts', 'tests/runsc-setup.ts'],
    setupFiles: ['tests/runsc-skip.ts'],
  },
};

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    env: { FORAGER_ALLOW_UNSANDBOXED: '1' },
    projects: [
      {
        extends: true,
        test: {
          name: 'docker',
          include: ['tests/**/*.test.ts'],
          // tmp-setup first: the images are built with the run's temporary folder too.
          globalSetup: ['tests/tmp-setup.ts', 'tests/global-setup.ts'],
        },
      },
      // The runsc tier runs only when asked (`npm run test:runsc`): see RUNSC_PROJECT.
      ...(process.env.FORAGER_TEST_RUNSC === '1' ? [RUNSC_PROJECT] : []),
    ],
  },
});
