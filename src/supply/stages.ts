import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';
import type { SandboxProvider } from '../sandbox/index.js';
import { codeInfo, ForagerError, InfrastructureError, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { buildEnvironment, readRecord, REPO_ROOT, type EnvRecord, type ModelInstaller, type RepoSource } from '../env/index.js';
import { proveTask } from '../eval/index.js';
import { mineRepository, MINE_REPORT } from '../mine/index.js';
import { loadMutationSource, mutateRepository } from '../mutate/index.js';
import { findTaskFiles, loadTask } from '../task/index.js';
import type { StageName } from './events.js';
import { supplyPaths } from './layout.js';

export interface StageContext {
  source: RepoSource;
  out: string;
  provider: SandboxProvider;
  runId: string;
  log: Logger;
  signal?: AbortSignal;
  pipIndex?: string;
  pypi: boolean;
  testTimeoutS: number;
  modelInstaller?: ModelInstaller;
  scripted: boolean;
  /** Commits of history mined. */
  last: number;
  /** Mutate-fix tasks made per repository. */
  mutants: number;
  seed: number;
  repository?: string;
}

/** One step of the pipeline for one repository: whether it is done already, and how to do it. */
export interface Stage {
  name: StageName;
  /** Why it need not run (its output is in place, or an earlier stage leaves it nothing to do); null: run it. */
  skip(ctx: StageContext): Promise<string | null>;
  /** Do it; a one-line summary. */
  run(ctx: StageContext): Promise<string>;
}

async function env(ctx: StageContext): Promise<EnvRecord | null> {
  return readRecord(supplyPaths.env(ctx.out, ctx.source.key));
}

async function needsVerifiedEnv(ctx: StageContext): Promise<string | null> {
  const record = await env(ctx);
  if (!record) return 'no environment';
  return record.status === 'verified' ? null : `no verified environment (${record.reason?.code ?? 'failed'})`;
}

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(() => true, () => false);
}

const envStage: Stage = {
  name: 'env',
  async skip(ctx) {
    const record = await env(ctx);
    // A failed environment the model installer has not tried yet is tried again once a model is named.
    if (record?.status === 'failed' && ctx.modelInstaller && record.attempts.length > 0 && !record.attempts.some((a) => a.installer === 'model')) return null;
    return record ? `recorded ${record.status}${record.reason ? ` (${record.reason.code})` : ''}` : null;
  },
  async run(ctx) {
    const record = await buildEnvironment(ctx.source, {
      provider: ctx.provider, dir: supplyPaths.env(ctx.out, ctx.source.key), runId: ctx.runId, pipIndex: ctx.pipIndex, pypi: ctx.pypi, testTimeoutS: ctx.testTimeoutS,
      modelInstaller: ctx.modelInstaller, scripted: ctx.scripted, repository: ctx.repository, log: ctx.log, signal: ctx.signal,
    });
    return record.status === 'verified'
      ? `verified by the ${record.installer} installer: ${record.counts.PASSED} passing, ${record.counts.flaky} flaky of ${(record.counts.total ?? 0) + (record.counts.flaky ?? 0)} in ${(record.timings.total_ms / 60000).toFixed(1)} min`
      : `failed: ${record.reason?.code}: ${record.reason?.message.split('\n')[0]?.slice(0, 200)}`;
  },
};

const mineStage: Stage = {
  name: 'mine',
  async skip(ctx) {
    if (await exists(join(supplyPaths.mine(ctx.out, ctx.source.key), MINE_REPORT))) return 'mined';
    return needsVerifiedEnv(ctx);
  },
  async run(ctx) {
    const report = await mineRepository((await env(ctx))!, { provider: ctx.provider, dir: supplyPaths.mine(ctx.out, ctx.source.key), runId: ctx.runId, last: ctx.last, log: ctx.log, signal: ctx.signal });
    return `${report.kept} tasks from ${report.candidates} candidate commits of ${report.scanned}`;
  },
};

export const MUTATE_REPORT = 'mutate.json';

const mutateStage: Stage = {
  name: 'mutate',
  async skip(ctx) {
    if (ctx.mutants === 0) return 'no mutants asked for';
    if (await exists(join(supplyPaths.mutants(ctx.out, ctx.source.key), MUTATE_REPORT))) return 'mutated';
    return needsVerifiedEnv(ctx);
  },
  async run(ctx) {
    const record = (await env(ctx))!;
    const dir = supplyPaths.mutants(ctx.out, ctx.source.key);
    const passing = Object.entries(record.status_map).find(([, s]) => s === 'PASSED')![0];
    // The mutation source: the environment's image and commit, its tests writing JUnit where mutation reads them.
    const spec = {
      id: ctx.source.key, instruction: 'mutation source', image: { ref: record.image!.ref }, workdir: REPO_ROOT,
      repo: { in_image: true, commit: record.repo.commit, root: REPO_ROOT },
      eval: { test_command: `${record.recipe!.test.command} --junitxml=$FORAGER_JUNIT`, fail_to_pass: [], pass_to_pass: [passing] },
      agent: { type: 'scripted', actions: [{ tool: 'submit' }] },
      metadata: { repo: record.repo.name },
    };
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'source.task.yaml'), stringify(spec, { lineWidth: 0 }));
    const started = Date.now();
    let report;
    try {
      report = await mutateRepository(await loadMutationSource(join(dir, 'source.task.yaml')), {
        count: ctx.mutants, seed: ctx.seed, out: dir, provider: ctx.provider, runId: ctx.runId, repository: ctx.repository, log: ctx.log, signal: ctx.signal,
      });
    } catch (error) {
      // A repository mutation cannot work on (no passing test under the tracer) is a result for the yield report.
      if (!(error instanceof ForagerError) || error.kind !== 'task') throw error;
      await writeJson(join(dir, MUTATE_REPORT), { kept: 0, error: { code: error.code, message: error.message.slice(0, 2000) }, duration_ms: Date.now() - started });
      return `no mutants: ${error.code}`;
    }
    await writeJson(join(dir, MUTATE_REPORT), { kept: report.tasks.length, tried: report.tried, candidates: report.candidates, passing_tests: report.passingTests, discarded: report.discarded, tasks: report.tasks.map((t) => t.id), duration_ms: Date.now() - started });
    return `${report.tasks.length} mutants kept of ${report.tried} tried`;
  },
};

/** One task's verdict in OUT/validate/<key>.json. */
export interface TaskVerdict {
  id: string;
  kind: 'issue-fix' | 'mutate-fix';
  path: string;
  sound: boolean;
  reason: string | null;
}

const validateStage: Stage = {
  name: 'validate',
  async skip(ctx) {
    if (await exists(supplyPaths.validate(ctx.out, ctx.source.key))) return 'validated';
    return needsVerifiedEnv(ctx);
  },
  async run(ctx) {
    const started = Date.now();
    const files = [
      ...(await taskFilesIn(join(supplyPaths.mine(ctx.out, ctx.source.key), 'tasks'))).map((path) => ({ path, kind: 'issue-fix' as const })),
      ...(await taskFilesIn(supplyPaths.mutants(ctx.out, ctx.source.key))).filter((p) => !p.endsWith('source.task.yaml')).map((path) => ({ path, kind: 'mutate-fix' as const })),
    ];
    const verdicts: TaskVerdict[] = [];
    for (const file of files) {
      try {
        const proof = await proveTask(await loadTask(file.path), { runId: ctx.runId, provider: ctx.provider, log: ctx.log, signal: ctx.signal, repository: ctx.repository });
        // The harness failing under a proof (engine, container) says nothing of the task: the stage is retried.
        const broken = [proof.gold?.error, proof.empty?.error].find((e) => e?.kind === 'infrastructure');
        if (broken) throw new ForagerError(codeInfo(broken.code) ? broken.code as ErrorCode : 'UNKNOWN', 'infrastructure', `validating ${file.path}: ${broken.message}`);
        verdicts.push({ id: proof.id, kind: file.kind, path: file.path, sound: proof.sound, reason: proof.reason });
      } catch (error) {
        if (!(error instanceof ForagerError) || error.kind !== 'task') throw error;
        verdicts.push({ id: file.path, kind: file.kind, path: file.path, sound: false, reason: error.message.split('\n')[0]! });
      }
    }
    await writeJson(supplyPaths.validate(ctx.out, ctx.source.key), { tasks: verdicts, duration_ms: Date.now() - started });
    const sound = verdicts.filter((v) => v.sound);
    return `${sound.length} of ${verdicts.length} sound (${sound.filter((v) => v.kind === 'issue-fix').length} issue-fix, ${sound.filter((v) => v.kind === 'mutate-fix').length} mutate-fix)`;
  },
};

async function taskFilesIn(dir: string): Promise<string[]> {
  if (!(await readdir(dir).catch(() => null))) return [];
  return findTaskFiles([dir]);
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  const tmp = `${path}.${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 1)}\n`);
  await rename(tmp, path);
}

export const STAGE_TABLE: Record<StageName, Stage> = { env: envStage, mine: mineStage, mutate: mutateStage, validate: validateStage };
