import { describe, expect, it } from 'vitest';
import { WatchdogTimeout, withWatchdog } from '../../src/scheduler/index.js';

describe('withWatchdog', () => {
  it('gives up on work that ignores its abort, within the limit plus the grace', async () => {
    const started = Date.now();
    let sawAbort = false;
    const hung = (signal: AbortSignal) => new Promise<never>(() => { signal.addEventListener('abort', () => { sawAbort = true; }); });
    await expect(withWatchdog(hung, { limitMs: 100, graceMs: 100 })).rejects.toBeInstanceOf(WatchdogTimeout);
    expect(sawAbort).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('lets work that honours its abort end by itself', async () => {
    const polite = (signal: AbortSignal) => new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('closed')));
    await expect(withWatchdog(polite, { limitMs: 50, graceMs: 5_000 })).resolves.toBe('closed');
  });

  it('passes the parent abort down and gives up after the grace if it is ignored', async () => {
    const parent = new AbortController();
    const hung = () => new Promise<never>(() => undefined);
    const pending = withWatchdog(hung, { limitMs: 60_000, graceMs: 100 }, parent.signal);
    parent.abort();
    await expect(pending).rejects.toBeInstanceOf(WatchdogTimeout);
  });
});
