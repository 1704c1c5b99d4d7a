import { defineConfig } from 'vitest/config';

/** The hostile suite's files that run again with every sandbox under gVisor (the runsc tier). */
export const RUNSC_TIER = ['tests/hostile/state-*.test.ts', 'tests/hostile/io-file-tools.test.ts', 'tests/hostile/io-byte-exact.test.ts'];

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
      {
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
      },
    ],
  },
});
