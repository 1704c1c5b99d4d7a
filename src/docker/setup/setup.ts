import type { ProviderSetupOptions } from '../../sandbox/index.js';
import { ensureBaseImage } from './base-image.js';
import { resolveImage } from '../images/build.js';
import { ensureEngine } from './engine-setup.js';
import { listRecipes } from '../images/paths.js';
import { engine as sharedEngine } from '../engine.js';
import { describeDiskBounds } from './disk-bounds.js';
import { ensureRuntime } from './runtime-setup.js';
import { hostPython } from '../../sandbox/index.js';

/** A Docker engine, the base image and the recipe images, each made only when missing; how many were made. */
export async function setupDocker(options: ProviderSetupOptions): Promise<number> {
  const { log, say } = options;
  let changed = 0;

  const engine = await ensureEngine({ install: options.install, log });
  if (engine.action !== 'found') changed += 1;
  say(`engine      ${engine.action === 'found' ? 'already answering' : engine.action === 'installed' ? 'installed docker.io and started dockerd' : 'started dockerd'} at ${engine.where}`);

  const baseStarted = Date.now();
  const pending = setTimeout(() => say('base image  making forager-base:bookworm (about a minute)…'), 500);
  const base = await ensureBaseImage({ log }).finally(() => clearTimeout(pending));
  if (base.action !== 'present') changed += 1;
  const how = { present: 'already present', built: 'built from debian:bookworm-slim', debootstrapped: 'made by debootstrap and imported' }[base.action];
  say(`base image  ${base.ref} ${how} (${shortId(base.id)})${base.action === 'present' ? '' : ` in ${seconds(Date.now() - baseStarted)}`}`);

  if (options.runtime) {
    const runtime = await ensureRuntime(sharedEngine(), options.runtime, { install: options.install, image: base.ref, log });
    if (runtime.action !== 'found') changed += 1;
    const how = { found: 'already registered', registered: 'registered in the engine (daemon.json, reloaded)', installed: 'installed (Debian\'s runsc) and registered in the engine (daemon.json, reloaded)' }[runtime.action];
    say(`runtime     ${runtime.runtime.name} ${how}${runtime.runtime.args.length ? ` with ${runtime.runtime.args.join(' ')}` : ''}; a sandbox starts under it (${seconds(runtime.startMs)})`);
  }
  const disk = await describeDiskBounds(sharedEngine(), base.ref);
  say(`disk        ${disk.line}`);
  say(`state       ${disk.watcher.ok ? `read from the host by a watcher over the writable layer (${hostPython()})` : `read inside each sandbox: ${disk.watcher.why}${hostPython() ? '' : ' (install python3 for the host reader, which also bounds the disk at once)'}`}`);

  const recipes = options.recipes ?? listRecipes().filter((name) => name !== 'base' && name !== 'worker'); // worker: forager's own image (docker-compose.yml)
  for (const recipe of recipes) {
    const recipeStarted = Date.now();
    const image = await resolveImage({ recipe }, { log });
    if (image.built) changed += 1;
    say(`recipe      ${recipe}: ${image.built ? `built ${image.ref} in ${seconds(Date.now() - recipeStarted)}` : `${image.ref} already built`} (${shortId(image.id)})`);
  }
  return changed;
}


function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
