import { createProvider } from '../../src/providers/index.js';

export const BASE_IMAGE = 'forager-base:bookworm';

/** The base image must exist on the tests' backend (FORAGER_SANDBOX) before they run (`forager setup` makes it). */
export async function ensureTestImages(): Promise<void> {
  const provider = createProvider();
  if (!(await provider.findImage(BASE_IMAGE))) throw new Error(`${BASE_IMAGE} is missing on ${provider.name}: run \`forager setup --sandbox ${provider.name}\` first`);
}
