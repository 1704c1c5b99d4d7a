import { defineConfig } from 'vitest/config';

/**
 * Two projects. `docker`: every test, on the Docker engine. `podman`: Podman's own tests
 * and the suites every backend must pass — the hostile attacks — run again unchanged with
 * FORAGER_SANDBOX=podman, so the CLIs they start and the helpers they use (testProvider,
 * containersOf) reach Podman. `vitest run --project podman` runs one.
 */
const PODMAN_SUITES = ['tests/podman/**/*.test.ts', 'tests/hostile/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'docker',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/podman/**'],
          // tmp-setup first: the images are built with the run's temporary folder too.
          globalSetup: ['tests/tmp-setup.ts', 'tests/global-setup.ts'],
          env: { FORAGER_SANDBOX: 'docker' },
        },
      },
      {
        extends: true,
        test: {
          name: 'podman',
          include: PODMAN_SUITES,
          globalSetup: ['tests/tmp-setup.ts', 'tests/podman-global-setup.ts'],
          env: { FORAGER_SANDBOX: 'podman' },
        },
      },
    ],
  },
});
