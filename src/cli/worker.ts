import { hostname } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { sandboxProvider } from './sandbox-provider.js';
import { EXIT } from './exit-codes.js';
import { createHarvestLogger } from './readable-log.js';
import { duration, nonNegativeInt, positiveInt } from './arguments.js';

interface WorkerCliOptions {
  queue: string;
  out: string;
  concurrency: number;
  retries: number;
  /** Milliseconds, like every duration below (flags take 30s, 500ms, 2m). */
  grace: number;
  lockDuration: number;
  stalledInterval: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  rateWindow: number;
  rateKey: string;
  logLevel: string;
  runId?: string;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('Take attempts from a queue (forager harvest --queue) and run them with this machine\'s Docker engine')
    .requiredOption('--queue <url>', 'Redis of the queue, e.g. redis://host:6379')
    .requiredOption('-o, --out <dir>', 'where batches go: DIR/<batch>/trajectories/… (a shared file system in a cluster)')
    .option('-c, --concurrency <n>', 'attempts running at once on this machine', positiveInt, 4)
    .option('--retries <r>', 'local retries per attempt for infrastructure failures', nonNegativeInt, 3)
    .option('--grace <duration>', 'on SIGINT/SIGTERM, let running attempts finish this long before handing them back (30s, 2m; a bare number is seconds)', duration('s'), 30_000)
    .option('--lock-duration <duration>', 'job lock lifetime; a dead worker\'s attempts are taken over after about this long (30s; a bare number is ms)', positiveDuration('ms'), 30_000)
    .option('--stalled-interval <duration>', 'how often to look for attempts of dead workers (15s; a bare number is ms)', positiveDuration('ms'), 15_000)
    .option('--requests-per-minute <n>', 'model requests allowed per window, shared by every worker of the queue', positiveInt)
    .option('--tokens-per-minute <n>', 'model tokens allowed per window, shared by every worker of the queue', positiveInt)
    .option('--rate-window <duration>', 'length of the rate-limit window (1m: per minute; a bare number is ms)', positiveDuration('ms'), 60_000)
    .option('--rate-key <name>', 'workers with the same key share one limit', 'default')
    .option('--run-id <id>', 'label for this worker\'s containers (forager.run); default: a fresh id')
    .option('--log-level <level>', 'log level on stderr; DIR/logs/worker-<host>-<pid>.log gets debug', 'info')
    .action(async (options: WorkerCliOptions) => {
      const provider = sandboxProvider();
      await provider.health();
      const log = createHarvestLogger(join(options.out, 'logs', `worker-${hostname()}-${process.pid}.log`), options.logLevel);
      const limited = options.requestsPerMinute !== undefined || options.tokensPerMinute !== undefined;
      const { startWorker } = await import('../queue/index.js');
      const worker = await startWorker({
        provider,
        queue: options.queue, out: options.out, concurrency: options.concurrency, retries: options.retries, log, runId: options.runId,
        lockDurationMs: options.lockDuration, stalledIntervalMs: options.stalledInterval,
        rateLimit: limited ? { requestsPerMinute: options.requestsPerMinute, tokensPerMinute: options.tokensPerMinute, windowMs: options.rateWindow, name: options.rateKey } : undefined,
        onJob: (e) => log.info({ job: e.jobId, status: e.result?.status, error: e.error }, `job ${e.type}`),
      });
      process.stderr.write(`forager worker ${worker.id}: taking attempts from the queue (concurrency ${options.concurrency}, containers labelled ${worker.runId})\n`);
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      process.stderr.write(`forager worker: ${signal}: taking no more attempts; ${worker.running()} running get ${options.grace / 1000} s, then go back to the queue (again to exit at once)\n`);
      const again = (second: NodeJS.Signals) => {
        process.stderr.write(`forager worker: second ${second}, exiting now (locks expire and other workers take the attempts; the dead-man and forager gc end the containers)\n`);
        process.exit(EXIT.interrupted);
      };
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      const { handedBack } = await worker.close(options.grace);
      process.stderr.write(`forager worker: stopped; ${handedBack} attempt(s) handed back to the queue\n`);
      await new Promise<void>((resolve) => log.flush(() => resolve()));
      process.exitCode = EXIT.interrupted;
    });
}

/** A duration that must be above zero. */
function positiveDuration(bareUnit: 'ms' | 's'): (value: string) => number {
  const parse = duration(bareUnit);
  return (value) => {
    const ms = parse(value);
    if (ms < 1) throw new InvalidArgumentError(`expected a duration above zero, found "${value}"`);
    return ms;
  };
}
