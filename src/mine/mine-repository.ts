import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { SandboxProvider } from '../sandbox/index.js';
import { TaskError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { sandboxEnv, SANDBOX_HOSTNAME } from '../core/sandbox-env.js';
import { REPO_ROOT, type EnvRecord } from '../env/index.js';
import { testDirectives } from '../eval/test-specs.js';
import { SwebenchInstanceSchema, taskFromInstance } from '../swebench/index.js';
import { DEFAULT_LIMITS } from '../task/index.js';
import type { ParserName } from '../task/parser-names.js';
import { MiningBench } from './bench.js';
import { commitInfo, diffOf, scanHistory, type CandidateCommit } from './commits.js';
import { judgeCandidate, type DropReason } from './judge.js';
import { problemStatement, type StatementSource } from './statement.js';

export interface MineOptions {
  provider: SandboxProvider;
  /** The repository's mining folder: instances.jsonl, tasks/, mine.json. */
  dir: string;
  runId: string;
  /** Commits of the first-parent history looked at (default 500). */
  last?: number;
  /** Only these commits of the window (full or abbreviated hashes): mine chosen commits again. */
  commits?: string[];
  /** Stop once this many tasks are kept. */
  maxTasks?: number;
  /** One test run's limit (default 300 s). */
  timeoutS?: number;
  log?: Logger;
  signal?: AbortSignal;
}

export interface MinedTask {
  id: string;
  commit: string;
  failToPass: number;
  passToPass: number;
  statementSource: StatementSource;
}

export interface DroppedCandidate {
  commit: string;
  reason: DropReason;
  detail: string;
}

/** What mining one repository gave: `<dir>/mine.json`. */
export interface MineReport {
  format: 'forager-mine';
  version: 1;
  repo: string;
  env_commit: string;
  image: string;
  scanned: number;
  candidates: number;
  kept: number;
  dropped: Partial<Record<DropReason, number>>;
  /** Each dropped candidate: its commit, why, and the evidence (a line of the log or the patch's failure), so a count can be checked. */
  drops: DroppedCandidate[];
  tasks: MinedTask[];
  duration_ms: number;
}

export const MINE_REPORT = 'mine.json';
export const INSTANCES_FILE = 'instances.jsonl';
const MAX_PATCH_BYTES = 1024 * 1024;
const MAX_DETAIL_CHARS = 400;

/**
 * Issue-fix tasks from a verified environment's history: every commit (a merge standing
 * for its branch) of the last `last` first-parent commits that changes tests and code is
 * tried in the environment's image — the commit's tests run twice, the parent plus the
 * test patch once — and kept when some test fails before and passes after. Written as
 * SWE-bench instances (instances.jsonl) and the task files `tasks import swebench` makes
 * of them (tasks/), so validate, harvest and the SWE-bench reports work on them as they are.
 */
export async function mineRepository(env: EnvRecord, options: MineOptions): Promise<MineReport> {
  const started = Date.now();
  const log = (options.log ?? silentLogger).child({ repo: env.repo.name });
  if (env.status !== 'verified' || !env.image || !env.recipe) throw new TaskError('MINE_ENV_UNVERIFIED', `${env.repo.name}: the environment is not verified (${env.reason?.code ?? 'no image'}); mining needs one`);
  const select = env.recipe.test.select;
  if (!select) throw new TaskError('MINE_NO_SELECT', `${env.repo.name}: the environment's recipe says no way to run chosen test files (test.select)`);
  const scan = await scanHistory(env.repo.source, env.repo.commit, options.last ?? 500, options.signal);
  const candidates = chooseCandidates(scan.candidates, options.commits, env.repo.name);
  const report: MineReport = {
    format: 'forager-mine', version: 1, repo: env.repo.name, env_commit: env.repo.commit, image: env.image.ref,
    scanned: scan.scanned, candidates: candidates.length, kept: 0, dropped: {}, drops: [], tasks: [], duration_ms: 0,
  };
  const drop = (commit: string, reason: DropReason, detail: string): void => {
    report.dropped[reason] = (report.dropped[reason] ?? 0) + 1;
    report.drops.push({ commit, reason, detail: detail.slice(0, MAX_DETAIL_CHARS) });
  };
  const timeoutMs = (options.timeoutS ?? 300) * 1000;
  const sandbox = await options.provider.start({
    image: env.image.ref, runId: options.runId, taskId: `${env.repo.key}-mine`, workdir: REPO_ROOT, env: sandboxEnv({}),
    limits: { ...DEFAULT_LIMITS, network: 'none', wall_time_s: 12 * 3600, action_timeout_s: options.timeoutS ?? 300, memory_mb: 4096, cpus: 2 },
    hostname: SANDBOX_HOSTNAME, signal: options.signal,
  });
  const instances: string[] = [];
  const envFlaky = new Set(env.flaky);
  const packages = ownPackages(env);
  try {
    const bench = new MiningBench(sandbox, REPO_ROOT, select, env.recipe.test.parser);
    for (const candidate of candidates) {
      if (options.maxTasks !== undefined && report.kept >= options.maxTasks) break;
      const outcome = await tryCandidate(candidate, env, bench, { timeoutMs, envFlaky, packages, signal: options.signal });
      if ('drop' in outcome) {
        drop(candidate.commit, outcome.drop, outcome.detail);
        log.debug({ commit: candidate.commit, drop: outcome.drop, detail: outcome.detail }, 'candidate dropped');
        continue;
      }
      instances.push(JSON.stringify(outcome.instance));
      report.kept += 1;
      report.tasks.push({ id: outcome.instance.instance_id, commit: candidate.commit, failToPass: outcome.instance.FAIL_TO_PASS.length, passToPass: outcome.instance.PASS_TO_PASS.length, statementSource: outcome.source });
      log.info({ task: outcome.instance.instance_id, f2p: outcome.instance.FAIL_TO_PASS.length }, 'task mined');
    }
  } finally {
    await sandbox.stop().catch(() => undefined);
  }
  report.duration_ms = Date.now() - started;
  await writeOutputs(options.dir, env, instances, report);
  return report;
}

/** The candidates `commits` names (all without it); a named commit that is no candidate of the window is an error, not an empty result. */
function chooseCandidates(candidates: CandidateCommit[], commits: string[] | undefined, repo: string): CandidateCommit[] {
  if (!commits) return candidates;
  const chosen = commits.map((c) => c.toLowerCase());
  const malformed = chosen.filter((c) => !/^[0-9a-f]{7,40}$/.test(c));
  if (malformed.length > 0) throw new TaskError('MINE_COMMIT_NOT_CANDIDATE', `${repo}: ${malformed.join(', ')}: expected a commit hash of 7 to 40 hex digits`);
  const missing = chosen.filter((c) => !candidates.some((k) => k.commit.startsWith(c)));
  if (missing.length > 0) throw new TaskError('MINE_COMMIT_NOT_CANDIDATE', `${repo}: ${missing.join(', ')}: not a commit of the mined window that changes tests and code`);
  return candidates.filter((k) => chosen.some((c) => k.commit.startsWith(c)));
}

type Instance = ReturnType<typeof SwebenchInstanceSchema.parse> & { FAIL_TO_PASS: string[]; PASS_TO_PASS: string[] };

async function tryCandidate(
  candidate: CandidateCommit,
  env: EnvRecord,
  bench: MiningBench,
  options: { timeoutMs: number; envFlaky: Set<string>; packages: string[]; signal?: AbortSignal },
): Promise<{ drop: DropReason; detail: string } | { instance: Record<string, unknown> & { instance_id: string; FAIL_TO_PASS: string[]; PASS_TO_PASS: string[] }; source: StatementSource }> {
  const gitDir = env.repo.source;
  const testPatch = await diffOf(gitDir, candidate.parent, candidate.commit, candidate.testFiles, options.signal);
  const goldPatch = await diffOf(gitDir, candidate.parent, candidate.commit, [...candidate.codeFiles, ...candidate.otherFiles], options.signal);
  if (!testPatch || !goldPatch) return { drop: 'no_test_files', detail: !testPatch ? 'the test changes give no diff' : 'the code changes give no diff' };
  if (testPatch.length + goldPatch.length > MAX_PATCH_BYTES) return { drop: 'patch_too_large', detail: `${testPatch.length + goldPatch.length} bytes` };
  const files = testDirectives(env.repo.name, testPatch).filter((f) => f.endsWith('.py'));
  if (files.length === 0) return { drop: 'no_test_files', detail: `no Python test file among ${candidate.testFiles.join(', ')}` };
  const run = { timeoutMs: options.timeoutMs, signal: options.signal };
  const after = await bench.runAt(candidate.commit, files, run);
  if (after.timedOut) return { drop: 'timed_out', detail: `the commit's run passed ${options.timeoutMs / 1000} s` };
  if (!Object.values(after.map).includes('PASSED')) return { drop: 'does_not_run', detail: after.setupError ?? evidenceOf(after.log) };
  const before = await bench.runAt(candidate.parent, files, { ...run, testPatch });
  if (before.setupError) return { drop: 'test_patch_does_not_apply', detail: before.setupError };
  if (before.timedOut) return { drop: 'timed_out', detail: `the parent's run passed ${options.timeoutMs / 1000} s` };
  const hasCandidates = Object.entries(after.map).some(([id, s]) => s === 'PASSED' && before.map[id] !== 'PASSED' && before.map[id] !== 'XFAIL' && before.map[id] !== 'SKIPPED');
  if (!hasCandidates) return { drop: 'no_fail_to_pass', detail: `${countPassing(after.map)} passing after, ${countPassing(before.map)} before, none fails before` };
  const again = await bench.runAt(candidate.commit, files, run);
  if (again.timedOut) return { drop: 'timed_out', detail: `the commit's second run passed ${options.timeoutMs / 1000} s` };
  const judgement = judgeCandidate([after.map, again.map], before.map, options.envFlaky, before.log, options.packages, goldPatch);
  if (judgement.drop) return { drop: judgement.drop, detail: judgement.evidence ?? `${judgement.flaky.length} flaky, ${judgement.failToPass.length} fail to pass` };
  const info = await commitInfo(gitDir, candidate.commit, options.signal);
  const statement = problemStatement(info.message, { tests: [...judgement.failToPass, ...judgement.passToPass], patches: [goldPatch, testPatch] });
  if (!statement) return { drop: 'no_statement', detail: info.message.split('\n')[0]!.slice(0, 200) };
  const [owner, name] = env.repo.name.includes('/') ? env.repo.name.split('/') : ['local', env.repo.name];
  const instance = {
    instance_id: `${owner}__${name}-${candidate.commit.slice(0, 12)}`.replace(/[^A-Za-z0-9._-]/g, '-'),
    repo: env.repo.name,
    base_commit: candidate.parent,
    patch: goldPatch,
    test_patch: testPatch,
    problem_statement: statement.text,
    FAIL_TO_PASS: judgement.failToPass,
    PASS_TO_PASS: judgement.passToPass,
    version: env.repo.commit.slice(0, 12),
    environment_setup_commit: env.repo.commit,
    created_at: info.date,
    image_name: env.image!.ref,
    hints_text: '',
    // forager's own fields (the importer ignores them): where the task came from.
    commit: candidate.commit,
    merge: candidate.merge,
    problem_statement_source: statement.source,
    problem_statement_redactions: statement.redactions,
    // SWE-bench 5's name for the parser, so an import without --parser reads the log the same way.
    log_parser: `parse_log_${env.recipe!.test.parser.replace(/-/g, '_')}`,
  };
  SwebenchInstanceSchema.parse(instance);
  return { instance, source: statement.source };
}

function countPassing(map: Record<string, string>): number {
  return Object.values(map).filter((s) => s === 'PASSED').length;
}

/** The line of a test log that says why it ran nothing: the first error line, else its last line. */
function evidenceOf(log: string): string {
  const lines = log.split('\n').map((l) => l.trim()).filter(Boolean);
  const error = lines.find((l) => /\w(Error|Exception)\b:/.test(l)) ?? lines.find((l) => /^E\s|^ERROR\b|error:/.test(l));
  return error ?? lines.at(-1) ?? 'an empty log';
}

/** The project's own top-level packages (a failed import of one of these is the project's, not the environment's). */
function ownPackages(env: EnvRecord): string[] {
  return [...new Set([...(env.project?.packages ?? []), env.repo.name.split('/').pop()!.replace(/-/g, '_')])];
}

async function writeOutputs(dir: string, env: EnvRecord, instances: string[], report: MineReport): Promise<void> {
  const tasksDir = join(dir, 'tasks');
  await mkdir(tasksDir, { recursive: true });
  for (const line of instances) {
    const instance = SwebenchInstanceSchema.parse(JSON.parse(line));
    const spec = taskFromInstance(instance, { testCommand: env.recipe!.test.select!, parser: env.recipe!.test.parser as ParserName }, instance.instance_id);
    const raw = JSON.parse(line) as Record<string, unknown>;
    (spec.metadata as Record<string, unknown>).task_type = 'issue-fix';
    (spec.metadata as Record<string, unknown>).commit = raw.commit;
    (spec.metadata as Record<string, unknown>).problem_statement_source = raw.problem_statement_source;
    await writeFile(join(tasksDir, `${instance.instance_id}.task.yaml`), stringify(spec, { lineWidth: 0 }));
  }
  await writeAtomic(join(dir, INSTANCES_FILE), instances.map((l) => `${l}\n`).join(''));
  await writeAtomic(join(dir, MINE_REPORT), `${JSON.stringify(report, null, 1)}\n`);
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

export type { Instance };
