import type { Command } from 'commander';
import { createLogger } from '../core/log.js';
import { ensureBaseImage, ensureEngine, listRecipes, resolveImage } from '../images/index.js';

interface SetupOptions {
  install: boolean;
  recipe?: string[];
  verbose?: boolean;
}

/** `forager setup`: a Docker engine, the base image and the recipe images, each made only when missing. */
export function registerSetup(program: Command): void {
  program
    .command('setup')
    .description('Make this machine ready to harvest: a Docker engine, the base image, the images/ recipes (idempotent)')
    .option('--no-install', 'never install or start a Docker engine; fail if none answers')
    .option('--recipe <name...>', 'build only these recipes (default: every recipe under images/ but base)')
    .option('-v, --verbose', 'log each step (apt, debootstrap, build steps) on stderr')
    .action(async (options: SetupOptions) => {
      await runSetup(options);
    });
}

async function runSetup(options: SetupOptions): Promise<void> {
  const started = Date.now();
  const log = createLogger(options.verbose ? { level: 'debug' } : {});
  const say = (line: string): void => { process.stdout.write(`${line}\n`); };
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

  const recipes = options.recipe ?? listRecipes().filter((name) => name !== 'base' && name !== 'worker'); // worker: forager's own image (docker-compose.yml)
  for (const recipe of recipes) {
    const recipeStarted = Date.now();
    const image = await resolveImage({ recipe }, { log });
    if (image.built) changed += 1;
    say(`recipe      ${recipe}: ${image.built ? `built ${image.ref} in ${seconds(Date.now() - recipeStarted)}` : `${image.ref} already built`} (${shortId(image.id)})`);
  }
  say(changed === 0 ? `ready: nothing to do, everything was in place (${seconds(Date.now() - started)})` : `ready in ${seconds(Date.now() - started)}`);
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
