// @needs podman
import { createSandboxProvider } from '../../src/sandbox/index.js';
import { createPodmanBackend } from '../../src/podman/index.js';
import { BASE_IMAGE } from '../helpers/images.js';
import { providerContract } from '../sandbox/provider-contract.js';
import { PODMAN_ENDPOINT } from '../helpers/podman.js';

// The rootful Podman service on its default socket: overlay directories readable here, so
// state is read from the host, PIDs from the host's cgroup.
providerContract({
  name: `Podman, local service at ${PODMAN_ENDPOINT} (host state reader)`,
  create: () => createSandboxProvider(createPodmanBackend({ endpoint: PODMAN_ENDPOINT })),
  createDown: () => createSandboxProvider(createPodmanBackend({ endpoint: 'unix:///tmp/forager-contract-no-podman.sock' })),
  image: BASE_IMAGE,
  stateReader: 'host',
  env: { FORAGER_SANDBOX: 'podman', CONTAINER_HOST: PODMAN_ENDPOINT },
});
