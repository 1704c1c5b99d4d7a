import { open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleepUnlessAborted } from '../../core/sleep.js';
import { AbortedError, InfrastructureError } from '../../core/errors.js';

export interface FileLockOptions {
  /** Give up waiting for another process after this long (default 20 minutes: a debootstrap). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called once when the lock is held by someone else and we start waiting. */
  onWait?: (holder: string) => void;
}

/**
 * Run `fn` while holding an exclusive lock file under os.tmpdir(), so that two forager
 * processes on one machine never build the same image at once. A lock left by a dead
 * process on this host is broken.
 */
export async function withFileLock<T>(name: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const path = join(tmpdir(), `forager-${name.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
  await acquire(path, options);
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}

async function acquire(path: string, options: FileLockOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20 * 60_000);
  let warned = false;
  for (;;) {
    if (options.signal?.aborted) throw new AbortedError('aborted while waiting for a lock', { context: { path } });
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${hostname()} ${process.pid}\n`);
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = (await readFile(path, 'utf8').catch(() => '')).trim();
    if (isStale(holder)) {
      // Rename first: only one waiter wins the rename, the others retry on the fresh state.
      await rename(path, `${path}.stale-${process.pid}`).then(() => unlink(`${path}.stale-${process.pid}`), () => undefined);
      continue;
    }
    if (!warned) options.onWait?.(holder);
    warned = true;
    if (Date.now() > deadline) {
      throw new InfrastructureError('LOCK_TIMEOUT', `Timed out waiting for ${path} (held by ${holder || 'unknown'}); remove it if that process is gone.`, { context: { path } });
    }
    await sleepUnlessAborted(250, options.signal);
  }
}

/** A holder written by a process on this host that no longer exists. */
function isStale(holder: string): boolean {
  const [host, pidText] = holder.split(' ');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
