import type Docker from 'dockerode';
import { findStreamError, followProgress } from './engine-images.js';
import { silentLogger, type Logger } from '../../core/log.js';

export interface TryPullOptions {
  log?: Logger;
  signal?: AbortSignal;
  /** How long the registry may take to start answering (default 10 s): where there is none, fail fast. */
  answerTimeoutMs?: number;
  /** How long the whole pull may take once it has started (default 10 minutes). */
  timeoutMs?: number;
}

/** Pull `ref` from its registry; false (never an exception) when no registry serves it. */
export async function tryPullImage(docker: Docker, ref: string, options: TryPullOptions = {}): Promise<boolean> {
  const log = options.log ?? silentLogger;
  const answer = AbortSignal.timeout(options.answerTimeoutMs ?? 10_000);
  const signals = [answer, ...(options.signal ? [options.signal] : [])];
  try {
    const stream = await docker.pull(ref, { abortSignal: AbortSignal.any(signals) });
    const whole = AbortSignal.any([AbortSignal.timeout(options.timeoutMs ?? 600_000), ...(options.signal ? [options.signal] : [])]);
    const onAbort = (): void => (stream as unknown as { destroy?: (e: Error) => void }).destroy?.(new Error('pull timed out'));
    whole.addEventListener('abort', onAbort, { once: true });
    try {
      const error = findStreamError(await followProgress(docker, stream));
      if (error) throw new Error(error);
    } finally {
      whole.removeEventListener('abort', onAbort);
    }
    log.info({ ref }, 'pulled image');
    return true;
  } catch (error) {
    log.info({ ref, reason: error instanceof Error ? error.message : String(error) }, 'cannot pull image');
    return false;
  }
}
