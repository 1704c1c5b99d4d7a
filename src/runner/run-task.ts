import { randomUUID } from 'node:crypto';
import { hostname, platform } from 'node:os';
import type { Agent, Sandbox, StepOutcome } from '../core/contracts.js';
import type { EnforcedLimit, IsolationChoice, PreparedImage, ProvidedSandbox, SandboxProvider } from '../sandbox/index.js';
import { AbortedError, ForagerError, toForagerError, type ErrorCode } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { VERSION } from '../core/version.js';
import { createAgent, renderProblem } from '../agent/index.js';
import { capturePatch, gradeRun, type PatchCapture } from '../eval/index.js';
import type { PriceTable, RateLimiter } from '../model/index.js';
import { performAction } from '../sandbox/actions.js';
import type { LoadedTask } from '../task/load.js';
import { redactSpec } from '../task/repo.js';
import { DEFAULT_LIMITS } from '../task/spec.js';
import { TRAJECTORY_FORMAT, TRAJECTORY_VERSION, type ExitStatus, type Failure, type Footer, type Header, type Isolation, type Limits, type Step } from '../trajectory/schema.js';
import { TrajectoryWriter } from '../trajectory/writer.js';
import { sumModelUsage } from '../trajectory/usage-totals.js';
import { SANDBOX_HOSTNAME, sandboxEnv } from './environment.js';
import { placeFiles, runSetup } from './prepare.js';

export interface RunOptions {
  /** Where the trajectory is written (created or truncated). */
  out: string;
  runId?: string;
  attempt?: number;
  signal?: AbortSignal;
  log?: Logger;
  /** Use this agent instead of the one the task names (replay, forks, tests). */
  agent?: Agent;
  /** Partial limits applied over the task's own. */
  limits?: Partial<Limits>;
  parent?: Header['parent'];
  /** Shared by every model-driven run of a harvest, so together they respect the endpoint's limits. */
  rateLimiter?: RateLimiter;
  /** Model prices, for the cost of each step of a model-driven run. */
  prices?: PriceTable;
  /** Where the sandbox runs (the CLI chooses it). */
  provider: SandboxProvider;
  /** Resolve the task's image; defaults to the provider's `prepareImage`. */
  resolveImage?: (task: LoadedTask, signal: AbortSignal) => Promise<PreparedImage>;
}

export interface RunResult {
  path: string;
  header: Header | undefined;
  footer: Footer;
}

/**
 * The task's limits with defaults filled in, then the operator's isolation choice (a
 * provider's `--runtime`, `--disk-mount`), then overrides (a recorded run's own limits).
 */
export function effectiveLimits(task: LoadedTask, overrides: Partial<Limits> = {}, isolation: IsolationChoice = {}): Limits {
  const chosen = Object.fromEntries(Object.entries(isolation).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_LIMITS, ...task.spec.limits, ...chosen, ...overrides };
}

/**
 * Run one attempt of one task: image, sandbox, files, setup, then the agent loop, with
 * every step appended to the trajectory as it happens. Whatever happens, the sandbox is
 * removed and the trajectory gets a footer that says how the run ended and whose fault
 * a failure was; only a crash of the process itself leaves it without one.
 */
export async function runTask(task: LoadedTask, options: RunOptions): Promise<RunResult> {
  const log = (options.log ?? silentLogger).child({ task: task.spec.id, attempt: options.attempt ?? 0 });
  const limits = effectiveLimits(task, options.limits, options.provider.isolation);
  const started = Date.now();
  const wall = new AbortController();
  const wallTimer = setTimeout(() => wall.abort(new AbortedError('wall time limit reached')), limits.wall_time_s * 1000);
  const signal = options.signal ? AbortSignal.any([options.signal, wall.signal]) : wall.signal;
  const provider = options.provider;
  const agent = options.agent ?? createAgent(task.spec.agent, { log, rateLimiter: options.rateLimiter, prices: options.prices });
  const steps: Step[] = [];
  let writer: TrajectoryWriter | undefined;
  let header: Header | undefined;
  let sandbox: Sandbox | undefined;
  let isolation: Isolation | undefined;
  let unenforced: readonly EnforcedLimit[] = [];
  let ending: { status: ExitStatus; failure?: Failure; submission?: string };
  let image: PreparedImage | undefined;
  let capture: PatchCapture | undefined;

  try {
    image = await (options.resolveImage ?? ((t, s) => provider.prepareImage(t, { signal: s })))(task, signal);
    const env = sandboxEnv(task.spec.env);
    sandbox = await provider.start({
      image: image.ref,
      runId: options.runId ?? 'adhoc',
      taskId: task.spec.id,
      workdir: task.spec.workdir,
      env,
      limits,
      hostname: SANDBOX_HOSTNAME,
      signal,
    });
    isolation = (sandbox as ProvidedSandbox).isolation;
    unenforced = (sandbox as ProvidedSandbox).unenforcedLimits ?? [];
    log.debug({ container: sandbox.id }, 'sandbox started');
    await placeFiles(sandbox, task.files, signal);
    const setup = await runSetup(sandbox, task.spec.setup, limits, signal);
    header = await buildHeader(task, options, image, limits, env, setup, agent, provider, isolation, unenforced);
    writer = await TrajectoryWriter.create(options.out, header);
    const failedSetup = setup.find((s) => s.exit_code !== 0);
    if (failedSetup) {
      ending = { status: 'error', failure: { kind: 'task', code: 'SETUP_FAILED', message: `setup command failed (exit ${failedSetup.exit_code}): ${failedSetup.command}` } };
    } else {
      ending = await agentLoop(agent, sandbox, task, limits, signal, writer, steps);
    }
  } catch (error) {
    ending = endingFor(error, signal, wall.signal);
    log.warn({ err: error, code: ending.failure?.code }, 'run ended by an error');
  } finally {
    clearTimeout(wallTimer);
    // Repository tasks: the patch is taken whatever the exit status, before the sandbox goes.
    if (sandbox && !options.signal?.aborted) capture = await capturePatch(sandbox, task, image, log);
    await sandbox?.stop().catch((error: unknown) => log.error({ err: error }, 'could not remove the sandbox'));
  }

  if (!writer) {
    // Nothing was written yet (no image, no sandbox): record what we know, so every attempt leaves a file.
    header = await buildHeader(task, options, { ref: imageLabel(task), id: '', digest: null }, limits, sandboxEnv(task.spec.env), [], agent, provider);
    writer = await TrajectoryWriter.create(options.out, header);
  }
  const footer = buildFooter(ending, steps, started);
  if (capture && image) {
    try {
      Object.assign(footer, await gradeRun(task, image, capture, footer, { runId: options.runId, signal: options.signal, log, provider }));
    } catch (error) {
      // Grading is the harvester's job: its failure must still leave a complete record.
      Object.assign(footer, { failure_kind: 'infrastructure', error: { ...toFailure(error), message: `evaluation: ${toFailure(error).message}` } });
    }
  }
  await writer.finish(footer);
  return { path: options.out, header, footer };
}

async function agentLoop(
  agent: Agent,
  sandbox: Sandbox,
  task: LoadedTask,
  limits: Limits,
  signal: AbortSignal,
  writer: TrajectoryWriter,
  steps: Step[],
): Promise<{ status: ExitStatus; failure?: Failure; submission?: string }> {
  await agent.start({ taskId: task.spec.id, instruction: task.spec.instruction, workdir: task.spec.workdir, maxSteps: limits.max_steps, actionTimeoutS: limits.action_timeout_s, signal });
  let previous: StepOutcome | undefined;
  for (let index = 0; index < limits.max_steps; index += 1) {
    if (signal.aborted) throw signal.reason ?? new AbortedError();
    const startedAt = new Date().toISOString();
    const agentStart = performance.now();
    const decision = await agent.next(previous, signal);
    const agentMs = performance.now() - agentStart;
    if (decision.type === 'stop') {
      if (decision.model) {
        // The model's last words (no action) belong in the record too.
        await record(writer, steps, { type: 'step', index, started_at: startedAt, action: null, observation: null, shown: '', state: null, timing: { agent_ms: round(agentMs), action_ms: 0 }, model: decision.model });
      }
      const failure: Failure | undefined = decision.exitStatus === 'agent_finished' || decision.exitStatus === 'submitted'
        ? undefined
        : { kind: 'agent', code: STOP_CODES[decision.exitStatus], message: decision.reason ?? decision.exitStatus };
      return { status: decision.exitStatus, failure, ...(decision.submission !== undefined ? { submission: decision.submission } : {}) };
    }
    const base = {
      type: 'step' as const, index, started_at: startedAt, model: decision.model,
      ...(decision.toolCallId !== undefined ? { tool_call_id: decision.toolCallId } : {}),
      ...(decision.replayOf !== undefined ? { replay_of: decision.replayOf } : {}),
    };
    if (decision.type === 'invalid') {
      // The problem never carries its name; the agent's format adds it, once.
      const shown = agent.renderInvalid?.(decision.problem) ?? renderProblem(decision.problem);
      const step: Step = { ...base, action: null, observation: null, shown, state: null, timing: { agent_ms: round(agentMs), action_ms: 0 } };
      await record(writer, steps, step);
      previous = { action: null, observation: null, shown };
      continue;
    }
    const { action } = decision;
    const actionStart = performance.now();
    let result;
    try {
      const timeoutMs = limits.action_timeout_s * 1000;
      result = (await agent.perform?.(sandbox, action, { timeoutMs, signal })) ?? await performAction(sandbox, action, { timeoutMs, signal, maxOutputBytes: limits.max_output_bytes });
    } catch (error) {
      const failure = toFailure(error);
      await record(writer, steps, { ...base, action, observation: null, shown: '', state: null, timing: { agent_ms: round(agentMs), action_ms: round(performance.now() - actionStart) }, failure });
      throw error;
    }
    const shown = agent.render(action, result.observation);
    await record(writer, steps, {
      ...base,
      action,
      observation: result.observation,
      shown,
      state: result.state,
      timing: { agent_ms: round(agentMs), action_ms: round(performance.now() - actionStart) },
      // A misused tool is the agent's doing: recorded on the step, and the run goes on.
      ...(result.failure ? { failure: result.failure } : {}),
    });
    if (result.observation.disk_limit_reached) {
      // The agent filled the sandbox's writable layer: its doing, and the sandbox ends here.
      return { status: 'error', failure: { kind: 'agent', code: 'DISK_LIMIT', message: `the sandbox's writable layer grew past its disk limit (${limits.disk_mb ?? '?'} MiB) at step ${index}` } };
    }
    if (action.tool === 'submit' && !agent.continuesAfterSubmit) return { status: 'submitted', submission: action.result ?? '' };
    previous = { action, observation: result.observation, shown };
  }
  return { status: 'max_steps', failure: { kind: 'agent', code: 'MAX_STEPS', message: `the agent used all ${limits.max_steps} steps` } };
}

async function record(writer: TrajectoryWriter, steps: Step[], step: Step): Promise<void> {
  steps.push(step);
  await writer.step(step);
}

function endingFor(error: unknown, signal: AbortSignal, wall: AbortSignal): { status: ExitStatus; failure: Failure } {
  if (wall.aborted) return { status: 'wall_time', failure: { kind: 'agent', code: 'WALL_TIME', message: 'the run reached its wall time limit' } };
  if (signal.aborted) return { status: 'aborted', failure: { kind: 'infrastructure', code: 'ABORTED', message: 'the run was aborted' } };
  return { status: 'error', failure: toFailure(error) };
}

function toFailure(error: unknown): Failure {
  const e: ForagerError = toForagerError(error);
  return { kind: e.kind, code: e.code, message: e.message };
}

function buildFooter(ending: { status: ExitStatus; failure?: Failure; submission?: string }, steps: Step[], started: number): Footer {
  let outputBytes = 0;
  let actionMs = 0;
  let agentMs = 0;
  for (const s of steps) {
    outputBytes += (s.observation?.stdout.bytes ?? 0) + (s.observation?.stderr.bytes ?? 0);
    actionMs += s.timing.action_ms;
    agentMs += s.timing.agent_ms;
  }
  const footer: Footer = {
    type: 'footer',
    exit_status: ending.status,
    failure_kind: ending.failure?.kind ?? null,
    ended_at: new Date().toISOString(),
    duration_ms: Date.now() - started,
    steps: steps.length,
    totals: { output_bytes: outputBytes, action_ms: round(actionMs), agent_ms: round(agentMs) },
  };
  Object.assign(footer.totals, sumModelUsage(steps));
  if (ending.failure) footer.error = ending.failure;
  if (ending.submission !== undefined) footer.submission = ending.submission;
  return footer;
}

async function buildHeader(
  task: LoadedTask,
  options: RunOptions,
  image: PreparedImage,
  limits: Limits,
  env: Record<string, string>,
  setup: Header['setup'],
  agent: Agent,
  provider: SandboxProvider,
  isolation?: Isolation,
  unenforced: readonly EnforcedLimit[] = [],
): Promise<Header> {
  const header: Header = {
    type: 'header',
    format: TRAJECTORY_FORMAT,
    version: TRAJECTORY_VERSION,
    forager_version: VERSION,
    trajectory_id: randomUUID(),
    run_id: options.runId ?? 'adhoc',
    attempt: options.attempt ?? 0,
    started_at: new Date().toISOString(),
    task: { id: task.spec.id, hash: task.hash, source: task.source, instruction: task.spec.instruction, spec: redactSpec(task.spec) },
    image,
    agent: agent.describe(),
    limits,
    environment: env,
    workdir: task.spec.workdir,
    seed: task.spec.seed,
    host: { hostname: hostname(), platform: platform(), docker_version: await provider.version() },
    sandbox: { provider: provider.name, ...(unenforced.length > 0 ? { unenforced_limits: [...unenforced] } : {}), ...isolation },
    setup,
  };
  if (options.parent) header.parent = options.parent;
  return header;
}

function imageLabel(task: LoadedTask): string {
  const spec = task.spec.image;
  if (typeof spec === 'string') return spec;
  return 'ref' in spec ? spec.ref : 'recipe' in spec ? spec.recipe : spec.dockerfile;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The failure code an agent's own ending is recorded with (registered in src/errors/codes.ts). */
const STOP_CODES: Record<Exclude<ExitStatus, 'submitted' | 'agent_finished'>, ErrorCode> = {
  max_steps: 'MAX_STEPS',
  max_tokens: 'MAX_TOKENS',
  max_cost: 'MAX_COST',
  wall_time: 'WALL_TIME',
  format_errors: 'FORMAT_ERRORS',
  refused: 'REFUSED',
  aborted: 'ABORTED',
  error: 'AGENT_ERROR',
};

