import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { InfrastructureError } from '../../core/errors.js';
import { PACKAGE_ROOT } from '../../core/package-root.js';
import type { FileChange } from '../../trajectory/schema.js';
import type { LayerView } from '../backend.js';
import type { LayerReport } from './report.js';
import { MAX_CHANGES, MAX_OUTSIDE, MAX_PATH, PRUNED } from '../state.js';

const SCRIPT = join(PACKAGE_ROOT, 'src', 'sandbox', 'layer', 'python', 'layer_watch.py');
/** Most lower-layer files listed as deleted under one deleted folder (the rest are counted). */
const MAX_EXPANDED = 20_000;
/** A watcher's answer is bounded by the change caps; anything longer is a broken watcher. */
const MAX_LINE_BYTES = 32 * 1024 * 1024;
/** How often a watcher without inotify (no watch left) walks the layer for the disk limit. */
const WALK_POLL_MS = 1000;
/** Longest wait for one answer; a watcher that takes longer is ended and the state is unknown. */
const ANSWER_TIMEOUT_MS = 120_000;

/** One change as the watcher reports it; `pathBytes` (base64) when the name is not UTF-8. */
interface WatchedChange {
  path: string;
  change: FileChange['change'];
  size?: number;
  pathBytes?: string;
  pathLength?: number;
}

let python: string | null | undefined;

/** The host's python3, when there is one (the watcher needs nothing but its standard library). */
export function hostPython(): string | null {
  if (python !== undefined) return python;
  const probe = spawnSync('python3', ['-c', 'import sys; assert sys.version_info >= (3, 8); print(sys.executable)'], { encoding: 'utf8', timeout: 10_000 });
  python = probe.status === 0 ? probe.stdout.trim() : null;
  return python;
}

/**
 * A watcher process for one sandbox's writable layer (python/layer_watch.py): it walks the
 * layer by directory descriptors without following links, keeps an index, and learns from
 * inotify what to look at again, so a report costs what the step changed, not what the
 * layer holds, and none of that work runs on this process's event loop. It says at once
 * when the layer passes `limitBytes`.
 */
export class LayerWatcher {
  private buffer: Buffer[] = [];
  private buffered = 0;
  private waiting: { resolve: (line: Record<string, unknown>) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  private diskListener: ((bytes: number) => void) | undefined;
  private primed = false;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => this.take(chunk));
    child.stderr.resume();
    child.on('error', (error) => this.fail(error));
    child.on('close', (code) => this.fail(new InfrastructureError('LAYER_WATCHER_ENDED', `the layer watcher ended (exit ${code})`)));
    child.stdin.on('error', () => undefined);
  }

  /** Start watching; resolves once the first walk is done. */
  static async start(view: LayerView, options: { workdir: string; limitBytes: number }): Promise<LayerWatcher> {
    const interpreter = hostPython();
    if (!interpreter) throw new InfrastructureError('LAYER_WATCHER_UNAVAILABLE', 'the host reader needs python3 (3.8 or newer) on the host');
    const config = {
      upper: view.upper,
      lowers: view.lowers,
      root: view.root ?? '/',
      workdir: options.workdir,
      limitBytes: options.limitBytes,
      pruned: PRUNED,
      maxInside: MAX_CHANGES,
      maxOutside: MAX_OUTSIDE,
      maxPath: MAX_PATH,
      maxExpanded: MAX_EXPANDED,
      pollMs: WALK_POLL_MS,
    };
    const child = spawn(interpreter, ['-I', '-S', SCRIPT, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const watcher = new LayerWatcher(child);
    const ready = await watcher.next();
    if (ready.error) {
      watcher.close();
      throw new InfrastructureError('LAYER_WATCHER_FAILED', String(ready.error));
    }
    return watcher;
  }

  /** Called once when the layer passes the limit between reports (the disk watch). */
  onDiskLimit(listener: (bytes: number) => void): void {
    this.diskListener = listener;
  }

  /** Take everything up to now as the baseline, once (before the first tracked command); later calls keep it. */
  async prime(): Promise<void> {
    if (this.primed) return;
    await this.ask({ op: 'prime' });
    this.primed = true;
  }

  /** What changed since the previous report or the baseline. */
  async read(): Promise<LayerReport> {
    const answer = (await this.ask({ op: 'read' })) as unknown as Omit<LayerReport, 'inside' | 'outside'> & { inside: WatchedChange[]; outside: WatchedChange[] };
    return { ...answer, inside: answer.inside.map(toFileChange), outside: answer.outside.map(toFileChange) };
  }

  /** Disk the layer holds now. */
  async size(): Promise<number> {
    return Number((await this.ask({ op: 'size' })).bytes);
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill('SIGKILL');
  }

  private async ask(command: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.failure) throw this.failure;
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    return this.next();
  }

  private next(): Promise<Record<string, unknown>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new InfrastructureError('LAYER_WATCHER_TIMEOUT', `the layer watcher did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`));
        this.close();
      }, ANSWER_TIMEOUT_MS);
      this.waiting = {
        resolve: (line) => { clearTimeout(timer); resolve(line); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      };
    });
  }

  private take(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      this.buffer.push(chunk.subarray(start, nl));
      const line = Buffer.concat(this.buffer).toString('utf8');
      this.buffer = [];
      this.buffered = 0;
      start = nl + 1;
      this.dispatch(JSON.parse(line) as Record<string, unknown>);
    }
    if (start < chunk.length) {
      this.buffered += chunk.length - start;
      if (this.buffered > MAX_LINE_BYTES) {
        this.fail(new InfrastructureError('LAYER_WATCHER_FAILED', `the layer watcher wrote a line over ${MAX_LINE_BYTES} bytes`));
        this.close();
        return;
      }
      this.buffer.push(Buffer.from(chunk.subarray(start)));
    }
  }

  private dispatch(line: Record<string, unknown>): void {
    if (line.event === 'disk') {
      this.diskListener?.(Number(line.bytes));
      return;
    }
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve(line);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(this.failure);
  }
}

function toFileChange(raw: WatchedChange): FileChange {
  const change: FileChange = { path: raw.pathLength !== undefined ? `${raw.path}…` : raw.path, change: raw.change };
  if (raw.size !== undefined) change.size = raw.size;
  if (raw.pathBytes !== undefined) change.path_bytes = raw.pathBytes;
  if (raw.pathLength !== undefined) change.path_length = raw.pathLength;
  return change;
}
