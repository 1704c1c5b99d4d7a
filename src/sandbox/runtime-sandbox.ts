import { posix } from 'node:path';
import { constants } from 'node:os';
import { AbortedError, AgentError, ForagerError, InfrastructureError, TaskError } from '../core/errors.js';
import type { ExecOptions, ExecResult, FileOp, ToolRunOptions, ToolRunResult } from '../core/contracts.js';
import { shellQuote } from '../core/quote.js';
import { emptyCapture } from '../core/capture.js';
import type { Isolation, Limits, Observation, State } from '../trajectory/schema.js';
import type { BackendSandbox, EnforcedLimit, PidFacts, SandboxBackend, SessionSocketDir } from './backend.js';
import type { IsolationChoice, ProvidedSandbox, SandboxSpec } from './contracts.js';
import { readSandboxFile } from '../file-tools/read-write.js';
import { FILE_OP_SCRIPTS } from '../file-tools/scripts.js';
import { LABEL_DEADLINE, LABEL_RUN, LABEL_TASK, ownerLabels } from './labels.js';
import { ExecStateReader } from './layer/exec-state.js';
import { hostPython, LayerWatcher } from './layer/layer-watcher.js';
import { atPidLimit } from './pid-limit.js';
import { execKiller, initChildren, runIsolated, runToolScript, toolKiller, ToolProcess, type Killer } from './process/index.js';
import { openSession, ShellStartError, type ShellRunResult, type ShellSession } from './session/index.js';
import { buildState, stateFromReport, type StateReading } from './state.js';

/** How the state after each step is read: the host's view of the writable layer, or a listing by a separate process. */
export type StateReaderChoice = 'auto' | 'host' | 'exec';

export interface RuntimeOptions {
  /** Default: FORAGER_STATE_READER, else `auto` (host when the backend offers a readable layer). */
  stateReader?: StateReaderChoice;
  /**
   * `auto` (default): the perl tool process and session helper where the image has perl;
   * `portable`: what an image without perl gets (the bash helper, one process per file
   * operation and per kill), to run and test that path anywhere.
   */
  helpers?: 'auto' | 'portable';
  /** The operator's runtime and disk mounts for sandboxes whose limits name none (the provider applies it). */
  isolation?: IsolationChoice;
  /**
   * `auto` (default): the first session over a Unix socket where the backend offers one
   * (a local engine), else the engine's attach; `attach`: always the attach (to compare them).
   */
  sessionTransport?: 'auto' | 'attach';
}

/** How often the writable layer and the PID count are looked at while a step runs. */
const WATCH_INTERVAL_MS = 250;
/** Longest wait for the tool process to count the sandbox's processes (then the backend counts). */
const PID_COUNT_TIMEOUT_MS = 10_000;
/** Kills of a fork bomb per clearing while the count says it is still there (each kill confirmed by a count). */
const CLEAR_ROUNDS = 5;
/** Extra life the dead-man gives a sandbox past the task's wall limit, for clean-up. */
const DEADMAN_GRACE_S = 60;
/** A sandbox that ends this close to its deadline was ended by its dead-man, not by the agent. */
const DEADMAN_SLACK_MS = 5_000;
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
  /** The host reader: a watcher process over the writable layer, when this host can read it. */
  private watcher: LayerWatcher | undefined;
  /** Paths the host's view of the layer does not hold (listed by the exec reader). */
  private unobserved: string[] = [];
  /** The running step's limit: the watcher stops it when the layer passes disk_mb. */
  private stepLimit: AbortController | undefined;
  private execState: ExecStateReader | undefined;
  /** PIDs every kill spares besides PID 1: the dead-man, as init's children at start. */
  private spare: number[] = [];
  /** Forks refused at the PID limit so far (cgroup pids.events max), as last seen. */
  private limitHits = 0;
  /** The watcher said the layer passed the disk limit (it says so once). */
  private diskAnnounced = false;
  /** The long-lived tool process (file tools, kills); null where the image has no perl. */
  private tools: ToolProcess | null = null;
  /** Whether the image had perl when the sandbox started (a tool process is worth restarting). */
  private hasPerl = false;
  /** When the dead-man ends the sandbox (ms since the epoch). */
  private deadline = Number.POSITIVE_INFINITY;

  private constructor(
    readonly box: BackendSandbox,
    readonly workdir: string,
    private readonly env: string[],
    private readonly limits: Limits,
  ) {
    this.cwd = workdir;
  }

  /** How this sandbox reads state: from the host's view of its layer, by a separate process, or both (the layer, and the mounts it does not hold). */
  get stateReader(): 'host' | 'exec' | 'host+exec' {
    return this.watcher ? (this.execState ? 'host+exec' : 'host') : 'exec';
  }

  /** How the backend isolated this sandbox, and how its state is read (the trajectory header's `sandbox`). */
  get isolation(): Isolation | undefined {
    const facts = this.box.isolation;
    if (!facts) return undefined;
    const unobserved = this.unobserved.length ? `:${this.unobserved.join(',')}` : '';
    return { ...facts, state_reader: `${this.stateReader}${this.stateReader === 'host+exec' ? unobserved : ''}` };
  }

  get id(): string {
    return this.box.id;
  }

  /** How the session's streams travel now: the engine's attach, or a Unix socket on this host (docs/sandbox.md, "Dispatch"). */
  get sessionTransport(): 'attach' | 'socket' | undefined {
    return this.session?.transportKind;
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
    sandbox.deadline = Date.now() + lifetimeS * 1000;
    try {
      if (spec.signal?.aborted) throw new AbortedError();
      await sandbox.chooseReaders(options.stateReader);
      const tools = options.helpers === 'portable' ? Promise.resolve(null) : ToolProcess.start(box).catch(() => null);
      [sandbox.spare, sandbox.tools] = await Promise.all([initChildren(box), tools]);
      sandbox.hasPerl = sandbox.tools !== null;
      try {
        const socket = box.takeSessionSocket?.();
        sandbox.session = await sandbox.openSession(options.sessionTransport === 'attach' ? undefined : socket);
      } catch (error) {
        // Killed between start and the shell (a backend going down): say so, for the retry
        // policy. A backend on its way down can still report the sandbox running for a
        // moment, so look twice.
        await sandbox.throwIfGone(error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await sandbox.throwIfGone(error);
        // The image's bash cannot run at all: the task's image is unusable, not a hiccup.
        if (error instanceof ShellStartError && error.noShell) throw new TaskError('SHELL_UNAVAILABLE', `the image cannot run bash: ${error.noShell}`, { cause: error });
        throw error;
      }
    } catch (error) {
      await sandbox.stop().catch(() => undefined);
      throw error;
    }
    return sandbox;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.sayingWhyGone(() => this.execStep(command, options));
  }

  /**
   * Run a step; an engine error that is not forager's own (a 409 "container stopped", a 404)
   * is first checked against the sandbox's state, so a sandbox that ended mid-step fails as
   * whoever ended it (CONTAINER_GONE, SANDBOX_ENDED_BY_AGENT…), never as an internal error.
   */
  private async sayingWhyGone<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof ForagerError)) await this.throwIfGone(error);
      throw error;
    }
  }

  private async execStep(command: string, options: ExecOptions): Promise<ExecResult> {
    if (options.isolated) return this.execIsolated(command, options);
    // An empty command runs nothing: only the sandbox's state is looked at (a file tool's step).
    const session = command === '' ? undefined : await this.liveSession();
    this.assertRunning();
    const trackState = options.trackState ?? true;
    // The baseline is taken before the first tracked command, so that command's changes count.
    if (trackState) await this.primeState();
    // A bomb an earlier step left in the background, grown since that step's look: cleared first.
    const clearedBefore = await this.clearForkBomb(true);
    const limit = new AbortController();
    this.stepLimit = limit;
    const watch = this.watchStep(limit);
    let result: ShellRunResult;
    try {
      result = session
        ? await session.run(command, {
          timeoutMs: options.timeoutMs ?? this.limits.action_timeout_s * 1000,
          signal: options.signal,
          maxOutputBytes: this.limits.max_output_bytes,
          limit: limit.signal,
          mergeStderr: options.mergeStderr,
        })
        : nothingRun();
    } finally {
      this.stepLimit = undefined;
      await watch.stop();
    }
    if (result.cwd !== null) this.cwd = result.cwd;
    // A session that ended (`exit`, killed, or its sandbox gone) is started again now, which
    // first asks the backend whether the sandbox still runs and who ended it: ended from
    // outside (removed, stopped, out of memory) fails this attempt as infrastructure; ended
    // from inside (the agent killed the dead-man, broke its shell) records this step first,
    // with no state to read, and the next command ends the run as the agent's.
    if (session && !session.alive) {
      try {
        await this.afterSessionDeath();
      } catch (error) {
        if (!(error instanceof AgentError)) throw error;
        return { observation: toObservation(result), state: null };
      }
    }

    // Everything below is the harvester's bookkeeping: off the action's clock.
    const probeStarted = performance.now();
    const cleared = clearedBefore + watch.cleared + (await this.clearForkBomb(true));
    const observation: Observation = toObservation(result);
    if (options.mergeStderr) observation.stderr_merged = true;
    let state: State | null = null;
    let peakBytes = watch.peakBytes;
    if (trackState && this.watcher) {
      const report = await this.watcher.read();
      peakBytes = Math.max(peakBytes ?? 0, report.peakBytes);
      state = stateFromReport(this.cwd, report);
      // Size-limited mounts and gVisor's /tmp are not in the layer: a listing of just those joins the host's reading.
      if (this.execState) state = joinStates(state, buildState(this.cwd, await this.readListing(), this.workdir));
    } else if (trackState) {
      state = buildState(this.cwd, await this.readListing(), this.workdir);
    }
    if (state) {
      if (result.cwdTruncated) state.cwd_truncated = true;
      state.probe = this.stateReader;
    }
    // Without a state reading the layer's size is asked for; the watcher says by itself when
    // the layer passes the limit, so a step it said nothing about is not over it (what it has
    // not yet seen stays in its peak, which the next reading reports).
    if (!this.watcher || (!state && this.diskAnnounced)) peakBytes = Math.max(peakBytes ?? 0, (await this.layerBytes()) ?? 0);
    const over = (peakBytes ?? 0) - this.diskLimitBytes();
    if (watch.diskReached || over > 0) {
      observation.disk_limit_reached = true;
      if (over > 0) observation.disk_overshoot_bytes = over;
    }
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

  /** Pick the state reader once, at start: the host's watcher where the layer is readable from here and python3 is present. */
  private async chooseReaders(wanted: StateReaderChoice | undefined): Promise<void> {
    const mode = wanted ?? (process.env.FORAGER_STATE_READER as StateReaderChoice | undefined) ?? 'auto';
    if (mode !== 'exec') {
      const view = await this.box.layerView();
      // Nothing the sandbox writes reaches the layer (gVisor's memory overlay): the host has nothing to read.
      const blind = view?.unobserved?.includes('/') === true;
      if (view && !blind && hostPython()) {
        try {
          this.watcher = await LayerWatcher.start(view, { workdir: this.workdir, limitBytes: this.diskLimitBytes() });
          this.watcher.onDiskLimit(() => {
            this.diskAnnounced = true;
            void this.stopForDisk();
          });
        } catch (error) {
          if (mode === 'host') throw error;
        }
      } else if (mode === 'host') {
        throw new InfrastructureError('STATE_READER_UNAVAILABLE', view
          ? 'the host reader needs python3 (3.8 or newer) on the host: install it, or use the exec state reader'
          : 'the sandbox\'s writable layer is not readable from here (a remote engine, not root, not an overlay, or a runtime that keeps writes in memory): use the exec state reader');
      }
      if (this.watcher && view?.unobserved?.length) {
        this.unobserved = view.unobserved;
        this.execState = new ExecStateReader(this.box, view.unobserved);
      }
    }
    if (!this.watcher) this.execState = new ExecStateReader(this.box);
  }

  /**
   * The layer passed disk_mb while a step runs: stop it. Where the backend can, every
   * process is frozen and killed from the host at once (the attempt ends anyway), so a loop
   * in the shell itself cannot allocate again while a kill script starts; otherwise the
   * step is interrupted as on a timeout.
   */
  private async stopForDisk(): Promise<void> {
    const limit = this.stepLimit;
    if (!limit) return;
    const { freeze, thaw, killFromHost } = this.box;
    if (freeze && thaw && killFromHost) {
      try {
        await freeze.call(this.box);
        try {
          await killFromHost.call(this.box, this.spare);
        } finally {
          await thaw.call(this.box);
        }
      } catch {
        // The freezer or the host's process list failed: the interruption below still stops the step.
      }
    }
    limit.abort();
  }

  private async primeState(): Promise<void> {
    await this.watcher?.prime();
    await this.execState?.prime().catch(() => undefined);
  }

  /** The exec reader's listing of what changed; unknown (flagged) when the sandbox could not host the lister. */
  private async readListing(): Promise<import('./state.js').StateReading> {
    try {
      return await this.execState!.read();
    } catch {
      return { changes: [], incomplete: true, omitted: 0 };
    }
  }

  /** The writable layer's size: from the watcher's index, else as the backend counts it. */
  private async layerBytes(): Promise<number | undefined> {
    return this.watcher ? this.watcher.size() : this.box.layerBytes();
  }

  /**
   * While a step runs: the PID facts every WATCH_INTERVAL_MS (a fork bomb is cleared as it
   * hits the limit, and the step stopped); and, without a watcher, the layer's size as the backend counts it
   * (a poll, as often as the backend can answer it: past `disk_mb` the step is stopped
   * through `limit`). With a watcher the disk needs no poll: it says so as the layer grows.
   */
  private watchStep(limit: AbortController): { stop: () => Promise<void>; diskReached: boolean; cleared: number; peakBytes: number | undefined } {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let inFlight: Promise<void> = Promise.resolve();
    const watch = {
      diskReached: false,
      cleared: 0,
      peakBytes: undefined as number | undefined,
      // Wait for a look under way: its kill may be what ended the step, and its count belongs to it.
      stop: async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        await inFlight;
      },
    };
    const tick = async () => {
      const started = performance.now();
      if (!this.watcher) {
        const bytes = await this.box.layerBytes();
        if (bytes !== undefined) watch.peakBytes = Math.max(watch.peakBytes ?? 0, bytes);
        if (bytes !== undefined && bytes > this.diskLimitBytes()) {
          watch.diskReached = true;
          limit.abort();
          return;
        }
      }
      const cleared = await this.clearForkBomb(false);
      if (cleared > 0) {
        // The step's processes hit the PID limit: they are cleared and the step is stopped
        // (a loop in the shell itself would otherwise fork again until it ends).
        watch.cleared += cleared;
        limit.abort();
        return;
      }
      if (stopped) return;
      const took = performance.now() - started;
      timer = setTimeout(() => { inFlight = tick(); }, Math.max(WATCH_INTERVAL_MS, took * 2));
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
  private async clearForkBomb(afterStep: boolean): Promise<number> {
    const facts = await this.pidFacts();
    if (facts.limitHits !== undefined) {
      const hit = facts.limitHits > this.limitHits;
      this.limitHits = facts.limitHits;
      if (!hit) return 0;
    } else if (!(await this.nearPidLimit(facts.current, afterStep))) return 0;
    const limit = this.box.agentProcessLimit ?? this.limits.pids;
    let killed = 0;
    for (let round = 0; round < CLEAR_ROUNDS; round += 1) {
      killed += (await this.killer().killAllBut([...this.spare, ...this.ownPids()]).catch(() => ({ killed: 0 }))).killed;
      const after = await this.pidFacts();
      // Forks refused while the killer ran belong to the bomb just cleared.
      this.limitHits = after.limitHits ?? this.limitHits;
      // Confirmed by the count, not assumed: a bomb whose survivors forked again while the
      // killer ran (a loaded machine, gVisor's slower kills) still holds the sandbox.
      if (after.current === undefined || after.current <= limit / 2) break;
    }
    return killed;
  }

  /**
   * The PID facts; where the backend would start a process to count (gVisor), the tool
   * process counts instead: no process start per look, and it answers at the limit too.
   */
  private async pidFacts(): Promise<PidFacts> {
    if (this.box.pidsCountedInside && this.tools?.alive) {
      const current = await this.tools.countProcesses(PID_COUNT_TIMEOUT_MS);
      if (current !== undefined) return { current };
    }
    return this.box.pids();
  }

  private async nearPidLimit(count: number | undefined, afterStep: boolean): Promise<boolean> {
    const limit = this.box.agentProcessLimit ?? this.limits.pids;
    if (afterStep && !atPidLimit(count, limit) && count !== undefined && count > limit / 2) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const again = (await this.pidFacts()).current;
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

  /**
   * A file operation outside the session (see Sandbox.fileOp): through the tool process,
   * started again first when the agent has killed it (the answer says so), else as a script
   * in a process of its own.
   */
  async fileOp(op: FileOp, args: string[], options: ToolRunOptions): Promise<ToolRunResult> {
    return this.sayingWhyGone(() => this.fileOpStep(op, args, options));
  }

  private async fileOpStep(op: FileOp, args: string[], options: ToolRunOptions): Promise<ToolRunResult> {
    this.assertRunning();
    const first = await this.fileOpOnce(op, args, options);
    if (first !== 'unanswered') return first;
    // The tool process was dead before we heard of it (the agent killed it; its end reaches
    // the harvester after the request went out): start another and ask it, once.
    const second = await this.fileOpOnce(op, args, options);
    if (second !== 'unanswered') return { ...second, toolRestarted: true };
    throw new InfrastructureError('TOOL_PROCESS_GONE', 'the sandbox\'s tool process ended twice without answering', { context: { containerId: this.box.id } });
  }

  private async fileOpOnce(op: FileOp, args: string[], options: ToolRunOptions): Promise<ToolRunResult | 'unanswered'> {
    // The agent ended the tool process: start another (or, where perl no longer serves, use scripts from now on), and say so.
    const restarted = this.hasPerl && !this.tools?.alive ? (await this.restartTools(options.timeoutMs), true) : false;
    const tools = this.tools;
    if (!tools?.alive) {
      const result = await this.runTool(FILE_OP_SCRIPTS[op], args, options);
      if (restarted) result.toolRestarted = true;
      return result;
    }
    const started = performance.now();
    const fields: (string | Buffer)[] = [this.cwd, ...args];
    if (op === 'write') fields.push(options.stdin ?? Buffer.alloc(0));
    try {
      const answer = await tools.request(op, fields, { timeoutMs: options.timeoutMs, signal: options.signal, maxBytes: options.maxStdoutBytes });
      if (answer.unanswered) {
        await this.throwIfGone();
        return 'unanswered';
      }
      // Stuck in the file system, or broke its word: end it in the sandbox too; the next operation starts another.
      if (answer.timedOut || answer.overflow) await this.killTools(tools);
      const result: ToolRunResult = {
        exitCode: answer.timedOut || answer.overflow ? null : answer.status,
        stdout: answer.stdout,
        stdoutOverflow: answer.overflow,
        stderr: answer.stderr,
        timedOut: answer.timedOut,
        durationMs: performance.now() - started,
      };
      if (restarted) result.toolRestarted = true;
      return result;
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
    const { killed } = await this.killer().killAllBut([...this.spare, ...(this.tools?.alive ? [this.tools.pid] : [])]);
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
    this.tools?.close();
    this.watcher?.close();
    await this.box.remove();
  }

  private assertRunning(): void {
    if (this.stopped) throw new InfrastructureError('SANDBOX_STOPPED', 'the sandbox was stopped');
  }

  /** A session; over `socket` when given (the first session only: see OpenSessionOptions.socket), else the attach. */
  private openSession(socket?: SessionSocketDir): Promise<ShellSession> {
    return openSession(this.box, { env: this.env, cwd: this.workdir, killer: () => this.killer(), helper: this.hasPerl ? 'perl' : 'bash', socket });
  }

  /**
   * Kills go through the tool process while it lives (no process to start: a fork bomb
   * cannot stop them), else — or when it fails mid-way (the agent killed it) — through a script.
   */
  private killer(): Killer {
    const script = execKiller(this.box);
    if (!this.tools?.alive) return script;
    const tools = toolKiller(this.tools);
    return {
      killCommand: (pid, spare) => tools.killCommand(pid, spare).catch(() => script.killCommand(pid, spare)),
      killShell: (pid) => tools.killShell(pid).catch(() => script.killShell(pid)),
      killAllBut: (spare) => tools.killAllBut(spare).catch(() => script.killAllBut(spare)),
    };
  }

  /** What a fork-bomb clearing spares besides the dead-man: the session (its shell and helper) and the tool process. */
  private ownPids(): number[] {
    const pids: number[] = [];
    if (this.session?.alive) pids.push(this.session.pid, this.session.helperPid);
    if (this.tools?.alive) pids.push(this.tools.pid);
    return pids;
  }

  /** Start the tool process again (the agent killed it); when it does not come up, file operations use scripts from now on. */
  private async restartTools(timeoutMs: number): Promise<void> {
    this.tools = await ToolProcess.start(this.box, { timeoutMs: Math.min(timeoutMs, 30_000) }).catch(() => null);
    if (!this.tools) this.hasPerl = false;
  }

  private async killTools(tools: ToolProcess): Promise<void> {
    tools.close();
    await execKiller(this.box).killShell(tools.pid).catch(() => undefined);
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
        // bash itself cannot be run any more (removed, made unexecutable): nothing to wait for.
        if (error instanceof ShellStartError && error.noShell && !/temporarily|Cannot allocate/i.test(error.noShell)) throw shellBroken(error);
        if (attempt >= 10) throw error instanceof ShellStartError && error.ended ? shellBroken(error) : error;
        if (attempt === 3) await this.killer().killAllBut([...this.spare, ...this.ownPids()]).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, Math.min(500, 100 * attempt)));
      }
    }
    if (this.cwd !== this.workdir) {
      await this.session.run(`cd -- ${shellQuote(this.cwd)}`, { timeoutMs: 10_000, maxOutputBytes: 4096 });
    }
  }

  /**
   * Throw when the sandbox no longer runs, saying whose doing it was by the backend's records:
   * its main process ended by itself before its deadline (no stop, kill or removal was asked
   * for: the agent killed the dead-man) is the agent's; removed, killed or stopped from outside,
   * out of memory, or no record left, is the harvester's world (infrastructure).
   */
  private async throwIfGone(cause?: unknown): Promise<void> {
    const state = await this.box.state().catch(() => null);
    if (state?.running) return;
    const facts = this.stopped ? undefined : await this.box.endFacts?.().catch(() => undefined);
    const oom = state?.oomKilled === true || facts?.oom === true;
    if (!oom && facts?.byRequest === false && Date.now() < this.deadline - DEADMAN_SLACK_MS) {
      throw new AgentError('SANDBOX_ENDED_BY_AGENT', 'the sandbox ended from inside before its deadline: its main process was killed from within (`kill -9 -1` and the like)', { context: { containerId: this.box.id }, cause });
    }
    throw new InfrastructureError(
      oom ? 'CONTAINER_OOM_KILLED' : 'CONTAINER_GONE',
      oom ? 'the sandbox was killed for running out of memory' : 'the sandbox stopped or was removed from outside',
      { context: { containerId: this.box.id }, cause },
    );
  }
}

/** The sandbox cannot start bash any more while it runs: the agent removed or broke it. */
function shellBroken(error: ShellStartError): ForagerError {
  return new AgentError('SHELL_BROKEN', `the sandbox can no longer start a shell (${error.noShell ?? error.message.slice(0, 200)}): the agent removed or broke it`, { cause: error });
}

/** What running nothing gives: no output, status 0, no time. */
function nothingRun(): ShellRunResult {
  const empty = emptyCapture();
  return { stdout: empty, stderr: empty, exitCode: 0, signal: null, timedOut: false, limited: false, durationMs: 0, durationClock: 'sandbox', sessionRestarted: false, cwd: null, cwdTruncated: false };
}

function toObservation(result: ShellRunResult): Observation {
  return {
    stdout: result.stdout,
    stderr: result.stderr,
    exit_code: result.exitCode,
    signal: result.signal,
    timed_out: result.timedOut,
    duration_ms: Math.round(result.durationMs * 1000) / 1000,
    duration_clock: result.durationClock,
    session_restarted: result.sessionRestarted,
  };
}

/** The host's reading and the listing of the paths it does not hold, as one state record (a path both saw is listed once). */
function joinStates(host: State, listed: State): State {
  const seen = new Set([...host.changes, ...(host.outside ?? [])].map((c) => c.path));
  const changes = [...host.changes, ...listed.changes.filter((c) => !seen.has(c.path))].sort(byPath);
  const outside = [...(host.outside ?? []), ...(listed.outside ?? []).filter((c) => !seen.has(c.path))].sort(byPath);
  const joined: State = { ...host, changes };
  if (outside.length) joined.outside = outside;
  if (listed.changes_truncated) {
    joined.changes_truncated = true;
    joined.changes_omitted = (host.changes_omitted ?? 0) + (listed.changes_omitted ?? 0);
  }
  if (listed.outside_truncated) {
    joined.outside_truncated = true;
    joined.outside_omitted = (host.outside_omitted ?? 0) + (listed.outside_omitted ?? 0);
  }
  if (listed.changes_pruned) joined.changes_pruned = (host.changes_pruned ?? 0) + listed.changes_pruned;
  return joined;
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

