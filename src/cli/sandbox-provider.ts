import { Option, type Command } from 'commander';
import { backendOptionsFromEnv, createProvider, PROVIDER_NAMES } from '../providers/index.js';
import type { SandboxProvider } from '../sandbox/index.js';

let chosen: SandboxProvider | undefined;

/**
 * `--sandbox <name>` (or FORAGER_SANDBOX): the sandbox provider of this CLI process,
 * chosen once before any command runs and handed down from each command.
 * `--allow-unenforced-limits` (or FORAGER_ALLOW_UNENFORCED_LIMITS=1) lets a backend start
 * sandboxes whose limits it cannot enforce (rootless Podman on cgroup v1); headers say so.
 */
export function addSandboxOption(program: Command): void {
  program
    .addOption(new Option('--sandbox <name>', 'where sandboxes run').choices(PROVIDER_NAMES).env('FORAGER_SANDBOX'))
    .addOption(new Option('--allow-unenforced-limits', 'start sandboxes even where the backend cannot enforce their memory, CPU or PID limits (recorded in each trajectory header); also FORAGER_ALLOW_UNENFORCED_LIMITS=1'))
    .hook('preAction', (root) => {
      const options = root.opts<{ sandbox?: string; allowUnenforcedLimits?: boolean }>();
      chosen = createProvider(options.sandbox, { allowUnenforcedLimits: options.allowUnenforcedLimits === true || backendOptionsFromEnv().allowUnenforcedLimits });
    });
}

/** The provider this CLI process chose (the default one when no command line chose). */
export function sandboxProvider(): SandboxProvider {
  chosen ??= createProvider();
  return chosen;
}
