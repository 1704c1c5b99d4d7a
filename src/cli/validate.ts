import type { Command } from 'commander';
import { ForagerError } from '../core/errors.js';
import { findTaskFiles, loadTask } from '../task/index.js';
import { EXIT } from './exit-codes.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Check task files without running them')
    .argument('<paths...>', 'task files or folders holding task files')
    .action(async (paths: string[]) => {
      const files = await findTaskFiles(paths);
      let bad = 0;
      for (const file of files) {
        try {
          const task = await loadTask(file);
          process.stdout.write(`ok   ${file} (${task.spec.id})\n`);
        } catch (error) {
          if (!(error instanceof ForagerError)) throw error;
          bad += 1;
          process.stdout.write(`FAIL ${error.message}\n`);
        }
      }
      process.stdout.write(`${files.length - bad} valid, ${bad} invalid\n`);
      if (bad > 0 || files.length === 0) process.exitCode = EXIT.badInput;
    });
}
