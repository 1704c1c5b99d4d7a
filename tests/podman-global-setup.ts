import { createProvider } from '../src/providers/index.js';
import { BASE_IMAGE } from './helpers/images.js';

/**
 * The podman project (tests/podman/, and the suites run on both backends) needs the
 * rootful Podman service and the base image in its store. Missing either is a failure,
 * never a skip: CI must not pass by testing nothing.
 */
export default async function setup(): Promise<void> {
  const provider = createProvider('podman');
  if (!(await provider.ping())) {
    throw new Error('No Podman service answers (CONTAINER_HOST or /run/podman/podman.sock). Run `forager setup --sandbox podman` or `bash scripts/test-env.sh`.');
  }
  if (!(await provider.findImage(BASE_IMAGE))) throw new Error(`${BASE_IMAGE} is missing from Podman's store: run \`forager setup --sandbox podman\`.`);
}
