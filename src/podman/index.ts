export { createPodmanBackend, PodmanBackend, type PodmanBackendOptions } from './backend.js';
export { defaultSocket, podmanClient, podmanEndpoint } from './endpoint.js';
export { familiarTag, PODMAN_FLAVOUR, podmanCgroupDirs } from './flavour.js';
export { readHostFacts, unenforcedLimits, type PodmanHostFacts } from './host-facts.js';
export { libpod } from './libpod.js';
export { containersConf, parseRlimits } from './setup/conf.js';
