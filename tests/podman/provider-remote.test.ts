// @needs podman
import { afterAll, beforeAll } from 'vitest';
import { createPodmanBackend } from '../../src/podman/index.js';
import { createSandboxProvider } from '../../src/sandbox/index.js';
import { freePort, TcpPodmanService } from '../helpers/podman.js';
import { BASE_IMAGE } from '../helpers/images.js';
import { providerContract } from '../sandbox/provider-contract.js';

// Podman reached as a remote endpoint: a second API service on the same store, listening
// on tcp://127.0.0.1:<port>. Nothing of it is a local socket, so every fallback runs: the
// exec state reader (clock mapping), the PID count from the engine's stats, the layer's
// size from SizeRw, and PIDs lent to a kill script through libpod's update endpoint.
const service = new TcpPodmanService(await freePort());
const downPort = await freePort();

beforeAll(async () => {
  await service.start();
}, 120_000);

afterAll(async () => {
  await service.stop();
}, 60_000);

providerContract({
  name: `Podman, remote service at ${service.host} (exec state reader)`,
  create: () => createSandboxProvider(createPodmanBackend({ endpoint: service.host })),
  createDown: () => createSandboxProvider(createPodmanBackend({ endpoint: `tcp://127.0.0.1:${downPort}` })),
  image: BASE_IMAGE,
  stateReader: 'exec',
  env: { FORAGER_SANDBOX: 'podman', CONTAINER_HOST: service.host },
});
