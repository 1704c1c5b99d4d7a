import { AbortedError, InfrastructureError } from '../../core/errors.js';
import type { BackendSandbox, SandboxProcess } from '../backend.js';
import { INTERPRETER_ENV, toolServerPerl } from '../scripts/index.js';
import { execKiller } from './kill.js';
import { TOOL_ENV } from './tool-env.js';

/** What one request to the tool process came back with. */
export interface ToolAnswer {
  status: number;
  /** The chunks it streamed, then the end frame's stdout field. */
  stdout: Buffer;
  stderr: Buffer;
  /** More than `maxBytes` came back: the process was ended and the answer cut. */
  overflow: boolean;
  timedOut: boolean;
  /** It ended without answering, and not because this side ended it (timeout, overflow, abort). */
  unanswered?: boolean;
}

export interface ToolRequestOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Most bytes of chunks accepted; past it the process is ended (it broke its word). */
  maxBytes: number;
}

/** The longest wait for the tool process to say hello. */
const START_TIMEOUT_MS = 30_000;
/** Most bytes of one frame accepted from the tool process (a chunk is 64 KiB). */
const FRAME_CAP = 1024 * 1024;
const STDERR_CAP = 16 * 1024;

/**
 * One long-lived tool process in a sandbox (scripts/tool-server.pl), started with it and
 * outside the agent's shell: a fixed PATH, `LC_ALL=C`, none of the agent's functions. File
 * tools and kills go through it as framed requests, one at a time, without a process
 * start each. When it ends (the agent killed it) `alive` turns false and the owner starts
 * another and records that it had to.
 */
export class ToolProcess {
  private buffer: Buffer = Buffer.alloc(0);
  private dead = false;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private listener: ((fields: Buffer[]) => void) | undefined;
  private endListener: (() => void) | undefined;

  private constructor(
    private readonly proc: SandboxProcess,
    /** Its PID in the sandbox: kills spare it. */
    readonly pid: number,
  ) {}

  get alive(): boolean {
    return !this.dead;
  }

  /**
   * Start the tool process; null when it does not come up (no perl in the sandbox, or a
   * perl the agent replaced that floods, hangs or says the wrong thing) — whatever it
   * started is then killed, and the callers fall back to one process per operation.
   */
  static async start(box: BackendSandbox, options: { timeoutMs?: number } = {}): Promise<ToolProcess | null> {
    const env = [...TOOL_ENV, ...INTERPRETER_ENV.map((name) => `${name}=`)];
    // The shell says its PID before it becomes perl: known even when perl is not what it should be.
    const argv = ['/bin/bash', '--noprofile', '--norc', '-c', 'printf "%s\\n" "$$"; exec /usr/bin/perl -e "$1"', 'forager-tools', toolServerPerl()];
    const proc = await box.spawn(argv, { env, stdin: true, cwd: '/' });
    let tool: ToolProcess | undefined;
    let pid: number | undefined;
    const ok = await new Promise<boolean>((resolve) => {
      let raw = Buffer.alloc(0);
      const timer = setTimeout(() => resolve(false), options.timeoutMs ?? START_TIMEOUT_MS);
      proc.onData((stream, chunk) => {
        if (tool) {
          tool.take(stream, chunk);
          return;
        }
        if (stream !== 1 || raw.length > 4096) return;
        raw = Buffer.concat([raw, chunk]);
        if (pid === undefined) {
          const nl = raw.indexOf(10);
          if (nl < 0) return;
          pid = Number(raw.subarray(0, nl).toString('latin1'));
          raw = raw.subarray(nl + 1);
          if (!Number.isInteger(pid) || pid <= 0) pid = undefined;
        }
        const frame = readFrame(raw);
        if (!frame) return;
        clearTimeout(timer);
        const hello = frame.fields[1]?.toString() === 'hello' ? Number(frame.fields[2]?.toString()) : NaN;
        if (pid === undefined || hello !== pid) {
          resolve(false);
          return;
        }
        tool = new ToolProcess(proc, pid);
        tool.buffer = raw.subarray(frame.size);
        resolve(true);
      });
      proc.onEnd(() => {
        clearTimeout(timer);
        if (tool) tool.ended();
        else resolve(false);
      });
    });
    if (ok && tool) return tool;
    proc.close();
    if (pid !== undefined) await execKiller(box).killShell(pid).catch(() => undefined);
    return null;
  }

  /** Send one request; answers come back in order, one request at a time. */
  request(op: string, args: (string | Buffer)[], options: ToolRequestOptions): Promise<ToolAnswer> {
    const run = this.queue.then(() => this.exchange(op, args, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The processes the sandbox's /proc lists (this one included), or undefined when it cannot say. */
  async countProcesses(timeoutMs: number): Promise<number | undefined> {
    const answer = await this.request('count', [], { timeoutMs, maxBytes: 64 }).catch(() => undefined);
    const text = answer?.status === 0 ? answer.stdout.toString('latin1') : '';
    return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
  }

  /** End the tool process's streams (the sandbox is going away, or it broke its word). */
  close(): void {
    this.dead = true;
    this.proc.close();
    this.endListener?.();
  }

  private async exchange(op: string, args: (string | Buffer)[], options: ToolRequestOptions): Promise<ToolAnswer> {
    if (this.dead) throw new InfrastructureError('TOOL_PROCESS_GONE', 'the sandbox\'s tool process has ended');
    if (options.signal?.aborted) throw new AbortedError();
    const id = String(this.nextId++);
    const chunks: Buffer[] = [];
    let bytes = 0;
    const answer: ToolAnswer = { status: -1, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), overflow: false, timedOut: false };
    let aborted = false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { answer.timedOut = true; this.close(); }, options.timeoutMs);
      const onAbort = () => { aborted = true; this.close(); };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.listener = undefined;
        this.endListener = undefined;
        resolve();
      };
      this.endListener = () => {
        // Ended with no answer and not by us: killed from inside the sandbox, perhaps before it read the request.
        if (answer.status === -1 && !answer.timedOut && !answer.overflow && !aborted) answer.unanswered = true;
        done();
      };
      this.listener = (fields) => {
        if (fields[0]?.toString() !== id) return;
        const kind = fields[1]?.toString();
        if (kind === 'chunk') {
          const chunk = fields[2] ?? Buffer.alloc(0);
          bytes += chunk.length;
          if (bytes > options.maxBytes) {
            answer.overflow = true;
            this.close();
            return;
          }
          chunks.push(chunk);
        } else if (kind === 'end') {
          answer.status = Number(fields[2]?.toString() ?? '-1');
          chunks.push(fields[3] ?? Buffer.alloc(0));
          answer.stderr = (fields[4] ?? Buffer.alloc(0)).subarray(0, STDERR_CAP);
          done();
        }
      };
      this.proc.write(encodeFrame([id, op, ...args]));
    });
    if (aborted) throw new AbortedError('the tool was aborted');
    answer.stdout = Buffer.concat(chunks);
    return answer;
  }

  private take(stream: 1 | 2, chunk: Buffer): void {
    if (stream !== 1 || this.dead) return;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length >= 4 && this.buffer.readUInt32BE(0) > FRAME_CAP) {
        // Not a frame this process would send: it is not ours any more.
        this.close();
        return;
      }
      const frame = readFrame(this.buffer);
      if (!frame) return;
      this.buffer = this.buffer.subarray(frame.size);
      this.listener?.(frame.fields);
    }
  }

  private ended(): void {
    this.dead = true;
    this.endListener?.();
  }
}

/** u32 length, then each field as u32 length and bytes. */
export function encodeFrame(fields: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  for (const field of fields) {
    const bytes = typeof field === 'string' ? Buffer.from(field, 'utf8') : field;
    const head = Buffer.alloc(4);
    head.writeUInt32BE(bytes.length);
    parts.push(head, bytes);
    size += 4 + bytes.length;
  }
  const head = Buffer.alloc(4);
  head.writeUInt32BE(size);
  return Buffer.concat([head, ...parts]);
}

/** The first whole frame in `data` and its size, or null while it is incomplete. */
export function readFrame(data: Buffer): { fields: Buffer[]; size: number } | null {
  if (data.length < 4) return null;
  const length = data.readUInt32BE(0);
  if (data.length < 4 + length) return null;
  const fields: Buffer[] = [];
  let at = 4;
  const end = 4 + length;
  while (at + 4 <= end) {
    const n = data.readUInt32BE(at);
    if (at + 4 + n > end) break;
    fields.push(Buffer.from(data.subarray(at + 4, at + 4 + n)));
    at += 4 + n;
  }
  return { fields, size: end };
}
