import { ForagerError, type ErrorCode, type ErrorContext, type FailureKind } from '../core/errors.js';
import { failureKindOfStatus } from '../core/failure.js';

type Options = { context?: ErrorContext; cause?: unknown };

/**
 * Root of the model endpoint's failures. Mostly `infrastructure` failures: the
 * harvester could not get an answer, the agent did nothing wrong, a retry may succeed.
 * An HTTP error no retry can mend (400, 401, 403, 404, 422: a bad key, model name or
 * request) is a `task` failure: the run's configuration is wrong (core/failure.ts).
 */
export class ModelError extends ForagerError {
  constructor(code: ErrorCode, message: string, options: Options & { kind?: FailureKind } = {}) {
    super(code, options.kind ?? 'infrastructure', message, options);
  }
}

/** The endpoint answered with an HTTP error status. */
export class APIError extends ModelError {
  readonly status: number;
  readonly retryAfterMs: number | undefined;

  constructor(status: number, message: string, options: Options & { retryAfterMs?: number; code?: ErrorCode } = {}) {
    super(options.code ?? `MODEL_HTTP_${status}`, message, { ...options, kind: failureKindOfStatus(status), context: { status, ...options.context } });
    this.status = status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class BadRequestError extends APIError {}
export class AuthenticationError extends APIError {}
export class PermissionDeniedError extends APIError {}
export class NotFoundError extends APIError {}
export class RequestTimeoutError extends APIError {}
export class ConflictError extends APIError {}
export class UnprocessableEntityError extends APIError {}
export class RateLimitError extends APIError {}
export class InternalServerError extends APIError {}

/** No HTTP answer at all: connection refused or reset, DNS failure, body cut off. */
export class APIConnectionError extends ModelError {
  constructor(message: string, options: Options = {}) {
    super('MODEL_CONNECTION', message, options);
  }
}

/** The request (headers or body) took longer than the request timeout. */
export class APIConnectionTimeoutError extends ModelError {
  constructor(message: string, options: Options = {}) {
    super('MODEL_TIMEOUT', message, options);
  }
}

/** A 2xx answer that is not a chat completion (bad JSON, no choices). */
export class InvalidResponseError extends ModelError {
  constructor(message: string, options: Options = {}) {
    super('MODEL_INVALID_RESPONSE', message, options);
  }
}

/**
 * The endpoint sent more than the response limit (`max_response_bytes`): a body, or a
 * stream's bytes in all. Reading stopped at the limit; not retried at once (the same
 * request is likely to get the same answer), redone on resume like any endpoint failure.
 */
export class ResponseTooLargeError extends ModelError {
  constructor(message: string, options: Options = {}) {
    super('MODEL_RESPONSE_TOO_LARGE', message, options);
  }
}

/** A stream delivered no event for `stream_idle_timeout_s`: retried like a timeout. */
export class StreamIdleError extends ModelError {
  constructor(message: string, options: Options = {}) {
    super('MODEL_STREAM_IDLE', message, options);
  }
}

/**
 * The endpoint asked to be retried later than `max_retry_after_s`: waiting would spend the
 * run's wall time on nothing and retrying earlier would be refused, so the request fails.
 */
export class RetryAfterTooLongError extends ModelError {
  constructor(message: string, options: Options = {}) {
    super('MODEL_RETRY_AFTER_TOO_LONG', message, options);
  }
}

/** Map an HTTP status to its error class. */
export function errorForStatus(
  status: number,
  message: string,
  options: Options & { retryAfterMs?: number } = {},
): APIError {
  const byStatus: Record<number, new (s: number, m: string, o: Options & { retryAfterMs?: number }) => APIError> = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: RequestTimeoutError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
  };
  const Class = byStatus[status] ?? (status >= 500 ? InternalServerError : APIError);
  return new Class(status, message, options);
}
