import { createProvider } from '../../src/providers/index.js';
import { engine } from '../../src/docker/index.js';
import { podmanClient, podmanEndpoint } from '../../src/podman/index.js';

export const BASE_IMAGE = 'forager-base:bookworm';

/** The base image must exist on the tests' backend (FORAGER_SANDBOX) before they run (`forager setup` makes it). */
export async function ensureTestImages(): Promise<void> {
  const provider = createProvider();
  if (!(await provider.findImage(BASE_IMAGE))) throw new Error(`${BASE_IMAGE} is missing on ${provider.name}: run \`forager setup --sandbox ${provider.name}\` first`);
}

/** The base image without perl (what an image without it gets: the bash helper, tini and a `sleep` dead-man), made once. */
export const NO_PERL_IMAGE = 'forager-test-noperl:1';

export async function ensureNoPerlImage(): Promise<string> {
  // Made on the tests' backend (FORAGER_SANDBOX): both speak the Engine API.
  const docker = process.env.FORAGER_SANDBOX === 'podman' ? podmanClient(podmanEndpoint()) : engine();
  if (await docker.getImage(NO_PERL_IMAGE).inspect().catch(() => undefined)) return NO_PERL_IMAGE;
  const container = await docker.createContainer({
    Image: BASE_IMAGE,
    Entrypoint: ['/bin/sh', '-c', 'rm -f /usr/bin/perl /usr/bin/perl5*'],
    Labels: { 'forager.run': 'test-images' },
    HostConfig: { NetworkMode: 'none' },
  });
  try {
    await container.start();
    await container.wait();
    await container.commit({ repo: 'forager-test-noperl', tag: '1', changes: ['ENTRYPOINT []'] });
  } finally {
    await container.remove({ force: true });
  }
  return NO_PERL_IMAGE;
}
