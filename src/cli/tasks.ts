import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { createLogger } from '../core/log.js';
import { ForagerError, TaskError } from '../core/errors.js';
import { PARSER_NAMES, proveTask, type ParserName, type TaskProof } from '../eval/index.js';
import { sandboxProvider } from './sandbox-provider.js';
import { findTaskFiles, loadTask } from '../task/index.js';
import { readSwebenchRows, taskFromInstance } from '../swebench/index.js';
import { EXIT } from './exit-codes.js';
import { registerMutate } from './mutate.js';
import { addTaskPolicyOptions, applyTaskPolicyOptions, type TaskPolicyFlags } from './task-policy-options.js';

/** `forager tasks …`: task-set tools (import, validate; later mutate). */
export function registerTasks(program: Command): Command {
  // `tasks mine` lives with the supply commands (cli/supply.ts), which register it on this group.
  const tasks = program.command('tasks').description('Import task sets and prove them sound');
  const importer = tasks.command('import').description('Turn task sets of other tools into forager task files');
  importer
    .command('swebench')
    .description('SWE-bench, SWE-bench Verified, SWE-Gym or SWE-smith instances (JSONL, JSON or Parquet) → one task file each')
    .argument('<file>', 'dataset file: .jsonl, .json or .parquet (instance_id, repo, base_commit, patch, test_patch, FAIL_TO_PASS, PASS_TO_PASS…)')
    .requiredOption('--out <dir>', 'folder to write <instance_id>.task.yaml files into')
    .option('--image-template <ref>', 'prebuilt images for instances without image_name/docker_image: e.g. swebench/sweb.eval.x86_64.{id}:latest ({id}: SWE-bench\'s image key)')
    .option('--recipe <name>', 'without an image: recipe the environment is built on', 'python')
    .option('--environment <command...>', 'without an image: commands installing the repository\'s dependencies')
    .option('--test-command <command>', 'test command; {files} is replaced by the test files the test patch touches')
    .option('--parser <name>', `test log parser (${PARSER_NAMES.join(', ')}); default: the harness's for the repository, else junit`)
    .option('--allow-host-paths', 'let instances name repositories on this machine (a local path or file:// in "repo"); the task files then need --allow-host-paths to run too')
    .action(async (file: string, options: { out: string; imageTemplate?: string; recipe: string; environment?: string[]; testCommand?: string; parser?: string; allowHostPaths?: boolean }) => {
      if (options.parser !== undefined && !(PARSER_NAMES as readonly string[]).includes(options.parser)) {
        throw new TaskError('TASK_INVALID', `--parser: expected one of ${PARSER_NAMES.join(', ')}, got ${JSON.stringify(options.parser)}`);
      }
      const rows = await readSwebenchRows(file);
      const specs = rows.map(({ instance, where }) => ({
        instance,
        spec: taskFromInstance(instance, { ...options, parser: options.parser as ParserName | undefined, baseDir: dirname(resolve(file)) }, where),
      }));
      await mkdir(options.out, { recursive: true });
      for (const { instance, spec } of specs) {
        const path = join(options.out, `${instance.instance_id}.task.yaml`);
        await writeFile(path, stringify(spec, { lineWidth: 0 }));
        process.stdout.write(`wrote ${path}\n`);
      }
      process.stdout.write(`${rows.length} task${rows.length === 1 ? '' : 's'} imported\n`);
    });

  addTaskPolicyOptions(tasks
    .command('validate')
    .description('Prove tasks sound: the gold patch resolves each, the empty patch does not')
    .argument('<paths...>', 'task files or folders holding task files')
    .option('--log-level <level>', 'log level on stderr', 'warn'))
    .action(async (paths: string[], options: { logLevel: string } & TaskPolicyFlags) => {
      applyTaskPolicyOptions(options);
      const files = await findTaskFiles(paths);
      const provider = sandboxProvider();
      await provider.health();
      const log = createLogger({ level: options.logLevel });
      const runId = `validate-${process.pid}-${Date.now()}`;
      const proofs: TaskProof[] = [];
      for (const file of files) {
        try {
          proofs.push(await proveTask(await loadTask(file), { runId, log, provider }));
        } catch (error) {
          if (!(error instanceof ForagerError)) throw error;
          proofs.push({ id: file, source: file, sound: false, reason: error.message.split('\n')[0]! });
        }
      }
      process.stdout.write(renderProofs(proofs));
      process.stdout.write(renderRunners(proofs));
      const unsound = proofs.filter((p) => !p.sound).length;
      process.stdout.write(`${proofs.length - unsound} sound, ${unsound} unsound\n`);
      if (unsound > 0 || proofs.length === 0) process.exitCode = EXIT.failed;
    });
  registerMutate(tasks);
  return tasks;
}

function renderProofs(proofs: TaskProof[]): string {
  const rows = [['task', 'runner', 'gold', 'empty', 'verdict'], ...proofs.map((p) => [p.id, p.parser ?? '-', outcome(p.gold), outcome(p.empty), p.sound ? (p.reason ?? 'sound') : `UNSOUND: ${p.reason}`])];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `${r.slice(0, 4).map((c, i) => c.padEnd(widths[i]!)).join('  ')}  ${r[4]}\n`).join('');
}

/** One line per runner kind (the parser that reads its tests): how many of its tasks are sound. */
function renderRunners(proofs: TaskProof[]): string {
  const byRunner = new Map<string, { sound: number; unsound: number }>();
  for (const p of proofs) {
    const counts = byRunner.get(p.parser ?? 'no eval') ?? { sound: 0, unsound: 0 };
    counts[p.sound ? 'sound' : 'unsound'] += 1;
    byRunner.set(p.parser ?? 'no eval', counts);
  }
  return [...byRunner].sort(([a], [b]) => a.localeCompare(b)).map(([runner, c]) => `runner ${runner}: ${c.sound} sound, ${c.unsound} unsound\n`).join('');
}

function outcome(evaluation: TaskProof['gold']): string {
  if (!evaluation) return '-';
  if (evaluation.status === 'error') return 'error';
  if (evaluation.status === 'patch_failed') return 'no-apply';
  const f2p = evaluation.fail_to_pass;
  return `${evaluation.resolved ? 'resolved' : 'unresolved'} ${f2p.success.length}/${f2p.success.length + f2p.failure.length}`;
}
