import type { Command } from 'commander';
import { sandboxProvider } from './sandbox-provider.js';

export function registerGc(program: Command): void {
  program
    .command('gc')
    .description('Remove forager containers whose harvester is gone (dead pid on this host, or past their deadline), and what they left outside the engine (loop disks, gVisor processes); never one of a live run')
    .option('-n, --dry-run', 'say what would be removed, remove nothing')
    .option('--run <id>', 'only containers of this run id')
    .action(async (options: { dryRun?: boolean; run?: string }) => {
      await sandboxProvider().health();
      const results = await sandboxProvider().reap({ dryRun: options.dryRun, runId: options.run });
      const verb = options.dryRun ? 'would remove' : 'removed';
      for (const r of results) {
        if (r.state === 'leftover') {
          process.stdout.write(`${verb.padEnd(12)} ${r.id}\n`);
          continue;
        }
        process.stdout.write(`${(r.orphan ? verb : 'kept').padEnd(12)} ${r.id.slice(0, 12)} run ${r.runId} task ${r.taskId} (${r.state}): ${r.reason}\n`);
      }
      const containers = results.filter((r) => r.state !== 'leftover');
      const leftovers = results.length - containers.length;
      process.stdout.write(`${verb} ${containers.filter((r) => r.orphan).length} of ${containers.length} forager containers${leftovers ? ` and ${leftovers} leftovers (loop disks, gVisor processes)` : ''}\n`);
    });
}
