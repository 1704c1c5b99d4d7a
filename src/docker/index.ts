export { createDockerBackend, DockerBackend, type DockerBackendOptions } from './backend.js';
export { DockerContainer, readableLayer, startContainer } from './container.js';
export { DOCKER_FLAVOUR, flavourOf, withFlavour, type EngineFlavour } from './flavour.js';
export { engine, pingEngine, requireEngine, dockerVersion } from './engine.js';
export { withEngineErrors } from './engine-errors.js';
export { reapLoopDisks } from './isolation/loop-disk.js';
export { requireEngineFreeSpace } from './disk-guard.js';
export { describeDiskBounds, type DiskBoundsReport } from './setup/disk-bounds.js';
export * from './images/index.js';
