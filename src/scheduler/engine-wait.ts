import { sleepUnlessAborted } from '../core/sleep.js';
import { pingEngine } from '../sandbox/docker/engine.js';

/** Wait until the Docker engine answers again, up to `capMs`; true when it does. */
export async function waitForEngine(capMs: number, signal?: AbortSignal, intervalMs = 500): Promise<boolean> {
  const until = Date.now() + capMs;
  for (;;) {
    if (signal?.aborted) return false;
    if (await pingEngine(undefined, Math.min(3_000, Math.max(100, until - Date.now())))) return true;
    if (Date.now() >= until) return false;
    await sleepUnlessAborted(intervalMs, signal);
  }
}
