import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { AbortedError, InfrastructureError } from '../../core/errors.js';
import type { StreamCapture } from '../../trajectory/schema.js';
import { OutputCapture } from '../../core/capture.js';
import type { KillReport } from '../process/kill.js';
import { SentinelSplitter } from '../sentinel.js';
import { parseHello, parseTrailer, stepScript, TRAILER_CAP, type Hello, type SessionChild } from './protocol.js';
import type { SessionTransport, StreamsKind } from './transport.js';

export interface ShellRunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  maxOutputBytes: number;
  /** Stops the command like a timeout (its process tree is killed) without throwing: a limit was reached. */
  limit?: AbortSignal;
  /** stderr into stdout's pipe: one stream in the kernel's order (CWM's `2>&1`). */
  mergeStderr?: boolean;
}

export interface ShellRunResult {
  stdout: StreamCapture;
  stderr: StreamCapture;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** `limit` fired while the command ran. */
  limited: boolean;
  durationMs: number;
  /** `sandbox`: timed by the shell's own clock inside the sandbox; `harvester`: by ours (the shell's clock was unavailable). */
  durationClock: 'sandbox' | 'harvester';
  sessionRestarted: boolean;
  cwd: string | null;
  cwdTruncated: boolean;
}

/**
 * Why the shell did not start: what it printed, whether its process ended (rather than stayed
 * silent), and — when the helper could tell — why bash itself could not be run (`noShell`:
 * `/bin/bash: No such file or directory`).
 */
export class ShellStartError extends InfrastructureError {
  constructor(message: string, readonly output: string, readonly ended: boolean, readonly noShell?: string) {
    super('SHELL_START', message, { context: { output: output.slice(0, 500) } });
  }
}

/** How long the shell may take to report a command's end after the command's processes were killed, between looks. */
const KILL_GRACE_MS = 2_000;
/** The longest the shell may keep a timed-out command going before it is killed itself. */
const KILL_CAP_MS = 60_000;
/** CPU the shell may burn after its command's processes were killed before it counts as looping (clock ticks). */
const BUSY_TICKS = 10;
const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));

/**
 * One persistent bash process and its helper, driven over a transport. Each command runs
 * through `eval` in the session itself (so cd, exports and functions carry over); its end
 * is reported by the helper, outside the agent's reach (see protocol.ts).
 */
export class ShellSession {
  private busy = false;
  private dead = false;
  /** The shell's children when the last command ended: background jobs a timeout spares. */
  private children: SessionChild[] = [];
  private onData: ((stream: 1 | 2, payload: Buffer) => void) | undefined;
  private onEnd: (() => void) | undefined;

  private constructor(
    private readonly transport: SessionTransport,
    private readonly hello: Hello,
  ) {
    transport.onData((type, payload) => this.onData?.(type, payload));
    transport.onEnd(() => {
      this.dead = true;
      this.onEnd?.();
    });
  }

  /** The agent's shell's PID in the sandbox. */
  get pid(): number {
    return this.hello.pid;
  }

  /** The helper's PID: forager's own process, spared by kills. */
  get helperPid(): number {
    return this.hello.helperPid;
  }

  /** Which helper reports for the shell: `perl`, or `bash` where the image has no perl. */
  get helper(): 'perl' | 'bash' {
    return this.hello.helper;
  }

  /** How the step streams travel: the engine's attach, or a Unix socket on this host. */
  get transportKind(): StreamsKind {
    return this.transport.kind;
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Take a transport whose far end is a fresh session helper; wait for its hello. */
  static async open(transport: SessionTransport, options: { timeoutMs?: number } = {}): Promise<ShellSession> {
    let out = '';
    const hello = await new Promise<Hello>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(new ShellStartError('bash did not start within the time allowed', out, false));
      }, options.timeoutMs ?? 30_000);
      transport.onData((_type, payload) => {
        if (settled || out.length > 4096) return;
        out += payload.toString('latin1');
        const noShell = /\x1eFORAGER-NOSHELL ([^\n]*)\n/.exec(out);
        if (noShell) {
          settled = true;
          clearTimeout(timer);
          reject(new ShellStartError(`bash could not be started: ${noShell[1]}`, out, true, noShell[1]));
          return;
        }
        const found = parseHello(out);
        if (!found) return;
        settled = true;
        clearTimeout(timer);
        resolve(found);
      });
      transport.onEnd(() => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new ShellStartError(`bash exited at start: ${out.slice(0, 500)}`, out, true));
      });
    });
    return new ShellSession(transport, hello);
  }

  /** Run one command; a non-zero exit, a timeout or a dead session are results, not throws. */
  async run(command: string, options: ShellRunOptions): Promise<ShellRunResult> {
    if (this.busy) throw new Error('ShellSession.run called while a command is running');
    if (this.dead) throw new InfrastructureError('SHELL_DEAD', 'the shell session has ended');
    if (options.signal?.aborted) throw new AbortedError();
    this.busy = true;
    const started = performance.now();
    const nonce = randomBytes(8).toString('hex');
    const marker = Buffer.from(`\x1e${this.hello.secret}`);
    const endMarker = Buffer.from(`\x1e${this.hello.secret}${nonce}E`);
    const stdout = new OutputCapture(options.maxOutputBytes);
    const stderr = new OutputCapture(options.maxOutputBytes);
    const outSplit = new SentinelSplitter(marker, (c) => stdout.push(c), TRAILER_CAP);
    const errSplit = new SentinelSplitter(marker, (c) => stderr.push(c), 64);
    let timedOut = false;
    let limited = false;
    let killedSession = false;
    let aborted = false;
    const over = new AbortController();
    let interrupting: Promise<void> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => { aborted = true; interrupt(); };
    const onLimit = () => { limited = true; interrupt(); };
    const interrupt = () => {
      interrupting ??= this.interrupt(over.signal, () => { killedSession = true; }).catch(() => {
        // Nothing could kill in the sandbox: give the session up (the owner restarts it, or finds the sandbox gone).
        killedSession = true;
        this.dead = true;
        over.abort();
      });
    };

    try {
      await new Promise<void>((resolve) => {
        over.signal.addEventListener('abort', () => resolve(), { once: true });
        this.onData = (type, payload) => {
          (type === 1 ? outSplit : errSplit).push(payload);
          if (outSplit.seen && errSplit.seen && endOf(outSplit.trailer, nonce, endMarker) !== null) over.abort();
        };
        this.onEnd = () => over.abort();
        timer = setTimeout(() => { timedOut = true; interrupt(); }, options.timeoutMs);
        options.signal?.addEventListener('abort', onAbort, { once: true });
        if (options.limit?.aborted) onLimit();
        else options.limit?.addEventListener('abort', onLimit, { once: true });
        this.transport.write(stepScript(nonce, Buffer.from(command, 'utf8'), { mergeStderr: options.mergeStderr, helper: this.hello.helper }));
      });
      // A kill under way finishes before the next command can start (it would see that command's processes).
      await interrupting;
    } finally {
      over.abort();
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      options.limit?.removeEventListener('abort', onLimit);
      this.onData = undefined;
      this.onEnd = undefined;
      this.busy = false;
    }
    outSplit.flush();
    errSplit.flush();
    const harvesterMs = performance.now() - started;
    if (aborted) throw new AbortedError('the action was aborted', { context: { command: command.slice(0, 200) } });

    const end = endOf(outSplit.trailer, nonce, endMarker);
    let exitCode: number | null = null;
    let cwd: string | null = null;
    let cwdTruncated = false;
    let durationMs: number | null = null;
    if (end?.kind === 'step') {
      const trailer = parseTrailer(end.body);
      ({ exitCode, cwd, cwdTruncated, durationMs } = trailer);
      this.children = trailer.children;
    } else {
      // The shell ended: its exit status when the helper could say it.
      this.dead = true;
      exitCode = end?.kind === 'exit' ? end.code : null;
      this.children = [];
    }
    const signal = exitCode !== null && exitCode > 128 ? SIGNAL_NAMES.get(exitCode - 128) ?? null : null;
    return {
      stdout: stdout.finish(),
      stderr: stderr.finish(),
      exitCode: (timedOut || limited) && signal ? null : exitCode,
      signal,
      timedOut,
      limited,
      durationMs: durationMs ?? harvesterMs,
      durationClock: durationMs === null ? 'harvester' : 'sandbox',
      sessionRestarted: killedSession || end?.kind !== 'step',
      cwd,
      cwdTruncated,
    };
  }

  /**
   * Stop a command: kill the processes it started (the shell's children that the last step
   * did not leave behind), confirmed gone; the shell then reports the end as usual. Only when
   * the shell itself goes on — it starts new processes, burns CPU, or waits on anything but
   * its own input — is it killed too, and the session ends. Decided by what /proc says of
   * the shell, not by how long the report takes to arrive.
   */
  private async interrupt(over: AbortSignal, onKillShell: () => void): Promise<void> {
    const deadline = performance.now() + KILL_CAP_MS;
    let last: KillReport = await this.transport.killCommand(this.pid, this.children);
    while (!over.aborted) {
      await pause(KILL_GRACE_MS, over);
      if (over.aborted) return;
      const now = await this.transport.killCommand(this.pid, this.children);
      const shell = now.shell;
      if (!shell) return; // the shell is gone: its end is on its way
      const looping = now.killed > 0 || shell.cpuTicks - (last.shell?.cpuTicks ?? shell.cpuTicks) >= BUSY_TICKS;
      const blockedElsewhere = shell.state !== 'R' && shell.readingInput === false;
      if (shell.readingInput !== true && (looping || blockedElsewhere || performance.now() > deadline)) {
        onKillShell();
        await this.transport.killShell(this.pid);
        return;
      }
      last = now;
    }
  }

  /** End the session (the sandbox may already be gone). */
  close(): void {
    this.dead = true;
    this.transport.close();
  }
}

/** Wait `ms`, or less when `over` fires. */
function pause(ms: number, over: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    over.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      over.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * Where stdout's report ends: the step's (`nonce O … \x1e secret nonce E`) with its body,
 * or the shell's exit (`X code \x1e`), or null while neither is complete.
 */
function endOf(trailer: Buffer, nonce: string, endMarker: Buffer): { kind: 'step'; body: Buffer } | { kind: 'exit'; code: number | null } | null {
  const head = trailer.subarray(0, nonce.length + 1).toString('latin1');
  if (head === `${nonce}O`) {
    const at = trailer.indexOf(endMarker);
    return at < 0 ? null : { kind: 'step', body: trailer.subarray(nonce.length + 1, at) };
  }
  const exit = /^X(\d*)\x1e/.exec(trailer.subarray(0, 16).toString('latin1'));
  if (exit) return { kind: 'exit', code: exit[1] ? Number(exit[1]) : null };
  return null;
}
