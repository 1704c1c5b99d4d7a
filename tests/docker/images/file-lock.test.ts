import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { withFileLock } from '../../../src/docker/images/file-lock.js';

const lockName = (label: string): string => `test-${label}-${process.pid}-${Date.now()}`;

describe('withFileLock()', () => {
  it('runs holders of the same lock one at a time', async () => {
    const name = lockName('serial');
    const spans: Array<[number, number]> = [];
    const hold = async (): Promise<void> => {
      const start = Date.now();
      await sleep(150);
      spans.push([start, Date.now()]);
    };
    await Promise.all([withFileLock(name, hold), withFileLock(name, hold), withFileLock(name, hold)]);
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i += 1) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });

  it('breaks a lock left by a process that died', async () => {
    const name = lockName('stale');
    const dead = spawnSync('true').pid;
    await writeFile(join(tmpdir(), `forager-${name}.lock`), `${hostname()} ${dead}\n`);
    const started = Date.now();
    await expect(withFileLock(name, async () => 'ran', { timeoutMs: 5_000 })).resolves.toBe('ran');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('gives up after its timeout while a live process holds the lock', async () => {
    const name = lockName('held');
    await writeFile(join(tmpdir(), `forager-${name}.lock`), `${hostname()} ${process.pid}\n`);
    await expect(withFileLock(name, async () => 'ran', { timeoutMs: 600 })).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
  });
});
