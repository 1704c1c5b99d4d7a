import type Docker from 'dockerode';
import { InfrastructureError } from '../../core/errors.js';
import { isRoot } from '../../core/host-command.js';
import { BASE_IMAGE, describeDiskBounds, ensureBaseImage, listRecipes, pingEngine, resolveImage } from '../../docker/index.js';
import type { ProviderSetupOptions } from '../../sandbox/contracts.js';
import { readHostFacts, unenforcedLimits } from '../host-facts.js';
import { installPackages } from './packages.js';
import { probeSandbox } from './probe.js';
import { ensureService } from './service.js';

export interface PodmanSetupOptions extends ProviderSetupOptions {
  endpoint: string;
  docker: Docker;
}

/**
 * `forager setup --sandbox podman`: Debian's podman and catatonit (root), forager's
 * containers.conf and the API service on its socket, the base image (debootstrap +
 * import through Podman's own API), a probe sandbox, the recipe images; each only when
 * missing, and a precise message for what cannot be done here. How many things were made.
 */
export async function setupPodman(options: PodmanSetupOptions): Promise<number> {
  const { docker, log, say } = options;
  let changed = 0;

  if (!(await pingEngine(docker))) {
    const installed = await installPackages({ install: options.install, log });
    if (installed.length) {
      changed += 1;
      say(`packages    installed ${installed.join(' ')}`);
    }
  }
  const service = await ensureService({ endpoint: options.endpoint, docker, log });
  if (service.action === 'started') changed += 1;
  say(`engine      ${service.action === 'found' ? 'Podman already answering' : 'started podman system service'} at ${service.where}`);
  if (service.conf) {
    const ulimits = /default_ulimits = \[(.*)\]/.exec(service.conf.content)?.[1] ?? '';
    say(`config      ${service.conf.path} ${service.conf.written ? 'written' : 'unchanged'} (default_ulimits ${ulimits}; read by this service only, through CONTAINERS_CONF; /etc/containers untouched); log ${service.log}`);
  }

  const facts = await readHostFacts(docker);
  const unenforced = unenforcedLimits(facts);
  say(`host        ${facts.rootless ? 'rootless' : 'rootful'}, cgroup ${facts.cgroupVersion}, storage ${facts.graphDriver} at ${facts.graphRoot}; ${unenforced.length === 0 ? 'memory, CPU and PID limits enforced' : `NOT enforced: ${unenforced.join(', ')} (sandboxes are refused unless --allow-unenforced-limits)`}`);
  if (facts.graphDriver !== 'overlay') say(`warning     storage driver ${facts.graphDriver}: every sandbox start copies its image (seconds, not a third of one), and state is read by a listing in the sandbox; forager's own rootless service uses overlay`);

  const baseStarted = Date.now();
  if (!isRoot() && !(await docker.getImage(BASE_IMAGE).inspect().then(() => true, () => false))) {
    throw new InfrastructureError('BASE_IMAGE_FAILED', `${BASE_IMAGE} is missing from the rootless Podman store and debootstrap needs root. As root make it and hand it over: \`sudo forager setup --sandbox podman && sudo podman save localhost/${BASE_IMAGE} | CONTAINER_HOST=${options.endpoint} podman --remote load\`, then run this again.`);
  }
  const pending = setTimeout(() => say(`base image  making ${BASE_IMAGE} (debootstrap and import, about a minute)…`), 500);
  const base = await ensureBaseImage({ docker, log }).finally(() => clearTimeout(pending));
  if (base.action !== 'present') changed += 1;
  const how = { present: 'already present', built: 'built from debian:bookworm-slim', debootstrapped: 'made by debootstrap and imported through Podman\'s API' }[base.action];
  say(`base image  ${base.ref} ${how} (${shortId(base.id)})${base.action === 'present' ? '' : ` in ${seconds(Date.now() - baseStarted)}`}`);

  const probe = await probeSandbox(docker, { endpoint: options.endpoint, unenforced, rootless: facts.rootless });
  say(`sandbox     a probe sandbox started and was removed in ${seconds(probe.ms)} (catatonit as init; ${unenforced.length === 0 ? 'limits applied' : `${unenforced.join(', ')} accepted but not enforced`})`);

  const disk = await describeDiskBounds(docker, base.ref, { hostLayer: !facts.rootless });
  say(`disk        ${disk.line}`);

  const recipes = options.recipes ?? listRecipes().filter((name) => name !== 'base' && name !== 'worker');
  for (const recipe of recipes) {
    const started = Date.now();
    const image = await resolveImage({ recipe }, { log, docker });
    if (image.built) changed += 1;
    say(`recipe      ${recipe}: ${image.built ? `built ${image.ref} in ${seconds(Date.now() - started)}` : `${image.ref} already built`} (${shortId(image.id)})`);
  }
  return changed;
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
