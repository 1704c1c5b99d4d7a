// @needs docker
import { createServer } from 'node:net';
import Docker from 'dockerode';
import { afterAll, beforeAll } from 'vitest';
import { createDockerBackend } from '../../src/docker/index.js';
import { createSandboxProvider } from '../../src/sandbox/index.js';
import { BASE_IMAGE } from '../helpers/images.js';
import { PrivateDockerd } from '../helpers/private-dockerd.js';
import { providerContract } from './provider-contract.js';

/** A TCP port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// The same kind of engine reached as a remote endpoint: a private dockerd listening on
// tcp://127.0.0.1:<port>. Nothing of it is a local socket, so its containers' directories
// count as unreadable and every fallback runs: the exec state reader (clock mapping), the
// PID count from engine stats, the writable layer's size from SizeRw.
const port = await freePort();
const downPort = await freePort();
const dockerd = new PrivateDockerd({ name: 'forager-provider-remote', bridge: 'fgprov0', bridgeAddress: '10.213.78.1/24', tcpPort: port });

beforeAll(async () => {
  await dockerd.start();
  await dockerd.loadBaseImage();
}, 300_000);

afterAll(async () => {
  await dockerd.destroy();
}, 60_000);

providerContract({
  name: `Docker, remote engine at ${dockerd.host} (exec state reader)`,
  create: () => createSandboxProvider(createDockerBackend({ docker: new Docker({ host: '127.0.0.1', port, protocol: 'http' }) })),
  createDown: () => createSandboxProvider(createDockerBackend({ docker: new Docker({ host: '127.0.0.1', port: downPort, protocol: 'http' }) })),
  image: BASE_IMAGE,
  stateReader: 'exec',
  sessionTransport: 'attach',
  env: { DOCKER_HOST: dockerd.host, FORAGER_SANDBOX: 'docker' },
});
