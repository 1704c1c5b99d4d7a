import type { SandboxProvider } from '../sandbox/index.js';
import { sleepUnlessAborted } from '../core/sleep.js';

/** Wait until the sandbox backend answers again, up to `capMs`; true when it does. */
export async function waitForEngine(provider: SandboxProvider, capMs: number, signal?: AbortSignal, intervalMs = 500): Promise<boolean> {
  const until = Date.now() + capMs;
  for (;;) {
    if (signal?.aborted) return false;
    if (await provider.ping(Math.min(3_000, Math.max(100, until - Date.now())))) return true;
    if (Date.now() >= until) return false;
    await sleepUnlessAborted(intervalMs, signal);
  }
}
