import { pingEngine } from '../src/docker/engine.js';
import { ensureTestImages } from './helpers/images.js';

/**
 * Docker tests need the engine and the base image. Missing either is a failure, never
 * a skip: CI must not pass by testing nothing.
 */
export default async function setup(): Promise<void> {
  if (!(await pingEngine())) {
    throw new Error('No Docker engine answers (DOCKER_HOST or /var/run/docker.sock). Run `forager setup` or `bash .ci/run`.');
  }
  await ensureTestImages();
}
