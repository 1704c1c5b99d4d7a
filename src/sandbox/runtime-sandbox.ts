import { posix } from 'node:path';
import { constants } from 'node:os';
import { AbortedError, InfrastructureError } from '../core/errors.js';
import type { ExecOptions, ExecResult, ToolRunOptions, ToolRunResult } from '../core/contracts.js';
import { shellQuote } from '../core/quote.js';
import type { Limits, Observation, State } from '../trajectory/schema.js';
import type { BackendSandbox, EnforcedLimit, SandboxBackend } from './backend.js';
import type { ProvidedSandbox, SandboxSpec } from './contracts.js';
import { readSandboxFile } from './file-tools/read-write.js';
import { LABEL_DEADLINE, LABEL_RUN, LABEL_TASK, ownerLabels } from './labels.js';
import { ExecStateReader } from './layer/exec-state.js';
import { OverlayStateReader } from './layer/overlay-state.js';
import { atPidLimit } from './pid-limit.js';
import { initChildren, killAllBut, runIsolated, runToolScript } from './process/index.js';
import { openSession, type ShellRunResult, type ShellSession } from './session/index.js';
import { buildState, type StateReading } from './state.js';

/** How the state after each step is read: the host's view of the writable layer, or a listing by a separate process. */
export type StateReaderChoice = 'auto' | 'host' | 'exec';

export interface RuntimeOptions {
  /** Default: FORAGER_STATE_READER, else `auto` (host when the backend offers a readable layer). */
  stateReader?: StateReaderChoice;
}

/** How often the writable layer and the PID count are looked at while a step runs. */
const WATCH_INTERVAL_MS = 250;
/** Extra life the dead-man gives a sandbox past the task's wall limit, for clean-up. */
const DEADMAN_GRACE_S = 60;
const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));

/**
 * A sandbox's per-step policy, the same on every backend: one persistent bash session,
 * fork-bomb clearing, the disk watch, state reading, observations. The backend (a
 * container, a pod, a local process tree) is reached only through the port.
 */
export class RuntimeSandbox implements ProvidedSandbox {
  private session: ShellSession | undefined;
  private cwd: string;
  private stopped = false;
  private overlay: OverlayStateReader | undefined;
  private execState: ExecStateReader | undefined;
  /** PIDs every kill spares besides PID 1: the dead-man, as init's children at start. */
  private spare: number[] = [];
  /** Forks refused at the PID limit so far (cgroup pids.events max), as last seen. */
  private limitHits = 0;

  private constructor(
    readonly box: BackendSandbox,
    readonly workdir: string,
    private readonly env: string[],
    private readonly limits: Limits,
  ) {
    this.cwd = workdir;
  }

  /** How this sandbox reads state: from the host's view of its layer, or by a separate process. */
  get stateReader(): 'host' | 'exec' {
    return this.overlay ? 'host' : 'exec';
  }

  get id(): string {
    return this.box.id;
  }

  get unenforcedLimits(): readonly EnforcedLimit[] {
    return this.box.unenforcedLimits ?? [];
  }

  /**
   * Start a sandbox on `backend`: labelled with its run, task, owner and deadline, ending
   * by itself after the wall limit plus a grace even if the harvester is SIGKILLed.
   */
  static async start(backend: SandboxBackend, spec: SandboxSpec, options: RuntimeOptions = {}): Promise<RuntimeSandbox> {
    const lifetimeS = Math.ceil(spec.limits.wall_time_s) + DEADMAN_GRACE_S;
    const box = await backend.create({
      image: spec.image,
      workdir: spec.workdir,
      env: spec.env,
      hostname: spec.hostname ?? 'forager',
      limits: spec.limits,
      labels: {
        [LABEL_RUN]: spec.runId,
        [LABEL_TASK]: spec.taskId,
        [LABEL_DEADLINE]: String(Math.floor(Date.now() / 1000) + lifetimeS),
        ...ownerLabels(),
      },
      lifetimeS,
      signal: spec.signal,
    });
    const env = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
    const sandbox = new RuntimeSandbox(box, spec.workdir, env, spec.limits);
    try {
      if (spec.signal?.aborted) throw new AbortedError();
      await sandbox.chooseReaders(options.stateReader);
      sandbox.spare = await initChildren(box);
      try {
        sandbox.session = await sandbox.openSession();
      } catch (error) {
        // Killed between start and the shell (a backend going down): say so, for the retry
        // policy. A backend on its way down can still report the sandbox running for a
        // moment, so look twice.
        await sandbox.throwIfGone(error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await sandbox.throwIfGone(error);
        throw error;
      }
    } catch (error) {
      await sandbox.stop().catch(() => undefined);
      throw error;
    }
    return sandbox;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (options.isolated) return this.execIsolated(command, options);
    const session = await this.liveSession();
    const trackState = options.trackState ?? true;
    // The baseline is taken before the first tracked command, so that command's changes count.
    if (trackState) await this.primeState();
    // A bomb an earlier step left in the background, grown since that step's look: cleared first.
    const clearedBefore = await this.clearForkBomb(session.pid, true);
    const limit = new AbortController();
    const watch = this.watchStep(limit, session.pid);
    let result: ShellRunResult;
    try {
      result = await session.run(command, {
        timeoutMs: options.timeoutMs ?? this.limits.action_timeout_s * 1000,
        signal: options.signal,
        maxOutputBytes: this.limits.max_output_bytes,
        limit: limit.signal,
      });
    } finally {
      await watch.stop();
    }
    if (result.cwd !== null) this.cwd = result.cwd;
    if (!session.alive) await this.afterSessionDeath();

    // Everything below is the harvester's bookkeeping: off the action's clock.
    const probeStarted = performance.now();
    const cleared = clearedBefore + watch.cleared + (await this.clearForkBomb(this.session!.pid, true));
    const observation: Observation = toObservation(result);
    let state: State | null = null;
    let layerBytes: number | undefined;
    if (trackState) {
      const reading = await this.readState();
      layerBytes = reading.bytes;
      state = buildState(this.cwd, reading, this.workdir);
      if (result.cwdTruncated) state.cwd_truncated = true;
      state.probe = this.stateReader;
    }
    layerBytes ??= await this.layerBytes();
    if (watch.diskReached || (layerBytes !== undefined && layerBytes > this.diskLimitBytes())) observation.disk_limit_reached = true;
    if (cleared > 0) observation.pids_cleared = cleared;
    if (state) state.probe_ms = Math.round((performance.now() - probeStarted) * 1000) / 1000;
    return { observation, state };
  }

  private async execIsolated(command: string, options: ExecOptions): Promise<ExecResult> {
    this.assertRunning();
    const r = await runIsolated(this.box, command, {
      cwd: this.workdir,
      timeoutMs: options.timeoutMs ?? this.limits.action_timeout_s * 1000,
      maxOutputBytes: this.limits.max_output_bytes,
      signal: options.signal,
    });
    const signal = r.exitCode !== null && r.exitCode > 128 ? SIGNAL_NAMES.get(r.exitCode - 128) ?? null : null;
    return {
      observation: {
        stdout: r.stdout.finish(),
        stderr: r.stderr.finish(),
        exit_code: r.timedOut ? null : r.exitCode,
        signal,
        timed_out: r.timedOut,
        duration_ms: Math.round(r.durationMs * 1000) / 1000,
        session_restarted: false,
      },
      state: null,
    };
  }

  private diskLimitBytes(): number {
    return (this.limits.disk_mb ?? Number.MAX_SAFE_INTEGER / (1024 * 1024)) * 1024 * 1024;
  }

  /** Pick the state reader once, at start. */
  private async chooseReaders(wanted: StateReaderChoice | undefined): Promise<void> {
    const mode = wanted ?? (process.env.FORAGER_STATE_READER as StateReaderChoice | undefined) ?? 'auto';
    if (mode !== 'exec') {
      const view = await this.box.layerView();
      if (view) this.overlay = new OverlayStateReader(view);
      else if (mode === 'host') throw new InfrastructureError('STATE_READER_UNAVAILABLE', 'the sandbox\'s writable layer is not readable from here (a remote engine, not root, or not an overlay): use the exec state reader');
    }
    if (!this.overlay) this.execState = new ExecStateReader(this.box);
  }

  private async primeState(): Promise<void> {
    if (this.overlay) this.overlay.prime();
    else await this.execState!.prime().catch(() => undefined);
  }

  private async readState(): Promise<StateReading & { bytes?: number }> {
    if (this.overlay) return this.overlay.read();
    try {
      return await this.execState!.read();
    } catch {
      // The sandbox could not host the lister (PIDs, memory): say the state is unknown.
      return { changes: [], incomplete: true, omitted: 0 };
    }
  }

  /** The writable layer's size: walked from the host when it can be, else as the backend counts it. */
  private async layerBytes(): Promise<number | undefined> {
    return this.overlay ? this.overlay.size() : this.box.layerBytes();
  }

  /**
   * While a step runs, look at the writable layer's size and the PID count every
   * WATCH_INTERVAL_MS (longer when a look is slow): past `disk_mb` the step is stopped
   * through `limit`; at the PID limit the processes (all but the session) are cleared.
   */
  private watchStep(limit: AbortController, sessionPid: number): { stop: () => Promise<void>; diskReached: boolean; cleared: number } {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let inFlight: Promise<void> = Promise.resolve();
    const watch = {
      diskReached: false,
      cleared: 0,
      // Wait for a look under way: its kill may be what ended the step, and its count belongs to it.
      stop: async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        await inFlight;
      },
    };
    const tick = async () => {
      const started = performance.now();
      const bytes = await this.layerBytes();
      if (bytes !== undefined && bytes > this.diskLimitBytes()) {
        watch.diskReached = true;
        limit.abort();
        return;
      }
      watch.cleared += await this.clearForkBomb(sessionPid, false);
      if (stopped) return;
      const took = performance.now() - started;
      timer = setTimeout(() => { inFlight = tick(); }, Math.max(this.overlay ? WATCH_INTERVAL_MS : 1000, took * 4));
    };
    timer = setTimeout(() => { inFlight = tick(); }, WATCH_INTERVAL_MS);
    return watch;
  }

  /**
   * A sandbox whose processes hit its PID limit holds a fork bomb (or its remains): kill
   * every process but init, the dead-man and the session, and say how many. The kernel
   * says so itself where the backend can read it: the cgroup's count of forks refused at
   * the limit (`pids.events` max) went up since the last look. Where it cannot (a remote
   * engine), the count decides: within 5 % of the limit while a step runs; after a step,
   * where a bomb left in the background swings below the limit as its processes fail to
   * fork and exit, two looks 150 ms apart both over half the limit.
   */
  private async clearForkBomb(sessionPid: number, afterStep: boolean): Promise<number> {
    const facts = await this.box.pids();
    if (facts.limitHits !== undefined) {
      const hit = facts.limitHits > this.limitHits;
      this.limitHits = facts.limitHits;
      if (!hit) return 0;
    } else if (!(await this.nearPidLimit(facts.current, afterStep))) return 0;
    const killed = await killAllBut(this.box, [...this.spare, sessionPid]).catch(() => 0);
    // Forks refused while the killer ran belong to the bomb just cleared.
    this.limitHits = (await this.box.pids()).limitHits ?? this.limitHits;
    return killed;
  }

  private async nearPidLimit(count: number | undefined, afterStep: boolean): Promise<boolean> {
    const limit = this.limits.pids;
    if (afterStep && !atPidLimit(count, limit) && count !== undefined && count > limit / 2) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const again = (await this.box.pids()).current;
      if (again !== undefined && again > limit / 2) return true;
    }
    return atPidLimit(count, limit);
  }

  async readFile(path: string, options: { signal?: AbortSignal; maxBytes?: number } = {}): Promise<Buffer | null> {
    return readSandboxFile(this, path, { timeoutMs: this.limits.action_timeout_s * 1000, ...options });
  }

  async writeFile(path: string, data: Buffer | string, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.assertRunning();
    try {
      await this.box.putFile(posix.resolve(this.cwd, path), typeof data === 'string' ? Buffer.from(data, 'utf8') : data, options);
    } catch (error) {
      await this.throwIfGone(error);
      throw error;
    }
  }

  /** A helper script in its own process, in the session's working directory (see Sandbox.runTool). */
  async runTool(script: string, args: string[], options: ToolRunOptions): Promise<ToolRunResult> {
    this.assertRunning();
    try {
      return await runToolScript(this.box, script, args, { ...options, cwd: this.cwd });
    } catch (error) {
      await this.throwIfGone(error);
      throw error;
    }
  }

  /** Kill every process but init and the dead-man (the session too): harness clean-up between runs. */
  async killProcesses(): Promise<number> {
    this.assertRunning();
    const killed = await killAllBut(this.box, this.spare);
    // The session's shell was among them. Drop it now rather than when its stream is seen to
    // end: a command sent before that would go to the dead shell and come back empty.
    this.session?.close();
    return killed;
  }

  /** Remove the sandbox; safe to call twice and after the backend removed it itself. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.session?.close();
    await this.box.remove();
  }

  private assertRunning(): void {
    if (this.stopped) throw new InfrastructureError('SANDBOX_STOPPED', 'the sandbox was stopped');
  }

  private openSession(): Promise<ShellSession> {
    return openSession(this.box, { env: this.env, cwd: this.workdir, spare: this.spare });
  }

  private async liveSession(): Promise<ShellSession> {
    this.assertRunning();
    if (this.session?.alive) return this.session;
    await this.afterSessionDeath();
    return this.session!;
  }

  /** Start a new session where the old one was, or say why the sandbox cannot host one. */
  private async afterSessionDeath(): Promise<void> {
    await this.throwIfGone();
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.session = await this.openSession();
        break;
      } catch (error) {
        // A sandbox being removed from outside can read as running for a moment; and
        // what the old session left (a fork bomb's remains) may still hold every PID.
        await this.throwIfGone(error);
        if (attempt >= 10) throw error;
        if (attempt === 3) await killAllBut(this.box, this.spare).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, Math.min(500, 100 * attempt)));
      }
    }
    if (this.cwd !== this.workdir) {
      await this.session.run(`cd -- ${shellQuote(this.cwd)}`, { timeoutMs: 10_000, maxOutputBytes: 4096 });
    }
  }

  private async throwIfGone(cause?: unknown): Promise<void> {
    const state = await this.box.state().catch(() => null);
    if (state?.running) return;
    const oom = state?.oomKilled === true;
    throw new InfrastructureError(
      oom ? 'CONTAINER_OOM_KILLED' : 'CONTAINER_GONE',
      oom ? 'the sandbox was killed for running out of memory' : 'the sandbox stopped or was removed from outside',
      { context: { containerId: this.box.id }, cause },
    );
  }
}

function toObservation(result: ShellRunResult): Observation {
  return {
    stdout: result.stdout,
    stderr: result.stderr,
    exit_code: result.exitCode,
    signal: result.signal,
    timed_out: result.timedOut,
    duration_ms: Math.round(result.durationMs * 1000) / 1000,
    session_restarted: result.sessionRestarted,
  };
}
