/**
 * The one abortable wait of forager: resolves after `ms`, or rejects with the signal's
 * abort reason as soon as it aborts (at once when it already has). Callers that only
 * want to stop waiting catch it.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Like sleep(), but an abort ends the wait quietly; true when the full time passed. */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<boolean> {
  return sleep(ms, signal).then(() => true, (error: unknown) => {
    if (signal?.aborted) return false;
    throw error;
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}
