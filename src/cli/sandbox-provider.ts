import { Option, type Command } from 'commander';
import { createProvider, PROVIDER_NAMES } from '../providers/index.js';
import type { SandboxProvider } from '../sandbox/index.js';

let chosen: SandboxProvider | undefined;

/**
 * `--sandbox <name>` (or FORAGER_SANDBOX): the sandbox provider of this CLI process,
 * chosen once before any command runs and handed down from each command.
 */
export function addSandboxOption(program: Command): void {
  program
    .addOption(new Option('--sandbox <name>', 'where sandboxes run').choices(PROVIDER_NAMES).env('FORAGER_SANDBOX'))
    .hook('preAction', (root) => {
      chosen = createProvider(root.opts<{ sandbox?: string }>().sandbox);
    });
}

/** The provider this CLI process chose (the default one when no command line chose). */
export function sandboxProvider(): SandboxProvider {
  chosen ??= createProvider();
  return chosen;
}
