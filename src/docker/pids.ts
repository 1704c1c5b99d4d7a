import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PidFacts } from '../sandbox/backend.js';

/**
 * A container's PID facts read from the host's cgroup (a file read, microseconds):
 * `pids.current`, and the `max` counter of `pids.events` (forks refused at the limit).
 */
export class CgroupPids {
  private constructor(private readonly dir: string) {}

  /** The first of `dirs` that holds a readable pids.current, or undefined. */
  static find(dirs: string[]): CgroupPids | undefined {
    const dir = dirs.find((d) => readNumber(join(d, 'pids.current')) !== undefined);
    return dir === undefined ? undefined : new CgroupPids(dir);
  }

  read(): PidFacts {
    return { current: readNumber(join(this.dir, 'pids.current')), limitHits: readMaxEvents(join(this.dir, 'pids.events')) };
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

function readNumber(file: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(file, 'latin1'), 10);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The `max N` line of a pids.events file. */
function readMaxEvents(file: string): number | undefined {
  try {
    const match = /^max (\d+)$/m.exec(readFileSync(file, 'latin1'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
