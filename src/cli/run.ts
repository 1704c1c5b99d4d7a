import { join } from 'node:path';
import type { Command } from 'commander';
import { applyModelOverrides, createAgent } from '../agent/index.js';
import { TaskError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { rerunTrajectory } from '../replay/index.js';
import { runTask } from '../runner/index.js';
import { loadTask } from '../task/index.js';
import { sandboxProvider } from './sandbox-provider.js';
import { EXIT } from './exit-codes.js';
import { addTaskPolicyOptions, applyTaskPolicyOptions, type TaskPolicyFlags } from './task-policy-options.js';
import { addModelOptions, commandLineOnly, modelOverridesFrom, pricesFrom } from './model-options.js';
import { abortOnSignals } from './signals.js';
import { exitCodeForFooter, summariseFooter } from './summary.js';

type RunFlags = { out?: string; runId?: string; from?: string; allowRetagged?: boolean; logLevel: string } & Record<string, unknown>;

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('Run one task in a fresh sandbox and write its trajectory')
    .argument('[task]', 'task file (YAML or JSON)')
    .option('-o, --out <file>', 'trajectory file to write (default: runs/<task>-<time>.jsonl)')
    .option('--run-id <id>', 'label for the run (containers carry it as forager.run)')
    .option('--from <trajectory>', 'run the task of this trajectory again, as a new attempt with its exact configuration (task, limits, image ID, agent)')
    .option('--allow-retagged', 'with --from: run on the recorded image ID even when its tag now names another image')
    .option('--log-level <level>', 'log level on stderr (debug, info, warn, error)', 'warn');
  addModelOptions(addTaskPolicyOptions(command))
    .action(async (file: string | undefined, options: RunFlags, command: Command) => {
      applyTaskPolicyOptions(options as TaskPolicyFlags);
      if ((file === undefined) === (options.from === undefined)) {
        throw new TaskError('USAGE', 'name a task file, or --from <trajectory> to run a recorded task again (not both)');
      }
      const overrides = modelOverridesFrom(options.from === undefined ? options : commandLineOnly(command, options));
      if (options.from !== undefined && Object.values(overrides).some((v) => v !== undefined)) {
        throw new TaskError('USAGE', '--from re-runs the recorded configuration exactly: model flags do not apply (fork with `forager replay --until` instead)');
      }
      const task = file === undefined ? undefined : await loadTask(file);
      const provider = sandboxProvider();
      await provider.health();
      const log = createLogger({ level: options.logLevel });
      // Model flags build the agent here; the task spec (and its hash) stay as the file says.
      const agentSpec = task ? applyModelOverrides(task.spec.agent, overrides) : undefined;
      const prices = await pricesFrom(options);
      const agent = task && agentSpec !== task.spec.agent ? createAgent(agentSpec!, { log, prices }) : undefined;
      const name = task?.spec.id ?? 'rerun';
      const out = options.out ?? join('runs', `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
      const controller = new AbortController();
      const release = abortOnSignals(controller, (signal) => process.stderr.write(`forager: ${signal}: stopping the run…\n`));
      try {
        const result = task
          ? await runTask(task, { out, runId: options.runId ?? `run-${process.pid}-${Date.now()}`, signal: controller.signal, log, agent, prices, provider })
          : await rerunTrajectory(options.from!, { out, signal: controller.signal, log, allowRetagged: options.allowRetagged, provider });
        process.stdout.write(`${summariseFooter(result.footer)}\ntrajectory: ${result.path}\n`);
        process.exitCode = controller.signal.aborted ? EXIT.interrupted : exitCodeForFooter(result.footer);
      } finally {
        release();
      }
    });
}
