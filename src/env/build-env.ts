import { join } from 'node:path';
import type { ProvidedSandbox, SandboxProvider } from '../sandbox/index.js';
import { ForagerError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { sandboxEnv, SANDBOX_HOSTNAME } from '../core/sandbox-env.js';
import { DEFAULT_LIMITS } from '../task/index.js';
import { countStatuses } from './test-runs.js';
import type { RepoFacts } from './facts.js';
import { buildEnvImage, EnvBuildFailure, envTask } from './image.js';
import { installScripted } from './install-scripted.js';
import { REPO_ROOT, hashRecipe, type Recipe } from './recipe.js';
import { writeRecord, type EnvAttempt, type EnvRecord } from './record.js';
import { Resolver } from './resolver.js';
import { satisfies } from './requirements.js';
import type { RepoSource } from './source.js';
import { judgeRuns, listPackages, runTwice, type Verification } from './verify.js';
import type { EnvImage } from './image.js';
import type { Resolution } from './plan.js';

/** A model-driven installer, tried where the scripted one fails (env/install-model.ts makes one). */
export type ModelInstaller = (context: ModelInstallContext) => Promise<ModelInstallResult>;

export interface ModelInstallContext {
  source: RepoSource;
  facts: RepoFacts;
  /** The image holding the repository (base + repository), where the model starts. */
  sourceImage: string;
  /** What the scripted installer tried and why it failed, for the model's instruction. */
  scriptedNotes: string[];
  dir: string;
  runId: string;
  signal?: AbortSignal;
}

export interface ModelInstallResult {
  /** The recipe the model's work comes to; null when it left none (the reason says why). */
  recipe: Recipe | null;
  reason: string | null;
  /** Its trajectory, relative to the output folder. */
  trajectory: string;
}

export interface BuildEnvOptions {
  provider: SandboxProvider;
  /** The environment's folder (its record, recipe, logs). */
  dir: string;
  runId: string;
  pipIndex?: string;
  /** Without pipIndex: try PyPI where the sandbox reaches it (default true). */
  pypi?: boolean;
  testTimeoutS?: number;
  maxRounds?: number;
  /** Tried after the scripted installer when it gives no verified environment. */
  modelInstaller?: ModelInstaller;
  /** Skip the scripted installer (the model's alone). */
  scripted?: boolean;
  repository?: string;
  log?: Logger;
  signal?: AbortSignal;
}

/**
 * Build and verify one repository's environment: the repository at its commit in an
 * image, its configuration read, the scripted installer (then the model-driven one when
 * given and needed), the result judged only from two runs in fresh containers of the
 * image built from the recipe, and the record written. Task-level failures (the repository
 * will not install, its tests will not run) end in a `failed` record with its reason;
 * infrastructure failures throw, for the scheduler to retry.
 */
export async function buildEnvironment(source: RepoSource, options: BuildEnvOptions): Promise<EnvRecord> {
  const log = (options.log ?? silentLogger).child({ repo: source.name });
  const started = Date.now();
  const timeoutS = options.testTimeoutS ?? 900;
  const timings = { total_ms: 0, probe_ms: 0, build_ms: 0, tests_ms: 0, model_ms: 0 };
  const attempts: EnvAttempt[] = [];
  const notes: string[] = [];
  const common = { runId: options.runId, taskId: `${source.key}-env`, timeoutS, signal: options.signal };
  let sandbox: ProvidedSandbox | undefined;
  const record = (fields: Partial<EnvRecord>): EnvRecord => ({
    format: 'forager-env', version: 1,
    repo: { name: source.name, key: source.key, source: source.gitDir, commit: source.commit },
    project: null, status: 'failed', reason: null, installer: null, recipe: null, recipe_sha256: null, image: null, python: null, packages: [], resolutions: [],
    test: null, runs: [], status_map: {}, flaky: [], counts: {}, attempts, notes, timings: { ...timings, total_ms: Date.now() - started }, built_at: new Date().toISOString(),
    ...fields,
  });
  let facts: RepoFacts;
  let result: EnvRecord | null = null;
  let lastFailure: { code: string; message: string } | null = null;
  let resolutions: Resolution[] = [];
  try {
    const sourceImage = await options.provider.prepareImage(envTask(`${source.key}-source`, options.dir, {
      image: 'base', repo: { url: source.gitDir, commit: source.commit, root: REPO_ROOT },
    }), { log, signal: options.signal, repository: options.repository });
    // The resolver's sandbox reaches Debian's mirror (and the index): it reads the repository, never runs it.
    sandbox = await options.provider.start({
      image: sourceImage.ref, runId: options.runId, taskId: `${source.key}-resolve`, workdir: REPO_ROOT, env: sandboxEnv({}),
      limits: { ...DEFAULT_LIMITS, network: 'bridge', wall_time_s: 4 * 3600, action_timeout_s: 600 }, hostname: SANDBOX_HOSTNAME, signal: options.signal,
    });
    const resolver = new Resolver(sandbox, options.signal);
    const probeStarted = Date.now();
    facts = await resolver.probe();
    timings.probe_ms = Date.now() - probeStarted;
    const project = { name: facts.name, packages: facts.packages };
    const python = { version: facts.python, requires: facts.requires_python, satisfied: facts.requires_python ? satisfies(facts.python, facts.requires_python) : true };
    if (!python.satisfied) notes.push(`the project asks for Python ${facts.requires_python}; the environment has ${facts.python}`);
    const finish = async (installer: 'scripted' | 'model', recipe: Recipe, image: EnvImage, verification: Verification): Promise<EnvRecord> => ({
      ...record({}),
      project, status: 'verified', installer, recipe, recipe_sha256: hashRecipe(recipe),
      image: { ref: image.image.ref, id: image.image.id, dependencies: image.dependencies.ref }, python,
      packages: await listPackages(options.provider, image.image.ref, common), resolutions,
      test: recipe.test, runs: verification.runs.map(runOf), status_map: verification.map, flaky: verification.flaky,
      counts: { ...countStatuses(verification.map), flaky: verification.flaky.length },
    });

    if (options.scripted !== false) {
      const attemptStarted = Date.now();
      const scripted = await installScripted(source, facts, { ...options, resolver, testTimeoutS: timeoutS, maxRounds: options.maxRounds ?? 4, log });
      timings.build_ms += scripted.buildMs;
      timings.tests_ms += scripted.testsMs;
      notes.push(...scripted.notes);
      resolutions = scripted.plan?.resolutions ?? [];
      let verification: Verification | null = null;
      if (!scripted.failure && scripted.image && scripted.plan) {
        const testsStarted = Date.now();
        const [first, second] = await runTwice(options.provider, scripted.image.image.ref, scripted.plan.recipe.test, { ...common, first: scripted.firstRun ?? undefined });
        timings.tests_ms += Date.now() - testsStarted;
        verification = judgeRuns(first, second, facts.packages, timeoutS, scripted.plan.recipe.test.command);
      }
      const failure = scripted.failure ?? verification?.reason ?? null;
      attempts.push({ installer: 'scripted', outcome: failure ? 'failed' : 'verified', reason: failure, rounds: scripted.rounds, duration_ms: Date.now() - attemptStarted, ...(scripted.plan ? { recipe_sha256: hashRecipe(scripted.plan.recipe) } : {}) });
      if (!failure && verification && scripted.image && scripted.plan) {
        result = await finish('scripted', scripted.plan.recipe, scripted.image, verification);
      } else {
        lastFailure = failure;
        // The failed try's recipe and runs stay in the record: what was tried is what a person (or a model) starts from.
        if (scripted.plan) result = record({ reason: failure, project, python, resolutions, recipe: scripted.plan.recipe, recipe_sha256: hashRecipe(scripted.plan.recipe), test: scripted.plan.recipe.test, runs: (verification?.runs ?? (scripted.firstRun ? [scripted.firstRun] : [])).map(runOf) });
      }
    }
    if ((!result || result.status !== 'verified') && options.modelInstaller) {
      const modelStarted = Date.now();
      const model = await options.modelInstaller({ source, facts, sourceImage: sourceImage.ref, scriptedNotes: [...notes, ...(lastFailure ? [`${lastFailure.code}: ${lastFailure.message}`] : [])], dir: options.dir, runId: options.runId, signal: options.signal });
      timings.model_ms += Date.now() - modelStarted;
      const verdict = model.recipe ? await verifyRecipe(model.recipe, source, options, common, facts, timings, log) : null;
      const failure = model.recipe ? verdict!.failure : { code: 'ENV_INSTALLER_FAILED', message: model.reason ?? 'the model installer left no recipe' };
      attempts.push({ installer: 'model', outcome: failure ? 'failed' : 'verified', reason: failure, rounds: 1, duration_ms: Date.now() - modelStarted, trajectory: model.trajectory, ...(model.recipe ? { recipe_sha256: hashRecipe(model.recipe) } : {}) });
      if (!failure && verdict?.image && verdict.verification) result = await finish('model', model.recipe!, verdict.image, verdict.verification);
      else lastFailure = failure;
    }
    if (!result || result.status !== 'verified') {
      result = { ...(result ?? record({})), reason: lastFailure ?? result?.reason ?? { code: 'ENV_INSTALLER_FAILED', message: 'no installer ran' }, project, python, resolutions };
    }
  } catch (error) {
    // The repository's own failure (its probe, its files) is a result to record; the engine's is not.
    if (!(error instanceof ForagerError) || error.kind !== 'task') throw error;
    result = record({ reason: { code: error.code, message: error.message.slice(0, 4000) } });
  } finally {
    await sandbox?.stop().catch(() => undefined);
  }
  result = { ...result, attempts, notes, timings: { ...timings, total_ms: Date.now() - started } };
  await writeRecord(options.dir, result);
  log.info({ status: result.status, reason: result.reason?.code, ms: result.timings.total_ms }, 'environment done');
  return result;
}

/** Build a recipe from scratch (no model) and judge it from two fresh runs. */
async function verifyRecipe(recipe: Recipe, source: RepoSource, options: BuildEnvOptions, common: { runId: string; taskId: string; timeoutS: number; signal?: AbortSignal }, facts: RepoFacts, timings: EnvRecord['timings'], log: Logger) {
  const started = Date.now();
  let image: EnvImage;
  try {
    image = await buildEnvImage(options.provider, source, recipe, options.dir, { repository: options.repository, log, signal: options.signal });
  } catch (error) {
    timings.build_ms += Date.now() - started;
    if (error instanceof EnvBuildFailure) return { failure: { code: 'ENV_BUILD_FAILED', message: error.message.slice(0, 4000) }, image: null, verification: null };
    throw error;
  }
  timings.build_ms += Date.now() - started;
  const testsStarted = Date.now();
  const [first, second] = await runTwice(options.provider, image.image.ref, recipe.test, common);
  timings.tests_ms += Date.now() - testsStarted;
  const verification = judgeRuns(first, second, facts.packages, common.timeoutS, recipe.test.command);
  return { failure: verification.reason, image, verification };
}

function runOf(run: { exitCode: number | null; timedOut: boolean; durationMs: number; map: object; logTail: string }) {
  return { exit_code: run.exitCode, timed_out: run.timedOut, duration_ms: run.durationMs, total: Object.keys(run.map).length, log_tail: run.logTail };
}

/** The folder of one repository's environment under an output folder. */
export function envDir(out: string, key: string): string {
  return join(out, 'envs', key);
}
