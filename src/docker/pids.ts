import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';

/** Where the host keeps a container's PID count (cgroup v1 cgroupfs, v2 systemd and cgroupfs). */
function cgroupFiles(id: string): string[] {
  return [
    `/sys/fs/cgroup/pids/docker/${id}/pids.current`,
    `/sys/fs/cgroup/system.slice/docker-${id}.scope/pids.current`,
    `/sys/fs/cgroup/docker/${id}/pids.current`,
  ];
}

/**
 * How many processes a container holds: read from the host's cgroup when this process
 * can (a file read, microseconds), else asked of the engine (a one-shot stats call).
 */
export class PidCounter {
  private constructor(
    private readonly container: Docker.Container,
    private readonly file: string | undefined,
  ) {}

  static create(container: Docker.Container, useHost: boolean): PidCounter {
    const file = useHost ? cgroupFiles(container.id).find((f) => readCount(f) !== undefined) : undefined;
    return new PidCounter(container, file);
  }

  get fromHost(): boolean {
    return this.file !== undefined;
  }

  async count(): Promise<number | undefined> {
    if (this.file) return readCount(this.file);
    try {
      const stats = (await this.container.stats({ stream: false, 'one-shot': true } as { stream: false })) as { pids_stats?: { current?: number } };
      return stats.pids_stats?.current;
    } catch {
      return undefined;
    }
  }
}

function readCount(file: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(file, 'latin1'), 10);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** A container this close to its PID limit is taken to hold a fork bomb. */
export function atPidLimit(count: number | undefined, limit: number): boolean {
  return count !== undefined && count >= limit - Math.max(2, Math.floor(limit * 0.05));
}
