/**
 * How much of a model endpoint's answer forager will take. Everything an endpoint sends is
 * untrusted: it is counted before it is buffered, and an answer past a limit ends the
 * request with an error of its own rather than the harvester's memory or the run's wall time.
 */
export interface ResponseLimits {
  /** Bytes of one answer's body (a JSON answer, or every byte of a stream), decompressed. */
  maxResponseBytes: number;
  /** A stream that delivers no event (nor comment) for this long is given up. */
  streamIdleMs: number;
  /** Longest `Retry-After` waited out; a server asking for more fails the request. */
  maxRetryAfterMs: number;
}

/** 32 MiB: over 60 times the longest answer a 128k-token completion makes, far below what would hurt a harvester running many. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** 5 minutes: a reasoning model may think that long before its first delta. */
export const DEFAULT_STREAM_IDLE_MS = 300_000;
/** 60 s, the longest wait the official SDKs honour. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

export const DEFAULT_RESPONSE_LIMITS: ResponseLimits = {
  maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
  streamIdleMs: DEFAULT_STREAM_IDLE_MS,
  maxRetryAfterMs: DEFAULT_MAX_RETRY_AFTER_MS,
};

/** What of an error answer's body is read for its message (the rest is never buffered). */
export const ERROR_BODY_BYTES = 64 * 1024;
