export { createDockerBackend, DockerBackend, type DockerBackendOptions } from './backend.js';
export { DOCKER_FLAVOUR, DockerContainer, readableLayer, startContainer, type EngineFlavour } from './container.js';
export { engine, pingEngine, requireEngine, dockerVersion } from './engine.js';
export { requireEngineFreeSpace } from './disk-guard.js';
export * from './images/index.js';
