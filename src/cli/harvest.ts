import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { loadAgentSpec } from '../agent/index.js';
import { sandboxProvider } from './sandbox-provider.js';
import { harvest, LOG_FILE, needsRedoOutcome, summariseOutcomes, type HarvestOptions, type HarvestResult } from '../scheduler/index.js';
import { TaskError } from '../core/errors.js';
import { EXIT } from './exit-codes.js';
import { addTaskPolicyOptions, applyTaskPolicyOptions, type TaskPolicyFlags } from './task-policy-options.js';
import { addQueueOptions, runEnqueue, type EnqueueCliOptions } from './harvest-enqueue.js';
import { createProgressView } from './harvest-progress.js';
import { formatHarvestSummary } from './harvest-summary.js';
import { createHarvestLogger } from './readable-log.js';
import { createRateLimiter } from '../model/index.js';
import { addModelOptions, modelOverridesFrom, pricesFrom } from './model-options.js';
import { abortOnSignals } from './signals.js';
import { nonNegativeInt, number, positiveInt, size as sizeOption } from './arguments.js';

/** The flags as commander hands them over: the batch's own options plus the CLI's. */
type HarvestCliOptions = Pick<HarvestOptions, 'out' | 'concurrency' | 'attempts' | 'filter' | 'limit' | 'retries' | 'runId'> & {
  logLevel: string;
  imageBudget?: number;
  quiet?: boolean;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  agentFile?: string;
  batchCostLimit?: number;
};

/** Exit within this long of the first signal, whatever is still running (the dead-man and gc clean up). */
const SIGNAL_DEADLINE_MS = 9_000;

export function registerHarvest(program: Command): void {
  const command = program
    .command('harvest')
    .description('Run many tasks (× attempts) into a batch folder; the same command again resumes it')
    .argument('<paths...>', 'task files or folders holding task files')
    .option('-o, --out <dir>', 'batch folder: trajectories, batch.jsonl index, harvest.log (required unless --queue)')
    .option('-c, --concurrency <n>', 'attempts running at once', positiveInt, 4)
    .option('-k, --attempts <k>', 'independent attempts per task', positiveInt, 1)
    .option('--filter <glob>', 'only tasks whose id matches the glob (*, ?, [abc])')
    .option('--limit <n>', 'at most this many tasks (after --filter)', positiveInt)
    .option('--retries <r>', 'retries per attempt for infrastructure failures', nonNegativeInt, 3)
    .option('--log-level <level>', 'log level on stderr (debug, info, warn, error); harvest.log gets debug', 'warn')
    .option('--image-budget <size>', 'after the batch, evict least recently used forager images above this size (e.g. 20GB)', sizeOption)
    .option('--run-id <id>', 'label for the containers (forager.run); default: a fresh id')
    .option('-q, --quiet', 'no progress bar or per-attempt lines, only the summary')
    .option('--requests-per-minute <n>', 'model requests per minute, shared by every run of the batch', positiveInt)
    .option('--tokens-per-minute <n>', 'model tokens per minute, shared by every run of the batch', positiveInt)
    .addOption(new Option('--agent-file <file>', "agent spec (YAML/JSON, the shape of a task's agent:) for every task, in place of its own; model flags override its fields").env('FORAGER_AGENT_FILE'))
    .addOption(new Option('--batch-cost-limit <usd>', 'stop starting attempts once the finished ones cost this many USD (needs prices)').env('FORAGER_BATCH_COST_LIMIT').argParser(number));
  addModelOptions(addTaskPolicyOptions(command));
  addQueueOptions(command).action(async (paths: string[], options: HarvestCliOptions & Partial<EnqueueCliOptions>, self: Command) => {
      applyTaskPolicyOptions(options as TaskPolicyFlags);
      if (options.queue && (options.agentFile || options.batchCostLimit !== undefined)) {
        throw new TaskError('USAGE', 'harvest --queue: --agent-file and --batch-cost-limit apply to a local harvest only (set the agent in the task files)');
      }
      if (options.queue) return runEnqueue(paths, options as HarvestCliOptions & EnqueueCliOptions, self);
      if (!options.out) throw new TaskError('OUT_REQUIRED', 'harvest: --out <dir> is required (unless --queue)');
      const agentSpec = options.agentFile ? await loadAgentSpec(options.agentFile) : undefined;
      const prices = await pricesFrom(options as unknown as Record<string, unknown>);
      if (options.batchCostLimit !== undefined && !prices) {
        process.stderr.write('forager: --batch-cost-limit without --prices or --price-*: no cost is known, so the limit never applies\n');
      }
      const provider = sandboxProvider();
      await provider.health();
      const log = createHarvestLogger(join(options.out, LOG_FILE), options.logLevel);
      const view = createProgressView({ tty: process.stdout.isTTY === true, quiet: options.quiet === true });
      const controller = new AbortController();
      const release = abortOnSignals(controller, (signal) => {
        view.stop();
        process.stderr.write(`forager: ${signal}: stopping; running attempts are being aborted (again to exit at once)\n`);
        setTimeout(() => process.exit(EXIT.interrupted), SIGNAL_DEADLINE_MS).unref();
      });
      let result: HarvestResult;
      try {
        result = await harvest({
          provider,
          paths, out: options.out, concurrency: options.concurrency, attempts: options.attempts, filter: options.filter,
          limit: options.limit, retries: options.retries, signal: controller.signal, log, onEvent: (e) => view.onEvent(e), runId: options.runId,
          agentOverrides: modelOverridesFrom(options as unknown as Record<string, unknown>),
          agentSpec, prices, batchCostLimit: options.batchCostLimit,
          rateLimiter: options.requestsPerMinute || options.tokensPerMinute
            ? createRateLimiter({ requestsPerMinute: options.requestsPerMinute, tokensPerMinute: options.tokensPerMinute })
            : undefined,
        });
      } finally {
        view.stop();
        release();
      }
      const images = new Set(result.outcomes.flatMap((o) => (o.imageRef ? [o.imageRef] : [])));
      await provider.recordImageUse(images).catch((error: unknown) => log.warn({ err: error }, 'could not record image use'));
      let evicted: string[] = [];
      if (options.imageBudget !== undefined && !result.interrupted) {
        evicted = (await provider.evictImages({ budgetBytes: options.imageBudget, log })).map((i) => i.refs[0] ?? i.id);
      }
      const summary = summariseOutcomes(result.outcomes, result.elapsedMs);
      process.stdout.write(formatHarvestSummary(result, summary, options.out, evicted));
      log.info({ summary }, 'batch ended');
      await new Promise<void>((resolve) => log.flush(() => resolve()));
      if (result.interrupted) process.exitCode = EXIT.interrupted;
      // A task failure (setup, image build, a model refusing the key) is final but still worth a non-zero exit.
      else if (result.stopped || result.rejected.length > 0 || result.outcomes.some((o) => needsRedoOutcome(o) || o.failureKind === 'task')) process.exitCode = EXIT.failed;
    });
}
