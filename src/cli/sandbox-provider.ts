import { Option, type Command } from 'commander';
import { createProvider, PROVIDER_NAMES } from '../providers/index.js';
import { TaskError } from '../core/errors.js';
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
    .addOption(new Option('--runtime <name>', 'OCI runtime for every sandbox whose task names none (runsc: gVisor; `forager setup --runtime runsc` installs it); a recorded run keeps its own').env('FORAGER_RUNTIME'))
    .addOption(new Option('--disk-mount <kind>', 'the workdir and /tmp as size-limited mounts of disk_mb (kernel-bounded disk) for tasks that name none').choices(['tmpfs', 'loop']).env('FORAGER_DISK_MOUNT'))
    .hook('preAction', (root) => {
      const flags = root.opts<{ sandbox?: string; runtime?: string; diskMount?: 'tmpfs' | 'loop'; allowUnenforcedLimits?: boolean }>();
      if (flags.runtime !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(flags.runtime)) {
        throw new TaskError('USAGE', `--runtime ${JSON.stringify(flags.runtime)}: expected a runtime name the engine knows (letters, digits, . _ -)`);
      }
      // The flag adds to the environment's FORAGER_ALLOW_UNENFORCED_LIMITS, never takes it away.
      chosen = createProvider(flags.sandbox, { isolation: { runtime: flags.runtime, disk_mount: flags.diskMount }, allowUnenforcedLimits: flags.allowUnenforcedLimits === true ? true : undefined });
    });
}

/** The provider this CLI process chose (the default one when no command line chose). */
export function sandboxProvider(): SandboxProvider {
  chosen ??= createProvider();
  return chosen;
}
