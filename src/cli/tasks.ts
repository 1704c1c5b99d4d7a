import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { createLogger } from '../core/log.js';
import { ForagerError } from '../core/errors.js';
import { proveTask, type TaskProof } from '../eval/index.js';
import { requireEngine } from '../sandbox/docker/engine.js';
import { findTaskFiles, loadTask, readSwebench, taskFromInstance } from '../task/index.js';
import { EXIT } from './exit-codes.js';
import { registerMutate } from './mutate.js';
import { addTaskPolicyOptions, applyTaskPolicyOptions, type TaskPolicyFlags } from './task-policy-options.js';

/** `forager tasks …`: task-set tools (import, validate; later mutate). */
export function registerTasks(program: Command): Command {
  const tasks = program.command('tasks').description('Import task sets and prove them sound');
  const importer = tasks.command('import').description('Turn task sets of other tools into forager task files');
  importer
    .command('swebench')
    .description('SWE-bench instances (JSONL) → one task file each')
    .argument('<file>', 'SWE-bench JSONL file (instance_id, repo, base_commit, patch, test_patch, FAIL_TO_PASS, PASS_TO_PASS…)')
    .requiredOption('--out <dir>', 'folder to write <instance_id>.task.yaml files into')
    .option('--image-template <ref>', 'use prebuilt images: e.g. swebench/sweb.eval.x86_64.{id}:latest ({id}: instance id with __ → _1776_)')
    .option('--recipe <name>', 'without a template: recipe the environment is built on', 'python')
    .option('--environment <command...>', 'without a template: commands installing the repository\'s dependencies')
    .option('--test-command <command>', 'test command; {files} is replaced by the files the test patch touches')
    .action(async (file: string, options: { out: string; imageTemplate?: string; recipe: string; environment?: string[]; testCommand?: string }) => {
      const instances = await readSwebench(file);
      await mkdir(options.out, { recursive: true });
      for (const instance of instances) {
        const spec = taskFromInstance(instance, options);
        const path = join(options.out, `${instance.instance_id}.task.yaml`);
        await writeFile(path, stringify(spec, { lineWidth: 0 }));
        process.stdout.write(`wrote ${path}\n`);
      }
      process.stdout.write(`${instances.length} task${instances.length === 1 ? '' : 's'} imported\n`);
    });

  addTaskPolicyOptions(tasks
    .command('validate')
    .description('Prove tasks sound: the gold patch resolves each, the empty patch does not')
    .argument('<paths...>', 'task files or folders holding task files')
    .option('--log-level <level>', 'log level on stderr', 'warn'))
    .action(async (paths: string[], options: { logLevel: string } & TaskPolicyFlags) => {
      applyTaskPolicyOptions(options);
      const files = await findTaskFiles(paths);
      await requireEngine();
      const log = createLogger({ level: options.logLevel });
      const runId = `validate-${process.pid}-${Date.now()}`;
      const proofs: TaskProof[] = [];
      for (const file of files) {
        try {
          proofs.push(await proveTask(await loadTask(file), { runId, log }));
        } catch (error) {
          if (!(error instanceof ForagerError)) throw error;
          proofs.push({ id: file, source: file, sound: false, reason: error.message.split('\n')[0]! });
        }
      }
      process.stdout.write(renderProofs(proofs));
      const unsound = proofs.filter((p) => !p.sound).length;
      process.stdout.write(`${proofs.length - unsound} sound, ${unsound} unsound\n`);
      if (unsound > 0 || proofs.length === 0) process.exitCode = EXIT.failed;
    });
  registerMutate(tasks);
  return tasks;
}

function renderProofs(proofs: TaskProof[]): string {
  const rows = [['task', 'gold', 'empty', 'verdict'], ...proofs.map((p) => [p.id, outcome(p.gold), outcome(p.empty), p.sound ? (p.reason ?? 'sound') : `UNSOUND: ${p.reason}`])];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `${r.slice(0, 3).map((c, i) => c.padEnd(widths[i]!)).join('  ')}  ${r[3]}\n`).join('');
}

function outcome(evaluation: TaskProof['gold']): string {
  if (!evaluation) return '-';
  if (evaluation.status === 'error') return 'error';
  if (evaluation.status === 'patch_failed') return 'no-apply';
  const f2p = evaluation.fail_to_pass;
  return `${evaluation.resolved ? 'resolved' : 'unresolved'} ${f2p.success.length}/${f2p.success.length + f2p.failure.length}`;
}
