export interface BackoffOptions {
  /** Ceiling of the first delay. */
  baseMs: number;
  /** Ceiling of any delay. */
  capMs: number;
}

/**
 * The one backoff of forager: capped exponential with full jitter, a delay drawn
 * uniformly from [0, min(cap, base·2^retry)) for retry number `retry` (0-based).
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, retry));
  return Math.floor(random() * ceiling);
}
