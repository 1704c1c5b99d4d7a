import { engine } from '../../src/docker/engine.js';

export const BASE_IMAGE = 'forager-base:bookworm';

/** The base image must exist before Docker tests run (`forager setup` builds it). */
export async function ensureTestImages(): Promise<void> {
  const info = await engine().getImage(BASE_IMAGE).inspect().catch(() => undefined);
  if (!info) throw new Error(`${BASE_IMAGE} is missing: run \`forager setup\` first`);
}
