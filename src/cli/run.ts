import { join } from 'node:path';
import type { Command } from 'commander';
import { applyModelOverrides, createAgent } from '../agent/index.js';
import { createLogger } from '../core/log.js';
import { runTask } from '../runner/index.js';
import { loadTask } from '../task/index.js';
import { requireEngine } from '../sandbox/docker/engine.js';
import { EXIT } from './exit-codes.js';
import { addModelOptions, modelOverridesFrom } from './model-options.js';
import { abortOnSignals } from './signals.js';
import { exitCodeForFooter, summariseFooter } from './summary.js';

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('Run one task in a fresh sandbox and write its trajectory')
    .argument('<task>', 'task file (YAML or JSON)')
    .option('-o, --out <file>', 'trajectory file to write (default: runs/<task>-<time>.jsonl)')
    .option('--run-id <id>', 'label for the run (containers carry it as forager.run)')
    .option('--log-level <level>', 'log level on stderr (debug, info, warn, error)', 'warn');
  addModelOptions(command)
    .action(async (file: string, options: { out?: string; runId?: string; logLevel: string } & Record<string, unknown>) => {
      const task = await loadTask(file);
      await requireEngine();
      const log = createLogger({ level: options.logLevel });
      // Model flags build the agent here; the task spec (and its hash) stay as the file says.
      const agentSpec = applyModelOverrides(task.spec.agent, modelOverridesFrom(options));
      const agent = agentSpec === task.spec.agent ? undefined : createAgent(agentSpec, { log });
      const out = options.out ?? join('runs', `${task.spec.id}-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
      const controller = new AbortController();
      const release = abortOnSignals(controller, (signal) => process.stderr.write(`forager: ${signal}: stopping the run…\n`));
      try {
        const result = await runTask(task, { out, runId: options.runId ?? `run-${process.pid}-${Date.now()}`, signal: controller.signal, log, agent });
        process.stdout.write(`${summariseFooter(result.footer)}\ntrajectory: ${result.path}\n`);
        process.exitCode = controller.signal.aborted ? EXIT.interrupted : exitCodeForFooter(result.footer);
      } finally {
        release();
      }
    });
}
