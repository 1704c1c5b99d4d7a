import type { SandboxProvider } from '../core/contracts.js';
import { sleepUnlessAborted } from '../core/sleep.js';
import { defaultProvider } from '../providers/index.js';

/** Wait until the sandbox backend answers again, up to `capMs`; true when it does. */
export async function waitForEngine(capMs: number, signal?: AbortSignal, intervalMs = 500, provider: SandboxProvider = defaultProvider()): Promise<boolean> {
  const until = Date.now() + capMs;
  for (;;) {
    if (signal?.aborted) return false;
    if (await provider.ping(Math.min(3_000, Math.max(100, until - Date.now())))) return true;
    if (Date.now() >= until) return false;
    await sleepUnlessAborted(intervalMs, signal);
  }
}
