import { defineConfig } from 'vitest/config';
import { needsOf, testFiles } from './vitest.unit.config.js';

/** The hostile suite's files that run again with every sandbox under gVisor (the runsc tier). */
export const RUNSC_TIER = ['tests/hostile/state-*.test.ts', 'tests/hostile/io-file-tools.test.ts', 'tests/hostile/io-byte-exact.test.ts'];

/**
 * The hostile suite again with every sandbox under gVisor, in `npm test` (and alone with
 * `npm run test:runsc`). Its files run one at a time, after every other project has finished
 * (`sequence.groupOrder` 1): a gVisor start and gVisor's file-heavy work (~5x runc's, a
 * whole-tree walk ~10x) take seconds of CPU on a 2-core machine, and its timings fail beside
 * the rest of the suite. Alone on that machine: 12 minutes idle, 17 beside other suites.
 */
const RUNSC_PROJECT = {
  extends: true,
  test: {
    name: 'runsc',
    // A gVisor start costs seconds of CPU on a 2-core machine: its attacks run one at a time, last.
    maxConcurrency: 1,
    fileParallelism: false,
    sequence: { groupOrder: 1 },
    include: RUNSC_TIER,
    // `forager run` children read FORAGER_RUNTIME (the --runtime flag): every sandbox, grading's too, under gVisor.
    env: { FORAGER_SANDBOX: 'docker', FORAGER_RUNTIME: 'runsc' },
    globalSetup: ['tests/tmp-setup.ts', 'tests/global-setup.ts', 'tests/runsc-setup.ts'],
    setupFiles: ['tests/runsc-skip.ts'],
  },
};

/**
 * The podman project: the files that need Podman (`// @needs podman`: the provider contract,
 * backend, setup, rootless and end-to-end tests) in `npm test`; with FORAGER_TEST_PODMAN_HOSTILE=1
 * (`npm run test:podman`) also the hostile suite, run again unchanged with FORAGER_SANDBOX=podman,
 * so the CLIs it starts and the helpers it uses (testProvider, containersOf) reach Podman. That
 * doubles the suite's longest part, so it is not in `npm test`.
 */
const PODMAN_FILES = testFiles('tests').filter((file) => needsOf(file).includes('podman'));
export const PODMAN_TIER = [...PODMAN_FILES, ...(process.env.FORAGER_TEST_PODMAN_HOSTILE === '1' ? ['tests/hostile/**/*.test.ts'] : [])];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Two files at a time, whatever the machine: vitest's default (CPUs - 1) is one file at a
    // time on a 2-core machine (~50 min) and many on a large one, where the suite's own load
    // would decide its timings. Two halves the wait on the engine and keeps the load bounded;
    // the runsc tier runs alone after (fileParallelism: false).
    maxWorkers: 2,
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
      RUNSC_PROJECT,
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
