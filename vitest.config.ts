import { defineConfig } from 'vitest/config';
import { needsOf, testFiles } from './vitest.unit.config.js';

/** The hostile suite's files that run again with every sandbox under gVisor (the runsc tier). */
export const RUNSC_TIER = ['tests/hostile/state-*.test.ts', 'tests/hostile/io-file-tools.test.ts', 'tests/hostile/io-byte-exact.test.ts'];

/**
 * The podman project: the files that need Podman (`// @needs podman`) and the suite every
 * backend must pass — the hostile attacks — run again unchanged with FORAGER_SANDBOX=podman,
 * so the CLIs they start and the helpers they use (testProvider, containersOf) reach Podman.
 */
const PODMAN_FILES = testFiles('tests').filter((file) => needsOf(file).includes('podman'));
export const PODMAN_TIER = [...PODMAN_FILES, 'tests/hostile/**/*.test.ts'];

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
          exclude: PODMAN_FILES,
          // tmp-setup first: the images are built with the run's temporary folder too.
          globalSetup: ['tests/tmp-setup.ts', 'tests/global-setup.ts'],
          env: { FORAGER_SANDBOX: 'docker' },
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
          env: { FORAGER_SANDBOX: 'docker', FORAGER_RUNTIME: 'runsc' },
          globalSetup: ['tests/tmp-setup.ts', 'tests/global-setup.ts', 'tests/runsc-setup.ts'],
          setupFiles: ['tests/runsc-skip.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'podman',
          include: PODMAN_TIER,
          // Fails (never skips) without a rootful Podman service and its base image: scripts/test-env.sh sets both up.
          globalSetup: ['tests/tmp-setup.ts', 'tests/podman-global-setup.ts'],
          env: { FORAGER_SANDBOX: 'podman' },
        },
      },
    ],
  },
});
