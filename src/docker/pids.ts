import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { PidFacts } from '../sandbox/backend.js';

/**
 * A container's PID facts read from the host's cgroup: `pids.current`, and the `max` counter
 * of `pids.events` (forks refused at the limit). Both files stay open and are read from
 * offset 0 each time (one pread, ~4 µs, where opening them by path costs ~70 µs each): they
 * are read twice per step. `close()` when the container is removed.
 */
export class CgroupPids {
  private readonly buffer = Buffer.alloc(256);

  private constructor(
    private readonly dir: string,
    private currentFd: number,
    private eventsFd: number,
  ) {}

  /** The first of `dirs` that holds a readable pids.current, or undefined. */
  static find(dirs: string[]): CgroupPids | undefined {
    for (const dir of dirs) {
      const current = openQuietly(join(dir, 'pids.current'));
      if (current < 0) continue;
      const pids = new CgroupPids(dir, current, openQuietly(join(dir, 'pids.events')));
      if (pids.read().current !== undefined) return pids;
      pids.close();
    }
    return undefined;
  }

  read(): PidFacts {
    const current = Number.parseInt(this.readAt(this.currentFd), 10);
    const events = /^max (\d+)$/m.exec(this.readAt(this.eventsFd));
    return { current: Number.isFinite(current) ? current : undefined, limitHits: events ? Number(events[1]) : undefined };
  }

  /** Let the files go; reads after this say nothing (a reused fd number is never read). */
  close(): void {
    for (const fd of [this.currentFd, this.eventsFd]) {
      if (fd >= 0) {
        try {
          closeSync(fd);
        } catch {
          // already closed
        }
      }
    }
    this.currentFd = -1;
    this.eventsFd = -1;
  }

  /** A cgroup file's text from its start; empty once closed, or when the cgroup is gone (ENODEV). */
  private readAt(fd: number): string {
    if (fd < 0) return '';
    try {
      return this.buffer.toString('latin1', 0, readSync(fd, this.buffer, 0, this.buffer.length, 0));
    } catch {
      return '';
    }
  }

  /** The host PIDs of the cgroup's processes, each with its PID inside the sandbox (the last NSpid). */
  processes(): { host: number; inner: number }[] {
    let listed: string;
    try {
      listed = readFileSync(join(this.dir, 'cgroup.procs'), 'latin1');
    } catch {
      return [];
    }
    const out: { host: number; inner: number }[] = [];
    for (const line of listed.split('\n')) {
      const host = Number(line);
      if (!Number.isInteger(host) || host <= 0) continue;
      try {
        const nspid = /^NSpid:\s+(.+)$/m.exec(readFileSync(`/proc/${host}/status`, 'latin1'))?.[1]?.trim().split(/\s+/);
        const inner = Number(nspid?.at(-1));
        if (Number.isInteger(inner)) out.push({ host, inner });
      } catch {
        // exited meanwhile
      }
    }
    return out;
  }
}

/** An fd for reading `path`, or -1 where it cannot be opened. */
function openQuietly(path: string): number {
  try {
    return openSync(path, 'r');
  } catch {
    return -1;
  }
}
