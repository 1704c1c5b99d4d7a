import { codeInfo, ERROR_CODES, ForagerError, toForagerError, type FailureKind, type RetryClass } from './errors.js';

/**
 * What to do about a failure — the one rule of forager, used by the model client's
 * request retries, the scheduler's attempt retries, resume and the queue worker:
 * - `retry-now`: the harvester's world hiccuped (engine, container, network, a model
 *   endpoint's 408/409/429/5xx): try again after a backoff.
 * - `redo-on-resume`: the run does not count but retrying at once will not help (the
 *   user's abort, an infrastructure failure of unknown cause, a model endpoint still
 *   failing after the client's own retries): a resume of the batch runs it again.
 * - `final`: the trajectory stands as it is (agent and task failures, model
 *   400/401/403/404/422 — a bad key, model name or request is configuration, recorded with
 *   failure kind `task` — and the harvester's own bugs, `INTERNAL`, which would fail the
 *   same way again).
 * A live error (classifyError: one model request, one engine call) and a recorded
 * failure (classifyFailure: a whole attempt's footer) get the same answer, with one
 * difference: a recorded model failure has had its request retries already, so the
 * attempt is not retried at once on top of them (that would multiply the load on a
 * failing endpoint); it is redone on resume.
 */
export type RetryDecision = RetryClass;

/** Infrastructure codes an attempt is retried for at once (the registry's `retry-now`, src/errors/codes.ts; model codes are the request's to retry). */
export const TRANSIENT_CODES: ReadonlySet<string> = new Set(
  Object.entries(ERROR_CODES).filter(([code, info]) => info.kind === 'infrastructure' && info.retry === 'retry-now' && !code.startsWith('MODEL_')).map(([code]) => code),
);

/** HTTP statuses of a model endpoint worth another request: the request was fine, the server was not. */
export const RETRYABLE_HTTP_STATUSES: readonly number[] = [408, 409, 429, 500, 502, 503, 504];

/** Whether a model endpoint's HTTP status is worth another request (the list above, and any 5xx). */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_HTTP_STATUSES.includes(status) || status >= 500;
}

/** The failure kind an HTTP error of a model endpoint is recorded with: `task` when retrying cannot help. */
export function failureKindOfStatus(status: number): FailureKind {
  return isRetryableStatus(status) ? 'infrastructure' : 'task';
}

/**
 * A recorded failure (a footer's `error`, a step's failure): decide by its kind and code.
 * The code's retry class comes from the registry; a code the registry does not know (a
 * file written by another version) is redone on resume when it is the harvester's, final
 * otherwise.
 */
export function classifyFailure(failure: { kind: FailureKind; code: string } | null | undefined): RetryDecision {
  if (!failure) return 'final';
  if (failure.code === 'ABORTED') return 'redo-on-resume';
  const status = /^MODEL_HTTP_(\d{3})$/.exec(failure.code);
  if (status) return isRetryableStatus(Number(status[1])) ? 'redo-on-resume' : 'final';
  if (failure.kind !== 'infrastructure') return 'final';
  const retry = codeInfo(failure.code)?.retry ?? 'redo-on-resume';
  // A recorded model failure had its request retries already: not retried at once on top of them.
  return retry === 'retry-now' && failure.code.startsWith('MODEL_') ? 'redo-on-resume' : retry;
}

/**
 * Anything thrown, live (one model request, one engine call): an HTTP error by its status,
 * a ForagerError by its code's retry class, anything else as forager's own bug.
 */
export function classifyError(error: unknown): RetryDecision {
  const status = (error as { status?: unknown } | null)?.status;
  if (error instanceof ForagerError && typeof status === 'number') return isRetryableStatus(status) ? 'retry-now' : 'final';
  const e = toForagerError(error);
  if (e.code === 'ABORTED') return 'redo-on-resume';
  if (e.kind !== 'infrastructure') return 'final';
  return codeInfo(e.code)?.retry ?? 'redo-on-resume';
}

/** A finished run whose trajectory does not count (resume redoes it). */
export function needsRedo(footer: { exit_status: string; failure_kind: FailureKind | null; error?: { kind: FailureKind; code: string } | null }): boolean {
  if (footer.exit_status === 'aborted') return true;
  if (footer.failure_kind !== 'infrastructure') return false;
  return classifyFailure(footer.error ?? { kind: 'infrastructure', code: 'UNKNOWN' }) !== 'final';
}
