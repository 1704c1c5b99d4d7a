import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { AbortedError, InfrastructureError } from '../../core/errors.js';
import type { StreamCapture } from '../../trajectory/schema.js';
import { OutputCapture } from '../capture.js';
import { FrameDemuxer, SentinelSplitter } from '../sentinel.js';
import { killAllButInit, killTree, runOneShot } from './one-shot.js';

export interface ShellRunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  maxOutputBytes: number;
  /** Shell code run after the command, in the same session; its stdout is returned as `probe`. */
  probe?: string;
}

export interface ShellRunResult {
  stdout: StreamCapture;
  stderr: StreamCapture;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  sessionRestarted: boolean;
  cwd: string | null;
  probe: Buffer;
}

/** How long a command may take to reach its sentinel after its process tree was killed. */
const KILL_GRACE_MS = 2_000;
const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));

/**
 * One persistent bash process inside a container, driven over an attached exec stream.
 * Each command travels as raw bytes read by `read -N` (no quoting, no forks), runs
 * through `eval` in the session itself (so cd, exports and functions carry over), and
 * ends with per-command random markers on stdout and stderr that output cannot forge.
 */
export class ShellSession {
  private busy = false;
  private dead = false;
  private onData: ((stream: 1 | 2, payload: Buffer) => void) | undefined;
  private onEnd: (() => void) | undefined;

  private constructor(
    private readonly container: Docker.Container,
    private readonly exec: Docker.Exec,
    private readonly stream: Duplex,
    readonly pid: number,
    private readonly deadman: string[],
  ) {
    const demux = new FrameDemuxer((type, payload) => this.onData?.(type, payload));
    stream.on('data', (chunk: Buffer) => demux.push(chunk));
    const end = () => {
      this.dead = true;
      this.onEnd?.();
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Start bash in the container and learn its PID. */
  static async open(
    container: Docker.Container,
    options: { env: string[]; cwd: string; deadman: string[]; timeoutMs?: number },
  ): Promise<ShellSession> {
    const exec = await container.exec({
      Cmd: ['bash', '--noprofile', '--norc'],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      Env: options.env,
      WorkingDir: options.cwd,
    });
    const stream = (await exec.start({ hijack: true, stdin: true })) as unknown as Duplex;
    const nonce = randomBytes(12).toString('hex');
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new InfrastructureError('SHELL_START', 'bash did not start within the time allowed')), options.timeoutMs ?? 30_000);
      const demux = new FrameDemuxer((type, payload) => {
        if (type !== 1) return;
        out += payload.toString('utf8');
        const match = new RegExp(`${nonce} (\\d+)\\n`).exec(out);
        if (match) {
          clearTimeout(timer);
          stream.removeListener('data', onChunk);
          resolve(Number(match[1]));
        }
      });
      const onChunk = (chunk: Buffer) => demux.push(chunk);
      stream.on('data', onChunk);
      stream.once('end', () => {
        clearTimeout(timer);
        reject(new InfrastructureError('SHELL_START', `bash exited at start: ${out.slice(0, 500)}`));
      });
      // The function restores $? after each command without forking.
      stream.write(`__forager_return() { return "$1"; }\nprintf '%s %d\\n' ${nonce} $$\n`);
    });
    return new ShellSession(container, exec, stream, pid, options.deadman);
  }

  /** Run one command; a non-zero exit, a timeout or a dead session are results, not throws. */
  async run(command: string, options: ShellRunOptions): Promise<ShellRunResult> {
    if (this.busy) throw new Error('ShellSession.run called while a command is running');
    if (this.dead) throw new InfrastructureError('SHELL_DEAD', 'the shell session has ended');
    if (options.signal?.aborted) throw new AbortedError();
    this.busy = true;
    const started = performance.now();
    const nonce = randomBytes(16).toString('hex');
    const outMarker = Buffer.from(`\x1e${nonce}O`);
    const endMarker = Buffer.from(`\x1e${nonce}E`);
    const errMarker = Buffer.from(`\x1e${nonce}R`);
    const stdout = new OutputCapture(options.maxOutputBytes);
    const stderr = new OutputCapture(options.maxOutputBytes);
    const outSplit = new SentinelSplitter(outMarker, (c) => stdout.push(c));
    const errSplit = new SentinelSplitter(errMarker, (c) => stderr.push(c));
    let timedOut = false;
    let killedSession = false;
    let aborted = false;
    const timers: NodeJS.Timeout[] = [];
    let onAbort: (() => void) | undefined;

    try {
      await new Promise<void>((resolve) => {
        const check = () => {
          if (outSplit.seen && errSplit.seen && outSplit.trailer.includes(endMarker)) resolve();
        };
        this.onData = (type, payload) => {
          (type === 1 ? outSplit : errSplit).push(payload);
          check();
        };
        this.onEnd = () => resolve();
        // Kill the command's tree; if the sentinel still does not come, kill every process
        // but init and the dead-man (the session too, which is then restarted).
        const interrupt = () => {
          void killTree(this.container, this.pid).catch(() => undefined);
          timers.push(setTimeout(() => {
            killedSession = true;
            void killAllButInit(this.container, this.deadman).catch(() => undefined);
            timers.push(setTimeout(() => { this.dead = true; resolve(); }, KILL_GRACE_MS));
          }, KILL_GRACE_MS));
        };
        timers.push(setTimeout(() => { timedOut = true; interrupt(); }, options.timeoutMs));
        onAbort = () => { aborted = true; interrupt(); };
        options.signal?.addEventListener('abort', onAbort, { once: true });
        const body = Buffer.from(command, 'utf8');
        this.stream.write(Buffer.concat([
          Buffer.from(`LC_ALL=C IFS= read -r -N ${body.length} __forager_cmd\n`),
          body,
          Buffer.from(wrapper(nonce, options.probe ?? '')),
        ]));
      });
    } finally {
      for (const t of timers) clearTimeout(t);
      if (onAbort) options.signal?.removeEventListener('abort', onAbort);
      this.onData = undefined;
      this.onEnd = undefined;
      this.busy = false;
    }
    outSplit.flush();
    errSplit.flush();
    const durationMs = performance.now() - started;
    if (aborted) throw new AbortedError('the action was aborted', { context: { command: command.slice(0, 200) } });

    const completed = outSplit.seen && errSplit.seen;
    let exitCode: number | null = null;
    let cwd: string | null = null;
    let probe = Buffer.alloc(0);
    if (completed) {
      const trailer = outSplit.trailer;
      const body = trailer.subarray(0, trailer.indexOf(endMarker));
      const first = body.indexOf(0);
      const second = body.indexOf(0, first + 1);
      exitCode = Number(body.subarray(0, first).toString());
      cwd = body.subarray(first + 1, second).toString('utf8');
      probe = Buffer.from(body.subarray(second + 1));
    } else {
      this.dead = true;
      exitCode = await this.exitCode();
    }
    const signal = exitCode !== null && exitCode > 128 ? SIGNAL_NAMES.get(exitCode - 128) ?? null : null;
    return {
      stdout: stdout.finish(),
      stderr: stderr.finish(),
      exitCode: timedOut && signal ? null : exitCode,
      signal,
      timedOut,
      durationMs,
      sessionRestarted: killedSession || !completed,
      cwd,
      probe,
    };
  }

  /** End the session (the container may already be gone). */
  close(): void {
    this.dead = true;
    this.stream.end();
    this.stream.destroy();
  }

  private async exitCode(): Promise<number | null> {
    for (let i = 0; i < 20; i += 1) {
      const info = await this.exec.inspect().catch(() => undefined);
      if (!info) return null;
      if (!info.Running) return info.ExitCode ?? null;
      await new Promise((r) => setTimeout(r, 25));
    }
    return null;
  }
}

function wrapper(nonce: string, probe: string): string {
  return [
    '',
    'eval "$__forager_cmd" </dev/null',
    '__forager_ec=$?',
    `printf '\\036%sO%d\\0%s\\0' ${nonce} "$__forager_ec" "$PWD"`,
    probe ? `{ ${probe}\n} 2>/dev/null </dev/null` : ':',
    `printf '\\036%sE' ${nonce}`,
    `printf '\\036%sR' ${nonce} >&2`,
    '__forager_return "$__forager_ec"',
    '',
  ].join('\n');
}

export { runOneShot };
