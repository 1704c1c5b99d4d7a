import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { withFileLock } from '../../../src/docker/images/file-lock.js';

const lockName = (label: string): string => `test-${label}-${process.pid}-${Date.now()}`;

/** Another forager process holding the lock, until it is killed. */
async function holdElsewhere(name: string): Promise<ChildProcess> {
  const child = contender(name, 120_000);
  await once(child.stdout!, 'data');
  return child;
}

/** A node process that takes the lock, writes when it got it and when it let go, to stdout. */
function contender(name: string, holdMs: number): ChildProcess {
  const module = new URL('../../../src/docker/images/file-lock.ts', import.meta.url).pathname;
  const script = `import { withFileLock } from ${JSON.stringify(module)};
await withFileLock(${JSON.stringify(name)}, async () => { console.log('in', Date.now()); await new Promise((r) => setTimeout(r, ${holdMs})); console.log('out', Date.now()); });`;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

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

  it('is free the moment its holder dies (SIGKILL), and one waiter at a time gets it', async () => {
    const name = lockName('dead');
    const holder = await holdElsewhere(name);
    const waiters = [contender(name, 300), contender(name, 300), contender(name, 300)];
    const outputs = waiters.map((w) => {
      let text = '';
      w.stdout!.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; });
      return () => text;
    });
    await sleep(1500); // the contenders are started and waiting
    expect(outputs.map((read) => read())).toEqual(['', '', '']);
    holder.kill('SIGKILL');
    await Promise.all(waiters.map((w) => once(w, 'exit')));
    expect(waiters.map((w) => w.exitCode)).toEqual([0, 0, 0]);
    const spans = outputs.map((read) => {
      const [, start, , end] = read().trim().split(/\s+/).map(Number);
      return [start!, end!] as const;
    }).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i += 1) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  }, 60_000);

  it('gives up after its timeout while a live process holds the lock, naming the holder', async () => {
    const name = lockName('held');
    const holder = await holdElsewhere(name);
    try {
      await expect(withFileLock(name, async () => 'ran', { timeoutMs: 600 })).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
      const seen: string[] = [];
      const aborter = new AbortController();
      setTimeout(() => aborter.abort(), 800);
      await expect(withFileLock(name, async () => 'ran', { signal: aborter.signal, onWait: (who) => seen.push(who) })).rejects.toThrow(/aborted/);
      expect(seen).toHaveLength(1);
    } finally {
      holder.kill('SIGKILL');
    }
    await expect(withFileLock(name, async () => 'ran', { timeoutMs: 5_000 })).resolves.toBe('ran');
  });
});
