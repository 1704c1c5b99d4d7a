import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import { backoffDelay, type BackoffOptions } from '../core/backoff.js';
import type { SandboxProvider } from '../sandbox/index.js';
import { AbortedError, ForagerError, toForagerError } from '../core/errors.js';
import { classifyError } from '../core/failure.js';
import { silentLogger, type Logger } from '../core/log.js';
import { sleep } from '../core/sleep.js';
import { keyOf, nameOf, resolveRepo, writeRecord, type ModelInstaller, type RepoInput, type RepoSource } from '../env/index.js';
import { SupplyLog, STAGES, type StageName, type SupplyEvent } from './events.js';
import { supplyPaths } from './layout.js';
import { STAGE_TABLE, type StageContext } from './stages.js';

export interface SupplyOptions {
  provider: SandboxProvider;
  out: string;
  /** Repositories worked on at once. */
  concurrency: number;
  /** The stages to run, in pipeline order (default all). */
  stages?: StageName[];
  /** Tries of a stage that failed for infrastructure, beyond the first. */
  retries?: number;
  backoff?: BackoffOptions;
  pipIndex?: string;
  /** Without pipIndex: try PyPI where the sandbox reaches it (default true). */
  pypi?: boolean;
  testTimeoutS?: number;
  modelInstaller?: ModelInstaller;
  scripted?: boolean;
  last?: number;
  mutants?: number;
  seed?: number;
  runId: string;
  repository?: string;
  log?: Logger;
  signal?: AbortSignal;
  onEvent?: (event: SupplyEvent) => void;
}

export interface SupplyResult {
  repos: { name: string; key: string; failed: { stage: StageName; code: string; message: string; final: boolean } | null }[];
  interrupted: boolean;
  elapsedMs: number;
}

/**
 * From repositories to tasks: for each repository, env build → mine → mutate →
 * validate, each stage skipped when its output is in place (a rerun resumes), retried
 * with backoff when it failed for infrastructure, and ending the repository's run when it
 * failed for the repository's own reasons (recorded, final). Repositories run through a
 * p-queue at `concurrency`; an abort stops taking work.
 */
export async function runSupply(inputs: RepoInput[], options: SupplyOptions): Promise<SupplyResult> {
  const started = Date.now();
  const log = options.log ?? silentLogger;
  const stages = STAGES.filter((s) => (options.stages ?? STAGES).includes(s));
  const events = await SupplyLog.open(options.out);
  const say = (event: SupplyEvent): void => {
    void events.append(event);
    options.onEvent?.(event);
  };
  const batch = new AbortController();
  setMaxListeners(options.concurrency * 4 + 16, batch.signal);
  const onAbort = () => batch.abort(options.signal?.reason ?? new AbortedError());
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const results: SupplyResult['repos'] = [];
  try {
    say({ type: 'planned', repos: inputs.length, stages });
    const queue = new PQueue({ concurrency: options.concurrency });
    batch.signal.addEventListener('abort', () => queue.clear(), { once: true });
    for (const input of inputs) {
      void queue.add(async () => {
        if (batch.signal.aborted) return;
        results.push(await runRepository(input, stages, { ...options, signal: batch.signal, log }, say));
      }).catch((error: unknown) => log.error({ err: error, repo: input.location }, 'a repository failed to run'));
    }
    await queue.onIdle();
    if (batch.signal.aborted) say({ type: 'interrupted', reason: String((batch.signal.reason as Error | undefined)?.message ?? 'aborted') });
    return { repos: results, interrupted: batch.signal.aborted, elapsedMs: Date.now() - started };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await events.close();
  }
}

async function runRepository(input: RepoInput, stages: StageName[], options: SupplyOptions & { log: Logger; signal: AbortSignal }, say: (e: SupplyEvent) => void): Promise<SupplyResult['repos'][number]> {
  let source: RepoSource;
  try {
    source = await resolveRepo(input, supplyPaths.sources(options.out), options.signal);
  } catch (error) {
    const failure = toForagerError(error);
    const name = input.name ?? input.location;
    if (failure.kind !== 'task') throw failure;
    // A repository that does not clone is a result: its record says so, for the yield report.
    await recordUnclonable(input, failure, options.out);
    say({ type: 'stage-failed', repo: name, stage: 'env', code: failure.code, message: failure.message, final: true, duration_ms: 0 });
    return { name, key: name, failed: { stage: 'env', code: failure.code, message: failure.message, final: true } };
  }
  const ctx: StageContext = {
    source, out: options.out, provider: options.provider, runId: options.runId, log: options.log.child({ repo: source.name }), signal: options.signal,
    pipIndex: options.pipIndex, pypi: options.pypi ?? true, testTimeoutS: options.testTimeoutS ?? 900, modelInstaller: options.modelInstaller, scripted: options.scripted ?? true,
    last: options.last ?? 500, mutants: options.mutants ?? 20, seed: options.seed ?? 0, repository: options.repository,
  };
  for (const name of stages) {
    const stage = STAGE_TABLE[name];
    const skip = await stage.skip(ctx);
    if (skip) {
      say({ type: 'stage-skipped', repo: source.name, stage: name, reason: skip });
      continue;
    }
    const failed = await runStage(name, ctx, options, say);
    if (failed) return { name: source.name, key: source.key, failed };
  }
  return { name: source.name, key: source.key, failed: null };
}

/** One stage with its retries; the failure that ended it, or null when it finished. */
async function runStage(name: StageName, ctx: StageContext, options: SupplyOptions & { signal: AbortSignal }, say: (e: SupplyEvent) => void) {
  const retries = options.retries ?? 2;
  const backoff = options.backoff ?? { baseMs: 1000, capMs: 30_000 };
  for (let attempt = 0; ; attempt += 1) {
    const started = Date.now();
    say({ type: 'stage-started', repo: ctx.source.name, stage: name, try: attempt });
    try {
      const summary = await STAGE_TABLE[name].run(ctx);
      say({ type: 'stage-finished', repo: ctx.source.name, stage: name, ok: !/^failed|^no mutants/.test(summary), summary, duration_ms: Date.now() - started });
      return null;
    } catch (error) {
      const failure = toForagerError(error);
      const decision = options.signal.aborted ? 'redo-on-resume' : classifyError(failure);
      if (decision === 'retry-now' && attempt < retries) {
        const delay = backoffDelay(attempt, backoff);
        say({ type: 'stage-retry', repo: ctx.source.name, stage: name, code: failure.code, message: failure.message.split('\n')[0]!, delay_ms: delay });
        await sleep(delay, options.signal).catch(() => undefined);
        continue;
      }
      const final = decision === 'final';
      say({ type: 'stage-failed', repo: ctx.source.name, stage: name, code: failure.code, message: failure.message.split('\n')[0]!, final, duration_ms: Date.now() - started });
      return { stage: name, code: failure.code, message: failure.message, final };
    }
  }
}

async function recordUnclonable(input: RepoInput, failure: ForagerError, out: string): Promise<void> {
  const name = input.name ?? nameOf(input.location);
  await writeRecord(supplyPaths.env(out, keyOf(name)), {
    format: 'forager-env', version: 1, repo: { name, key: keyOf(name), source: input.location, commit: '0'.repeat(40) },
    project: null, status: 'failed', reason: { code: failure.code === 'ENV_REVISION_MISSING' ? failure.code : 'ENV_CLONE_FAILED', message: failure.message },
    installer: null, recipe: null, recipe_sha256: null, image: null, python: null, packages: [], resolutions: [], test: null, runs: [], status_map: {}, flaky: [], counts: {},
    attempts: [], notes: [], timings: { total_ms: 0, probe_ms: 0, build_ms: 0, tests_ms: 0, model_ms: 0 }, built_at: new Date().toISOString(),
  });
}
