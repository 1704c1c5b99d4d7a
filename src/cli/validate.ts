import type { Command } from 'commander';
import { ForagerError } from '../core/errors.js';
import { findTaskFiles, loadTask } from '../task/index.js';
import { EXIT } from './exit-codes.js';
import { addTaskPolicyOptions, applyTaskPolicyOptions, type TaskPolicyFlags } from './task-policy-options.js';

export function registerValidate(program: Command): void {
  const command = program
    .command('validate')
    .description('Check task files without running them (paths stay in each task\'s folder, api_key_env allowed, ids unique)')
    .argument('<paths...>', 'task files or folders holding task files');
  addTaskPolicyOptions(command)
    .action(async (paths: string[], flags: TaskPolicyFlags) => {
      applyTaskPolicyOptions(flags);
      const files = await findTaskFiles(paths);
      const seen = new Map<string, string>();
      let bad = 0;
      for (const file of files) {
        try {
          const task = await loadTask(file);
          const first = seen.get(task.spec.id);
          if (first !== undefined) {
            bad += 1;
            process.stdout.write(`FAIL ${file}: field "id": expected an id no other task uses, found ${task.spec.id}, already the id of ${first}\n`);
            continue;
          }
          seen.set(task.spec.id, file);
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
