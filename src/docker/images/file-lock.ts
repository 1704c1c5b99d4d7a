import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortedError, InfrastructureError } from '../../core/errors.js';

export interface FileLockOptions {
  /** Give up waiting for another process after this long (default 20 minutes: a debootstrap). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called once when the lock is held by someone else and we start waiting. */
  onWait?: (holder: string) => void;
}

/** How long a lock may take before the caller hears who holds it. */
const WAIT_NOTICE_MS = 200;

/**
 * Run `fn` while holding an exclusive lock on a file under os.tmpdir(), so that two forager
 * processes on one machine never build the same image at once.
 *
 * The lock is the kernel's (flock(2), held by a `flock` child of this process whose stdin is
 * a pipe from here): it is released when the holder lets go or dies, however it dies, so
 * there is no stale lock to judge and no breaking race between waiters. The file itself
 * stays; its text only names the holder for whoever waits.
 */
export async function withFileLock<T>(name: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const path = join(tmpdir(), `forager-${name.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
  const holder = await acquire(path, options);
  try {
    await writeFile(path, `${hostname()} ${process.pid}\n`).catch(() => undefined);
    return await fn();
  } finally {
    await release(holder);
  }
}

function acquire(path: string, options: FileLockOptions): Promise<ChildProcess> {
  if (options.signal?.aborted) return Promise.reject(new AbortedError('aborted while waiting for a lock', { context: { path } }));
  // flock opens (creates) the file, waits for the lock, then runs the shell, which says so and
  // waits on its stdin: our end of the pipe closing (release, or this process gone) ends it.
  const child = spawn('flock', ['--exclusive', path, 'sh', '-c', 'echo held; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(notice);
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onAbort);
      if (!error) {
        resolve(child);
        return;
      }
      child.kill('SIGKILL');
      reject(error);
    };
    const notice = setTimeout(() => {
      if (options.onWait) void readFile(path, 'utf8').then((text) => text.trim(), () => '').then((text) => settled || options.onWait!(text));
    }, WAIT_NOTICE_MS);
    const deadline = setTimeout(() => {
      void readFile(path, 'utf8').then((text) => text.trim(), () => '').then((text) => {
        finish(new InfrastructureError('LOCK_TIMEOUT', `Timed out waiting for ${path} (held by ${text || 'unknown'})`, { context: { path } }));
      });
    }, options.timeoutMs ?? 20 * 60_000);
    const onAbort = (): void => finish(new AbortedError('aborted while waiting for a lock', { context: { path } }));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      if (text.startsWith('held')) finish();
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(0, 1000);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish(new InfrastructureError('LOCK_FAILED', error.code === 'ENOENT' ? 'the `flock` command (util-linux) is missing: forager needs it to lock image builds' : `could not lock ${path}: ${error.message}`, { context: { path } }));
    });
    child.on('exit', (code) => finish(new InfrastructureError('LOCK_FAILED', `could not lock ${path}: flock exited ${code}${stderr ? `: ${stderr.trim()}` : ''}`, { context: { path } })));
  });
}

function release(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.stdin!.end();
  });
}
