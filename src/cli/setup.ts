import type { Command } from 'commander';
import { createLogger } from '../core/log.js';
import { sandboxProvider } from './sandbox-provider.js';

interface SetupOptions {
  install: boolean;
  recipe?: string[];
  verbose?: boolean;
}

/** `forager setup`: a Docker engine, the base image and the recipe images, each made only when missing. */
export function registerSetup(program: Command): void {
  program
    .command('setup')
    .description('Make this machine ready to harvest: a Docker engine, the base image, the images/ recipes, and with --runtime runsc gVisor, registered and checked (idempotent)')
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
  const provider = sandboxProvider();
  const changed = await provider.setup({ install: options.install, recipes: options.recipe, runtime: provider.isolation?.runtime, log, say });
  say(changed === 0 ? `ready: nothing to do, everything was in place (${seconds(Date.now() - started)})` : `ready in ${seconds(Date.now() - started)}`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
