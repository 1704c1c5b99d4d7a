// @needs docker
import Docker from 'dockerode';
import { createDockerBackend } from '../../src/docker/index.js';
import { createSandboxProvider } from '../../src/sandbox/index.js';
import { BASE_IMAGE } from '../helpers/images.js';
import { providerContract } from './provider-contract.js';

// The shared local engine: its overlay directories are readable here, so state is read from the host.
providerContract({
  name: 'Docker, local engine (host state reader)',
  create: () => createSandboxProvider(createDockerBackend()),
  createDown: () => createSandboxProvider(createDockerBackend({ docker: new Docker({ socketPath: '/tmp/forager-contract-no-engine.sock' }) })),
  image: BASE_IMAGE,
  stateReader: 'host',
  sessionTransport: 'socket',
  env: {},
});
