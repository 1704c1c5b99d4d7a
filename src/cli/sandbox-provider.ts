import { Option, type Command } from 'commander';
import type { SandboxProvider } from '../core/contracts.js';
import { createProvider, defaultProvider, PROVIDERS, useProvider } from '../providers/index.js';

/**
 * `--sandbox <name>` (or FORAGER_SANDBOX): the sandbox provider of this process, chosen
 * once before any command runs; everything below the CLI gets it from here.
 */
export function addSandboxOption(program: Command): void {
  program
    .addOption(new Option('--sandbox <name>', 'where sandboxes run').choices(Object.keys(PROVIDERS)).env('FORAGER_SANDBOX'))
    .hook('preAction', (root) => {
      const name = root.opts<{ sandbox?: string }>().sandbox;
      if (name) useProvider(createProvider(name));
    });
}

/** The provider this CLI process chose. */
export function sandboxProvider(): SandboxProvider {
  return defaultProvider();
}
