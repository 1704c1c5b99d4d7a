import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { createLogger } from '../core/log.js';
import { TaskError } from '../core/errors.js';
import { createModelInstaller, readRecord, readRepoInputs, type RepoInput } from '../env/index.js';
import { addModelOptions, modelOverridesFrom } from './model-options.js';
import { mineRepository } from '../mine/index.js';
// Not the folder's index: it holds the queue, whose client (bullmq, ioredis) only the queue commands load.
import { runSupply, type SupplyOptions } from '../supply/pipeline.js';
import { STAGES, type StageName } from '../supply/events.js';
import { supplyPaths } from '../supply/layout.js';
import { readYield, renderYield } from '../supply/yield.js';
import { nonNegativeInt, positiveInt } from './arguments.js';
import { EXIT } from './exit-codes.js';
import { sandboxProvider } from './sandbox-provider.js';
import { abortOnSignals } from './signals.js';
import { createSupplyView } from './supply-progress.js';

interface SupplyCliOptions {
  out: string;
  concurrency: number;
  retries: number;
  pipIndex?: string;
  pypi: boolean;
  testTimeout: number;
  last: number;
  mutants: number;
  seed: number;
  stages?: string;
  queue?: string;
  batch?: string;
  installer: 'scripted' | 'model' | 'auto';
  logLevel: string;
  quiet?: boolean;
  runId?: string;
  commit?: string[];
}

/** `--pip-index URL`: a URL the sandboxes can reach (never the host's loopback, which a container does not share). */
export function checkPipIndex(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TaskError('ENV_PIP_INDEX_INVALID', `--pip-index: expected an http(s) URL of a simple index, got ${JSON.stringify(url)}`);
  }
  if (!/^https?:$/.test(parsed.protocol)) throw new TaskError('ENV_PIP_INDEX_INVALID', `--pip-index: expected an http(s) URL, got ${JSON.stringify(url)}`);
  if (/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(parsed.hostname)) {
    throw new TaskError('ENV_PIP_INDEX_LOOPBACK', `--pip-index: ${url} is the host's loopback, which containers do not reach; serve the index on an address they do (the Docker bridge's gateway, e.g. 172.17.0.1, or the host's own address)`);
  }
  return url.replace(/\/+$/, '');
}

function addCommonOptions(command: Command): Command {
  return addModelOptions(command)
    .requiredOption('-o, --out <dir>', 'output folder (see docs/supply.md); the same command again resumes it')
    .option('-c, --concurrency <n>', 'repositories worked on at once', positiveInt, 1)
    .option('--retries <r>', 'retries of a stage that failed for infrastructure', nonNegativeInt, 2)
    .option('--pip-index <url>', 'a PEP 503 simple index the sandboxes reach (default: PyPI where they reach it; Debian\'s packages for the rest)')
    .option('--no-pypi', 'without --pip-index: do not try PyPI, Debian\'s packages only')
    .option('--test-timeout <s>', 'limit of one run of a test suite, seconds', positiveInt, 900)
    .addOption(new Option('--installer <which>', 'scripted; model (the model-driven installer alone); auto (scripted, then the model where it fails and a model is given)').choices(['scripted', 'model', 'auto']).default('auto'))
    .option('--log-level <level>', 'log level on stderr', 'warn')
    .option('-q, --quiet', 'no progress, only the summary')
    .option('--run-id <id>', 'label of the containers (forager.run)');
}

async function run(args: string[], stages: StageName[], options: SupplyCliOptions): Promise<void> {
  const inputs: RepoInput[] = await readRepoInputs(args);
  if (inputs.length === 0) throw new TaskError('ENV_NO_REPOSITORIES', 'no repositories given');
  const provider = sandboxProvider();
  await provider.health();
  const log = createLogger({ level: options.logLevel });
  const view = createSupplyView({ tty: process.stdout.isTTY === true, quiet: options.quiet === true });
  const controller = new AbortController();
  const release = abortOnSignals(controller, (signal) => {
    view.stop();
    process.stderr.write(`forager: ${signal}: stopping; the running stages are being aborted (again to exit at once)\n`);
  });
  const overrides = modelOverridesFrom(options as unknown as Record<string, unknown>);
  if (options.installer === 'model' && !overrides.baseUrl) throw new TaskError('USAGE', '--installer model needs a model endpoint (--model-url, --model)');
  const modelInstaller = options.installer !== 'scripted' && overrides.baseUrl
    ? createModelInstaller({ provider, overrides, out: options.out, log })
    : undefined;
  const supply: SupplyOptions = {
    modelInstaller,
    provider, out: options.out, concurrency: options.concurrency, stages, retries: options.retries, pipIndex: checkPipIndex(options.pipIndex), pypi: options.pypi,
    testTimeoutS: options.testTimeout, last: options.last, mutants: options.mutants, seed: options.seed, scripted: options.installer !== 'model',
    runId: options.runId ?? `supply-${process.pid}`, log, signal: controller.signal, onEvent: (e) => view.onEvent(e),
  };
  try {
    const result = await runSupply(inputs, supply);
    view.stop();
    process.stdout.write(renderYield(await readYield(options.out)));
    if (result.interrupted) process.exitCode = EXIT.interrupted;
    else if (result.repos.some((r) => r.failed && !r.failed.final)) process.exitCode = EXIT.infrastructure;
  } finally {
    release();
  }
}

/** `forager env build`, `forager tasks mine`, `forager supply` and `forager supply report`. */
export function registerSupply(program: Command, tasks: Command): void {
  const env = program.command('env').description('Repository environments: image, recipe, verified status map');
  addCommonOptions(env
    .command('build')
    .description('Build and verify each repository\'s environment (scripted installer, then a model where it fails); a batch resumes')
    .argument('<repos...>', 'git URLs, checkouts, bare repositories (URL@rev, path) or list files (.txt: "location [revision] [name=owner/name]" per line)'))
    .action(async (repos: string[], options: SupplyCliOptions) => {
      await run(repos, ['env'], { ...options, last: 500, mutants: 0, seed: 0 });
      if (!process.exitCode && (await readYield(options.out)).some((r) => r.env !== 'verified')) process.exitCode = EXIT.failed;
    });

  addCommonOptions(tasks
    .command('mine')
    .description('Issue-fix tasks from history (commits changing tests and code; FAIL_TO_PASS from runs before and after) in SWE-bench layout')
    .argument('<repos...>', 'repositories as for `env build`, or environment folders (holding env.json) built before')
    .option('--last <n>', 'commits of the first-parent history looked at', positiveInt, 500)
    .option('--commit <sha...>', 'only these commits of the window (environment folders only): mine chosen commits again'))
    .action(async (repos: string[], options: SupplyCliOptions) => {
      const envFolders = (await Promise.all(repos.map(async (r) => ((await readFile(join(r, 'env.json')).catch(() => null)) ? r : null)))).filter((r): r is string => r !== null);
      const others = repos.filter((r) => !envFolders.includes(r));
      if (options.commit && others.length > 0) throw new TaskError('USAGE', `--commit mines chosen commits of a built environment: ${others.join(', ')} holds no env.json`);
      for (const folder of envFolders) {
        const record = (await readRecord(folder))!;
        const provider = sandboxProvider();
        const report = await mineRepository(record, { provider, dir: supplyPaths.mine(options.out, record.repo.key), runId: options.runId ?? `mine-${process.pid}`, last: options.last, commits: options.commit, log: createLogger({ level: options.logLevel }) });
        process.stdout.write(`${record.repo.name}: ${report.kept} tasks from ${report.candidates} candidate commits of ${report.scanned} → ${supplyPaths.mine(options.out, record.repo.key)}\n`);
      }
      if (others.length > 0) await run(others, ['env', 'mine'], { ...options, mutants: 0, seed: 0 });
    });

  const supply = program.command('supply').description('From repositories to verified tasks: env build → mine → mutate → validate, resumable, with a yield report');
  addCommonOptions(supply
    .command('run', { isDefault: true })
    .description('Run the pipeline over repositories (the same command again resumes)')
    .argument('<repos...>', 'repositories as for `env build`')
    .option('--last <n>', 'commits of history mined per repository', positiveInt, 500)
    .option('--mutants <n>', 'mutate-fix tasks made per repository (0: none)', nonNegativeInt, 20)
    .option('--seed <s>', 'mutation seed', nonNegativeInt, 0)
    .option('--stages <list>', `stages to run, comma separated (${STAGES.join(',')})`)
    .option('--queue <url>', 'enqueue one job per repository on this Redis (BullMQ) instead of running; `forager supply worker` runs them')
    .option('--batch <id>', 'with --queue: the batch id (default: a hash of the repositories and settings)'))
    .action(async (repos: string[], options: SupplyCliOptions) => {
      const stages = options.stages ? options.stages.split(',').map((s) => s.trim()) : [...STAGES];
      const unknown = stages.filter((s) => !(STAGES as readonly string[]).includes(s));
      if (unknown.length) throw new TaskError('USAGE', `--stages: unknown stage ${unknown.join(', ')}; expected some of ${STAGES.join(', ')}`);
      if (options.queue) {
        const overrides = modelOverridesFrom(options as unknown as Record<string, unknown>);
        const { enqueueSupply } = await import('../supply/queue.js');
        const result = await enqueueSupply(await readRepoInputs(repos), {
          stages: stages as StageName[], last: options.last, mutants: options.mutants, seed: options.seed, testTimeoutS: options.testTimeout,
          pipIndex: checkPipIndex(options.pipIndex), pypi: options.pypi, installer: options.installer, ...(overrides.baseUrl ? { model: overrides } : {}),
        }, { queue: options.queue, batch: options.batch });
        process.stdout.write(`batch ${result.batch}: ${result.added} repositories enqueued, ${result.existing} already there; workers write to <out>/${result.batch}\n`);
        return;
      }
      await run(repos, stages as StageName[], options);
    });
  supply
    .command('worker')
    .description('Take repositories from the supply queue and run their pipelines with this machine\'s engine')
    .requiredOption('--queue <url>', 'redis://host:port')
    .requiredOption('-o, --out <dir>', 'batches go to <out>/<batch>/ (a shared file system in a cluster)')
    .option('-c, --concurrency <n>', 'repositories at once', positiveInt, 1)
    .option('--log-level <level>', 'log level on stderr', 'warn')
    .action(async (options: { queue: string; out: string; concurrency: number; logLevel: string }) => {
      const provider = sandboxProvider();
      await provider.health();
      const { startSupplyWorker } = await import('../supply/queue.js');
      const worker = await startSupplyWorker({ queue: options.queue, out: options.out, provider, concurrency: options.concurrency, log: createLogger({ level: options.logLevel }) });
      process.stdout.write(`supply worker on ${options.queue}, writing to ${options.out}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await worker.close();
      process.exitCode = EXIT.interrupted;
    });
  supply
    .command('report')
    .description('The per-repository yield table of a supply folder')
    .argument('<dir>', 'a supply folder')
    .option('--json', 'as JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      const rows = await readYield(dir);
      process.stdout.write(options.json ? `${JSON.stringify(rows, null, 1)}\n` : renderYield(rows));
    });
}
