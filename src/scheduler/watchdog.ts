/** The watchdog fired: the work ignored its abort for the whole grace period. */
export class WatchdogTimeout extends Error {
  constructor(readonly limitMs: number) {
    super(`the attempt did not end within ${Math.round(limitMs / 1000)} s of its limit or abort (a hung engine call?)`);
  }
}

export interface WatchdogOptions {
  /** Abort the work's controller after this long. */
  limitMs: number;
  /** Then give up waiting for it after this much longer. */
  graceMs: number;
}

/**
 * Run `work` with a controller of its own; abort it at the limit (or when `parent`
 * aborts), and if it still has not settled after the grace, reject with WatchdogTimeout
 * and leave it behind. A hung call (an engine that never answers) cannot stall the
 * caller past limit + grace.
 */
export function withWatchdog<T>(work: (signal: AbortSignal) => Promise<T>, options: WatchdogOptions, parent?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  let limitTimer: NodeJS.Timeout | undefined;
  let giveUpTimer: NodeJS.Timeout | undefined;
  let giveUp: (error: Error) => void = () => undefined;
  const gaveUp = new Promise<never>((_, reject) => { giveUp = reject; });
  const abort = (reason: unknown) => {
    if (controller.signal.aborted) return;
    controller.abort(reason);
    giveUpTimer = setTimeout(() => giveUp(new WatchdogTimeout(options.limitMs)), options.graceMs);
  };
  const onParent = () => abort(parent?.reason);
  limitTimer = setTimeout(() => abort(new WatchdogTimeout(options.limitMs)), options.limitMs);
  parent?.addEventListener('abort', onParent, { once: true });
  if (parent?.aborted) onParent();
  return Promise.race([work(controller.signal), gaveUp]).finally(() => {
    clearTimeout(limitTimer);
    clearTimeout(giveUpTimer);
    parent?.removeEventListener('abort', onParent);
  });
}
