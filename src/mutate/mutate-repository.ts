import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { AgentSpec } from '../agent/index.js';
import type { SandboxProvider } from '../sandbox/index.js';
import { TaskError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { sandboxEnv } from '../runner/index.js';
import { SANDBOX_HOSTNAME } from '../core/sandbox-env.js';
import { DEFAULT_LIMITS } from '../task/index.js';
import { CandidateFileSchema, parseHelperOutput, sortCandidates, TraceSchema } from './candidates.js';
import { DEFAULT_SHARES, type KindShares, type MutationKind } from './kinds.js';
import { MutantRepo } from './mutant-repo.js';
import { MutantPlanner } from './planner.js';
import type { MutationSource } from './source.js';
import { mutantTaskSpec, type Mutant } from './task-spec.js';
import { judgeMutant } from './try-mutant.js';
import { Workbench, statusesIn } from './workbench.js';

export interface MutateOptions {
  count: number;
  /** Where the mutation sandbox runs. */
  provider: SandboxProvider;
  seed: number;
  out: string;
  shares?: KindShares;
  /** Candidates tried at most (default 20 × count). */
  maxCandidates?: number;
  runId?: string;
  /** Repository to tag the images built on the way into (default: the images concern's). */
  repository?: string;
  /** The agent the tasks name (default: the source task's, unless scripted: then a placeholder that submits). */
  agent?: AgentSpec;
  log?: Logger;
  signal?: AbortSignal;
}

export interface MutateReport {
  tasks: { id: string; path: string; kind: MutationKind; description: string; failToPass: number }[];
  passingTests: number;
  functions: number;
  candidates: number;
  tried: number;
  discarded: { uncaught: number; timedOut: number; mismatched: number };
}

const MUTANT_WALL_S = 6 * 3600;

/**
 * Make up to `count` mutate-fix tasks from a repository task: run its tests once with
 * tracing, enumerate mutants of the functions passing tests call, try them in the
 * mix's order (quick run of the tests that call the function, then the full suite for
 * the ones caught), and write one task folder per kept mutant under `out`, their
 * starting states as parentless commits of `out/repo`.
 */
export async function mutateRepository(source: MutationSource, options: MutateOptions): Promise<MutateReport> {
  const log = options.log ?? silentLogger;
  const { signal } = options;
  const provider = options.provider;
  const image = await provider.prepareImage(source.task, { log, signal, repository: options.repository });
  if (!image.repo) throw new TaskError('MUTATE_SOURCE_INVALID', `${source.task.source}: the task image has no repository`);
  const spec = source.task.spec;
  const sandbox = await provider.start({
    image: image.ref,
    runId: options.runId ?? `mutate-${process.pid}`,
    taskId: `${spec.id}-mutate`,
    workdir: image.repo.root,
    env: sandboxEnv(spec.env),
    limits: { ...DEFAULT_LIMITS, ...spec.limits, network: 'none', wall_time_s: MUTANT_WALL_S, action_timeout_s: source.timeoutS },
    hostname: SANDBOX_HOSTNAME,
    signal,
  });
  try {
    const bench = new Workbench(sandbox, image.repo.root, source.testCommand);
    await bench.install(signal);
    const clean = await bench.runTests({ trace: true, timeoutMs: source.timeoutS * 1000, signal });
    const trace = parseHelperOutput(TraceSchema, (await bench.readTrace(signal)) ?? 'null', 'trace.json');
    const traced = trace.tests.filter((t) => t.outcome === 'passed').map((t) => t.nodeid);
    const junit = statusesIn(clean, traced);
    const passing = traced.filter((id) => junit[id] === 'passed').sort();
    log.info({ passing: passing.length, durationMs: clean.durationMs }, 'clean test run');
    if (passing.length === 0) throw new TaskError('MUTATE_NO_PASSING_TESTS', `no test passes on the clean repository (exit ${clean.exitCode}): ${clean.log.slice(-1500)}`);
    const found = parseHelperOutput(CandidateFileSchema, await bench.enumerate(signal), 'candidates.json');
    const passingSet = new Set(passing);
    const candidates = sortCandidates(found.candidates.map((c) => ({ ...c, tests: c.tests.filter((t) => passingSet.has(t)) })).filter((c) => c.tests.length > 0));
    const repo = await MutantRepo.open(join(options.out, 'repo'), await bench.archive(signal), signal);

    const report: MutateReport = { tasks: [], passingTests: passing.length, functions: found.functions, candidates: candidates.length, tried: 0, discarded: { uncaught: 0, timedOut: 0, mismatched: 0 } };
    const planner = new MutantPlanner(candidates, options.shares ?? DEFAULT_SHARES, options.count, options.seed);
    const budget = options.maxCandidates ?? options.count * 20;
    const timeoutMs = Math.min(source.timeoutS * 1000, Math.max(30_000, clean.durationMs * 3 + 10_000));
    const seen = new Set<string>();
    const originals = new Map<string, string>();
    for (let candidate = planner.next(); candidate && report.tasks.length < options.count && report.tried < budget; candidate = planner.next()) {
      if (seen.has(candidate.sha256)) continue;
      seen.add(candidate.sha256);
      report.tried += 1;
      if (!originals.has(candidate.file)) originals.set(candidate.file, await bench.readRepoFile(candidate.file, signal));
      const verdict = await judgeMutant(bench, candidate, originals.get(candidate.file)!, passing, { timeoutMs, signal, sourceId: spec.id });
      planner.record(candidate, verdict.kept !== undefined);
      if (!verdict.kept) {
        report.discarded[verdict.discarded]! += 1;
        log.debug({ candidate: candidate.description, why: verdict.discarded }, 'mutant discarded');
        continue;
      }
      report.tasks.push(await writeMutantTask(source, verdict.kept, verdict.content, repo, { ...options, sourceCommit: image.repo.commit }));
      log.info({ task: verdict.kept.id, kind: candidate.kind }, 'mutant kept');
    }
    return report;
  } finally {
    await sandbox.stop().catch(() => undefined);
  }
}

async function writeMutantTask(source: MutationSource, mutant: Mutant, content: string, repo: MutantRepo, options: MutateOptions & { sourceCommit: string }) {
  // Task files sit beside the shared repository: a task file may name only paths inside its own folder.
  const taskDir = options.out;
  const commit = await repo.commitMutant(mutant.id, mutant.candidate.file, content, options.signal);
  const gold = await repo.goldPatch(commit, options.signal);
  const spec = mutantTaskSpec(source, mutant, { path: 'repo', commit }, gold, { seed: options.seed, taskDir, sourceCommit: options.sourceCommit, agent: options.agent });
  await mkdir(taskDir, { recursive: true });
  const path = join(taskDir, `${mutant.id}.task.yaml`);
  await writeFile(path, stringify(spec, { lineWidth: 0 }));
  return { id: mutant.id, path, kind: mutant.candidate.kind, description: mutant.candidate.description, failToPass: mutant.failToPass.length };
}
