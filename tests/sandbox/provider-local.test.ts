import Docker from 'dockerode';
import { createDockerProvider } from '../../src/docker/images/index.js';
import { BASE_IMAGE } from '../helpers/images.js';
import { providerContract } from './provider-contract.js';

// The shared local engine: its overlay directories are readable here, so state is read from the host.
providerContract({
  name: 'Docker, local engine (host state reader)',
  create: () => createDockerProvider(),
  createDown: () => createDockerProvider({ docker: new Docker({ socketPath: '/tmp/forager-contract-no-engine.sock' }) }),
  image: BASE_IMAGE,
  stateReader: 'host',
  env: {},
});
