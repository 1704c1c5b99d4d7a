export { createDockerProvider, DockerProvider, type DockerProviderOptions } from './provider.js';
