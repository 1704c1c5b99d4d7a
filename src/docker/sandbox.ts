import { posix } from 'node:path';
import { constants } from 'node:os';
import type Docker from 'dockerode';
import { AbortedError, InfrastructureError } from '../core/errors.js';
import type { ExecOptions, ExecResult, ProvidedSandbox, ToolRunOptions, ToolRunResult } from '../core/contracts.js';
import type { Limits } from '../trajectory/schema.js';
import type { Observation, State } from '../trajectory/schema.js';
import { buildState, type StateReading } from '../sandbox/state.js';
import { shellQuote } from '../core/quote.js';
import { writableLayerBytes } from './disk.js';
import { engine } from './engine.js';
import { ExecStateReader } from './exec-state.js';
import { LABEL_DEADLINE, LABEL_RUN, LABEL_TASK, ownerLabels } from '../sandbox/labels.js';
import { killAllButInit, runIsolated } from './one-shot.js';
import { readSandboxFile } from '../sandbox/file-tools/read-write.js';
import { putFile } from './put-file.js';
import { runToolScript } from './tool-exec.js';
import { OverlayStateReader, readableOverlay } from './overlay-state.js';
import { atPidLimit, PidCounter } from './pids.js';
import { openShell, type ShellSession, type ShellRunResult } from './shell.js';

export interface DockerSandboxOptions {
  image: string;
  runId: string;
  taskId: string;
  workdir: string;
  env: Record<string, string>;
  limits: Limits;
  hostname?: string;
  docker?: Docker;
  signal?: AbortSignal;
  /**
   * How the state after each step is read: `host` (the overlay upper directory, needs a
   * local engine and root), `exec` (a separate exec in the container), or `auto` (host
   * when it can). Default: FORAGER_STATE_READER, else `auto`.
   */
  stateReader?: 'auto' | 'host' | 'exec';
}

/** How often the writable layer and the PID count are looked at while a step runs. */
const WATCH_INTERVAL_MS = 250;

/** Capabilities a root shell needs for ordinary work (files, users, apt); everything else is dropped. */
const CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETFCAP', 'NET_BIND_SERVICE'];
/** Extra life the dead-man gives a container past the task's wall limit, for clean-up. */
const DEADMAN_GRACE_S = 60;
const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));

/** A sandbox backed by one Docker container and one persistent bash session in it. */
export class DockerSandbox implements ProvidedSandbox {
  private session: ShellSession | undefined;
  private cwd: string;
  private stopped = false;
  private overlay: OverlayStateReader | undefined;
  private execState: ExecStateReader | undefined;
  private pids: PidCounter | undefined;

  private constructor(
    readonly container: Docker.Container,
    readonly workdir: string,
    private readonly env: string[],
    private readonly limits: Limits,
    private readonly deadman: string[],
  ) {
    this.cwd = workdir;
  }

  /** How this sandbox reads state: from the host's view of its layer, or by a separate exec. */
  get stateReader(): 'host' | 'exec' {
    return this.overlay ? 'host' : 'exec';
  }

  get id(): string {
    return this.container.id;
  }

  /**
   * Create and start the container. Its main process is `sleep` for the wall limit
   * plus a grace, and it is removed by the engine when that ends: even a harvester
   * killed with SIGKILL leaks nothing for long.
   */
  static async start(options: DockerSandboxOptions): Promise<DockerSandbox> {
    const docker = options.docker ?? engine();
    const deadlineS = Math.ceil(options.limits.wall_time_s) + DEADMAN_GRACE_S;
    const deadman = ['sleep', String(deadlineS)];
    const env = Object.entries(options.env).map(([k, v]) => `${k}=${v}`);
    const container = await docker.createContainer({
      Image: options.image,
      Entrypoint: deadman.slice(0, 1),
      Cmd: deadman.slice(1),
      Hostname: options.hostname ?? 'forager',
      WorkingDir: options.workdir,
      Env: env,
      User: '0',
      Labels: {
        [LABEL_RUN]: options.runId,
        [LABEL_TASK]: options.taskId,
        [LABEL_DEADLINE]: String(Math.floor(Date.now() / 1000) + deadlineS),
        ...ownerLabels(),
      },
      NetworkDisabled: options.limits.network === 'none',
      StopTimeout: 1,
      HostConfig: {
        AutoRemove: true,
        // tini as PID 1 reaps orphans, so zombies never hold PIDs against the limit.
        Init: true,
        NetworkMode: options.limits.network,
        Memory: options.limits.memory_mb * 1024 * 1024,
        MemorySwap: options.limits.memory_mb * 1024 * 1024,
        NanoCpus: Math.round(options.limits.cpus * 1e9),
        PidsLimit: options.limits.pids,
        CapDrop: ['ALL'],
        CapAdd: CAPABILITIES,
        SecurityOpt: ['no-new-privileges'],
      },
    });
    const sandbox = new DockerSandbox(container, options.workdir, env, options.limits, deadman);
    try {
      if (options.signal?.aborted) throw new AbortedError();
      await container.start();
      await sandbox.chooseReaders(docker, options.stateReader);
      try {
        sandbox.session = await openShell(container, { env, cwd: options.workdir, deadman, localKernel: sandbox.overlay !== undefined });
      } catch (error) {
        // Killed between start and the shell (an engine going down): say so, for the retry
        // policy. An engine on its way down can still report the container running for a
        // moment, so look twice.
        await sandbox.throwIfContainerGone(error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await sandbox.throwIfContainerGone(error);
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
    layerBytes ??= await writableLayerBytes(this.container, this.overlay);
    if (watch.diskReached || (layerBytes !== undefined && layerBytes > this.diskLimitBytes())) observation.disk_limit_reached = true;
    if (cleared > 0) observation.pids_cleared = cleared;
    if (state) state.probe_ms = Math.round((performance.now() - probeStarted) * 1000) / 1000;
    return { observation, state };
  }

  private async execIsolated(command: string, options: ExecOptions): Promise<ExecResult> {
    if (this.stopped) throw new InfrastructureError('SANDBOX_STOPPED', 'the sandbox was stopped');
    const r = await runIsolated(this.container, command, {
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

  /** Pick the state reader and the PID counter once, at start. */
  private async chooseReaders(docker: Docker, wanted: DockerSandboxOptions['stateReader']): Promise<void> {
    const mode = wanted ?? (process.env.FORAGER_STATE_READER as DockerSandboxOptions['stateReader']) ?? 'auto';
    const local = Boolean((docker.modem as { socketPath?: unknown }).socketPath);
    if (mode === 'host' || (mode === 'auto' && local)) {
      const info = await this.container.inspect();
      const dirs = readableOverlay(info.GraphDriver as { Name?: string; Data?: Record<string, string> });
      if (dirs) this.overlay = new OverlayStateReader(dirs);
      else if (mode === 'host') throw new InfrastructureError('STATE_READER_UNAVAILABLE', 'the container\'s overlay upper directory is not readable from here (a remote engine, not root, or not overlay2): use the exec state reader');
    }
    if (!this.overlay) this.execState = new ExecStateReader(this.container);
    this.pids = PidCounter.create(this.container, this.overlay !== undefined);
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
      // The container could not host the lister (PIDs, memory): say the state is unknown.
      return { changes: [], incomplete: true, omitted: 0 };
    }
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
      const bytes = await writableLayerBytes(this.container, this.overlay);
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
   * A container at its PID limit holds a fork bomb (or its remains): kill every process
   * but init, the dead-man and the session, and say how many. While a step runs, "at the
   * limit" means within 5 % of it. After a step, a bomb left in the background swings
   * below the limit as its processes fail to fork and exit: there, two looks 150 ms apart
   * both over half the limit are enough.
   */
  private async clearForkBomb(sessionPid: number, afterStep: boolean): Promise<number> {
    if (!this.pids) return 0;
    const limit = this.limits.pids;
    let count = await this.pids.count();
    if (afterStep && !atPidLimit(count, limit) && count !== undefined && count > limit / 2) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const again = await this.pids.count();
      if (again !== undefined && again > limit / 2) count = limit;
    }
    if (!atPidLimit(count, limit)) return 0;
    return killAllButInit(this.container, this.deadman, [sessionPid]).catch(() => 0);
  }

  async readFile(path: string, options: { signal?: AbortSignal; maxBytes?: number } = {}): Promise<Buffer | null> {
    return readSandboxFile(this, path, { timeoutMs: this.limits.action_timeout_s * 1000, ...options });
  }

  async writeFile(path: string, data: Buffer | string, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.stopped) throw new InfrastructureError('SANDBOX_STOPPED', 'the sandbox was stopped');
    try {
      await putFile(this.container, posix.resolve(this.cwd, path), typeof data === 'string' ? Buffer.from(data, 'utf8') : data, options);
    } catch (error) {
      await this.throwIfContainerGone(error);
      throw error;
    }
  }

  /** A helper script through its own exec, in the session's working directory (see Sandbox.runTool). */
  async runTool(script: string, args: string[], options: ToolRunOptions): Promise<ToolRunResult> {
    if (this.stopped) throw new InfrastructureError('SANDBOX_STOPPED', 'the sandbox was stopped');
    try {
      return await runToolScript(this.container, script, args, { ...options, cwd: this.cwd });
    } catch (error) {
      await this.throwIfContainerGone(error);
      throw error;
    }
  }

  /** Kill every process but init and the dead-man (the session too): harness clean-up between runs. */
  async killProcesses(): Promise<number> {
    if (this.stopped) throw new InfrastructureError('SANDBOX_STOPPED', 'the sandbox was stopped');
    const killed = await killAllButInit(this.container, this.deadman);
    // The session's shell was among them. Drop it now rather than when its stream is seen to
    // end: a command sent before that would go to the dead shell and come back empty.
    this.session?.close();
    return killed;
  }

  /** Remove the container; safe to call twice and after the engine removed it itself. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.session?.close();
    await this.container.remove({ force: true }).catch((error: { statusCode?: number }) => {
      // 404: already gone; 409: the engine's auto-remove is already under way.
      if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
    });
  }

  private async liveSession(): Promise<ShellSession> {
    if (this.stopped) throw new InfrastructureError('SANDBOX_STOPPED', 'the sandbox was stopped');
    if (this.session?.alive) return this.session;
    await this.afterSessionDeath();
    return this.session!;
  }

  /** Start a new session where the old one was, or say why the container cannot host one. */
  private async afterSessionDeath(): Promise<void> {
    await this.throwIfContainerGone();
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.session = await openShell(this.container, { env: this.env, cwd: this.workdir, deadman: this.deadman, localKernel: this.overlay !== undefined });
        break;
      } catch (error) {
        // A container being removed from outside can read as running for a moment; and
        // what the old session left (a fork bomb's remains) may still hold every PID.
        await this.throwIfContainerGone(error);
        if (attempt >= 10) throw error;
        if (attempt === 3) await killAllButInit(this.container, this.deadman).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, Math.min(500, 100 * attempt)));
      }
    }
    if (this.cwd !== this.workdir) {
      await this.session.run(`cd -- ${shellQuote(this.cwd)}`, { timeoutMs: 10_000, maxOutputBytes: 4096 });
    }
  }

  private async throwIfContainerGone(cause?: unknown): Promise<void> {
    const info = await this.container.inspect().catch(() => undefined);
    if (info && info.State.Running && !info.State.Restarting) return;
    const oom = info?.State.OOMKilled === true;
    throw new InfrastructureError(
      oom ? 'CONTAINER_OOM_KILLED' : 'CONTAINER_GONE',
      oom ? 'the container was killed for running out of memory' : 'the container stopped or was removed from outside',
      { context: { containerId: this.container.id }, cause },
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
