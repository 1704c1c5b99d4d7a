import { posix } from 'node:path';
import type Docker from 'dockerode';
import { AbortedError, InfrastructureError } from '../../core/errors.js';
import type { ExecOptions, ExecResult, Sandbox, ToolRunOptions, ToolRunResult } from '../../core/contracts.js';
import type { Limits } from '../../trajectory/schema.js';
import { stateProbe, WorkdirTracker } from '../state.js';
import { shellQuote } from '../quote.js';
import { engine } from './engine.js';
import { LABEL_DEADLINE, LABEL_RUN, LABEL_TASK, ownerLabels } from './labels.js';
import { killAllButInit } from './one-shot.js';
import { readSandboxFile } from '../file-tools/read-write.js';
import { putFile } from './put-file.js';
import { runToolScript } from './tool-exec.js';
import { ShellSession, type ShellRunResult } from './shell.js';

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
}

/** Capabilities a root shell needs for ordinary work (files, users, apt); everything else is dropped. */
const CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETFCAP', 'NET_BIND_SERVICE'];
/** Extra life the dead-man gives a container past the task's wall limit, for clean-up. */
const DEADMAN_GRACE_S = 60;

/** A sandbox backed by one Docker container and one persistent bash session in it. */
export class DockerSandbox implements Sandbox {
  private session: ShellSession | undefined;
  private cwd: string;
  private stopped = false;
  private readonly tracker: WorkdirTracker;

  private constructor(
    readonly container: Docker.Container,
    readonly workdir: string,
    private readonly env: string[],
    private readonly limits: Limits,
    private readonly deadman: string[],
  ) {
    this.cwd = workdir;
    this.tracker = new WorkdirTracker(workdir);
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
      try {
        sandbox.session = await ShellSession.open(container, { env, cwd: options.workdir, deadman });
      } catch (error) {
        // Killed between start and the shell (an engine going down): say so, for the retry policy.
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
    const session = await this.liveSession();
    const trackState = options.trackState ?? true;
    const result = await session.run(command, {
      timeoutMs: options.timeoutMs ?? this.limits.action_timeout_s * 1000,
      signal: options.signal,
      maxOutputBytes: this.limits.max_output_bytes,
      probe: trackState ? stateProbe(this.workdir) : undefined,
    });
    if (result.cwd !== null) this.cwd = result.cwd;
    let probe = result.probe;
    if (!session.alive) {
      await this.afterSessionDeath();
      // The command took the session down before its probe ran: probe in the new one.
      if (trackState) probe = (await this.session!.run(':', { timeoutMs: 60_000, maxOutputBytes: 1024, probe: stateProbe(this.workdir) })).probe;
    }
    return {
      observation: toObservation(result),
      state: trackState ? this.tracker.update(probe, this.cwd) : null,
    };
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
        this.session = await ShellSession.open(this.container, { env: this.env, cwd: this.workdir, deadman: this.deadman });
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

function toObservation(result: ShellRunResult) {
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
