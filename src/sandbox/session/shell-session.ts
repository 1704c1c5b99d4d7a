import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { AbortedError, InfrastructureError } from '../../core/errors.js';
import type { StreamCapture } from '../../trajectory/schema.js';
import { OutputCapture } from '../../core/capture.js';
import { SentinelSplitter } from '../sentinel.js';
import { parseTrailer, stepMarkers, stepScript, TRAILER_CAP } from './protocol.js';
import type { SessionTransport } from './transport.js';

export interface ShellRunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  maxOutputBytes: number;
  /** Stops the command like a timeout (its process tree is killed) without throwing: a limit was reached. */
  limit?: AbortSignal;
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
  sessionRestarted: boolean;
  cwd: string | null;
  cwdTruncated: boolean;
}

/** How long a command may take to reach its sentinel after its process tree was killed. */
const KILL_GRACE_MS = 2_000;
/** The longest wait for the command's kill before the grace period starts anyway. */
const KILL_WAIT_MS = 15_000;
const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));

/**
 * One persistent bash process, driven over a transport (a Docker exec attach, …).
 * Each command runs through `eval` in the session itself (so cd, exports and functions
 * carry over) and ends with per-command random markers on stdout and stderr; the exit
 * code and working directory come from a fresh /bin/sh the agent's shell state cannot
 * reach (see protocol.ts).
 */
export class ShellSession {
  private busy = false;
  /** What `$?` shows the next command. */
  private lastExit = 0;
  private dead = false;
  private onData: ((stream: 1 | 2, payload: Buffer) => void) | undefined;
  private onEnd: (() => void) | undefined;

  private constructor(
    private readonly transport: SessionTransport,
    readonly pid: number,
    /** Maps harvester time to the kernel's clock ticks since boot (what /proc/PID/stat counts in). */
    private readonly clock: { ticksAt: number; at: number },
    /** The kernel's clock read directly, when the harvester shares the sandbox's kernel. */
    private readonly kernelTicks?: () => number | undefined,
  ) {
    transport.onData((type, payload) => this.onData?.(type, payload));
    transport.onEnd(() => {
      this.dead = true;
      this.onEnd?.();
    });
  }

  get alive(): boolean {
    return !this.dead;
  }

  /**
   * Take a transport whose far end is a fresh `bash --noprofile --norc`; learn its PID
   * and clock. `kernelTicks` reads the sandbox kernel's clock directly (a local engine:
   * the host's /proc/uptime); without it the clock is mapped once, here.
   */
  static async open(transport: SessionTransport, options: { timeoutMs?: number; kernelTicks?: () => number | undefined } = {}): Promise<ShellSession> {
    const nonce = randomBytes(12).toString('hex');
    const [pid, clock] = await new Promise<[number, { ticksAt: number; at: number }]>((resolve, reject) => {
      let out = '';
      let settled = false;
      const timer = setTimeout(() => { settled = true; reject(new InfrastructureError('SHELL_START', 'bash did not start within the time allowed')); }, options.timeoutMs ?? 30_000);
      transport.onData((type, payload) => {
        if (settled || type !== 1 || out.length > 4096) return;
        out += payload.toString('utf8');
        const match = new RegExp(`${nonce} (\\d+) (\\d+)\\.(\\d\\d)\\n`).exec(out);
        if (match) {
          settled = true;
          clearTimeout(timer);
          // The uptime was read at or before now, and long after sending when the backend is
          // slow to start the process (Podman over TCP: ~0.5 s): mapping it to now keeps the
          // mapped clock at or behind the kernel's, so a timeout's cut never spares the command.
          resolve([Number(match[1]), { ticksAt: Number(match[2]) * 100 + Number(match[3]), at: performance.now() }]);
        }
      });
      transport.onEnd(() => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new InfrastructureError('SHELL_START', `bash exited at start: ${out.slice(0, 500)}`));
      });
      // __forager_return sets $? without forking (tool commands use it too).
      transport.write(`__forager_return() { return "$1"; }\nread -r __forager_up _ < /proc/uptime\nprintf '%s %d %s\\n' ${nonce} $$ "$__forager_up"\nunset __forager_up\n`);
    });
    return new ShellSession(transport, pid, clock, options.kernelTicks);
  }

  /** Run one command; a non-zero exit, a timeout or a dead session are results, not throws. */
  async run(command: string, options: ShellRunOptions): Promise<ShellRunResult> {
    if (this.busy) throw new Error('ShellSession.run called while a command is running');
    if (this.dead) throw new InfrastructureError('SHELL_DEAD', 'the shell session has ended');
    if (options.signal?.aborted) throw new AbortedError();
    this.busy = true;
    const started = performance.now();
    // Read directly, the clock is exact; mapped, two ticks of slack toward killing.
    const direct = this.kernelTicks?.();
    const startedTicks = direct ?? this.ticksAt(started) - 2;
    const nonce = randomBytes(16).toString('hex');
    const markers = stepMarkers(nonce);
    const stdout = new OutputCapture(options.maxOutputBytes);
    const stderr = new OutputCapture(options.maxOutputBytes);
    const outSplit = new SentinelSplitter(markers.out, (c) => stdout.push(c), TRAILER_CAP);
    const errSplit = new SentinelSplitter(markers.err, (c) => stderr.push(c), 0);
    let timedOut = false;
    let limited = false;
    let killedSession = false;
    let aborted = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    let onAbort: (() => void) | undefined;
    let onLimit: (() => void) | undefined;

    try {
      await new Promise<void>((resolve) => {
        const check = () => {
          if (outSplit.seen && errSplit.seen && outSplit.trailer.includes(markers.end)) resolve();
        };
        this.onData = (type, payload) => {
          (type === 1 ? outSplit : errSplit).push(payload);
          check();
        };
        this.onEnd = () => resolve();
        // Kill what this command started (children of the session younger than the
        // command: earlier background jobs survive); if the sentinel still does not come,
        // kill every process but init and the dead-man (the session too, then restarted).
        let interrupted = false;
        const interrupt = () => {
          if (interrupted) return;
          interrupted = true;
          // The grace period starts once the kill has been carried out: on a loaded engine
          // the kill's own exec can take longer than the grace itself.
          const killed = this.transport.killCommand(this.pid, startedTicks).catch(() => undefined);
          const bounded = new Promise<void>((done) => timers.push(setTimeout(done, KILL_WAIT_MS)));
          void Promise.race([killed, bounded]).then(() => {
            if (settled) return;
            timers.push(setTimeout(() => {
              killedSession = true;
              void this.transport.killAll().catch(() => undefined);
              timers.push(setTimeout(() => { this.dead = true; resolve(); }, KILL_GRACE_MS));
            }, KILL_GRACE_MS));
          });
        };
        timers.push(setTimeout(() => { timedOut = true; interrupt(); }, options.timeoutMs));
        onAbort = () => { aborted = true; interrupt(); };
        options.signal?.addEventListener('abort', onAbort, { once: true });
        onLimit = () => { limited = true; interrupt(); };
        if (options.limit?.aborted) onLimit();
        else options.limit?.addEventListener('abort', onLimit, { once: true });
        this.transport.write(stepScript(nonce, Buffer.from(command, 'utf8'), this.lastExit));
      });
    } finally {
      settled = true;
      for (const t of timers) clearTimeout(t);
      if (onAbort) options.signal?.removeEventListener('abort', onAbort);
      if (onLimit) options.limit?.removeEventListener('abort', onLimit);
      this.onData = undefined;
      this.onEnd = undefined;
      this.busy = false;
    }
    outSplit.flush();
    errSplit.flush();
    const durationMs = performance.now() - started;
    if (aborted) throw new AbortedError('the action was aborted', { context: { command: command.slice(0, 200) } });

    const trailer = outSplit.trailer;
    const endAt = trailer.indexOf(markers.end);
    const completed = outSplit.seen && errSplit.seen && endAt >= 0;
    let exitCode: number | null = null;
    let cwd: string | null = null;
    let cwdTruncated = false;
    if (completed) {
      ({ exitCode, cwd, cwdTruncated } = parseTrailer(trailer.subarray(0, endAt)));
    } else {
      this.dead = true;
      exitCode = await this.transport.exitCode();
    }
    if (exitCode !== null) this.lastExit = exitCode;
    const signal = exitCode !== null && exitCode > 128 ? SIGNAL_NAMES.get(exitCode - 128) ?? null : null;
    return {
      stdout: stdout.finish(),
      stderr: stderr.finish(),
      exitCode: (timedOut || limited) && signal ? null : exitCode,
      signal,
      timedOut,
      limited,
      durationMs,
      sessionRestarted: killedSession || !completed,
      cwd,
      cwdTruncated,
    };
  }

  /** The kernel's clock ticks (1/100 s since boot) at harvester time `t`, rounded down. */
  private ticksAt(t: number): number {
    return Math.floor(this.clock.ticksAt + (t - this.clock.at) / 10);
  }

  /** End the session (the sandbox may already be gone). */
  close(): void {
    this.dead = true;
    this.transport.close();
  }
}
