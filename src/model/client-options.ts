import type { Logger } from 'pino';
import { estimateTokens } from '../core/tokens.js';
import { DEFAULT_RESPONSE_LIMITS, type ResponseLimits } from './limits.js';
import type { RateLimiter } from './rate-limiter.js';

/** What every model client is given: where to send, the key's variable, timeouts, retries, limits. */
export interface ClientOptions {
  /** The endpoint's base URL (each client appends its own path). */
  baseUrl: string;
  model: string;
  /** Name of the environment variable that holds the API key; read at request time only. */
  apiKeyEnv?: string;
  env?: Record<string, string | undefined>;
  /** Per-attempt timeout, headers and body included. */
  timeoutMs: number;
  maxRetries: number;
  rateLimiter?: RateLimiter;
  log?: Logger;
  /** Passed to the retry loop, for tests. */
  baseDelayMs?: number;
  /** How much of an answer is taken (limits.ts; defaults there). */
  limits?: Partial<ResponseLimits>;
}

/** The retry, timeout and rate-limit settings every client hands its retry loop. */
export function retryOptionsOf(options: ClientOptions): Pick<ClientOptions, 'timeoutMs' | 'maxRetries' | 'baseDelayMs' | 'rateLimiter' | 'log'> & { maxRetryAfterMs: number } {
  const { timeoutMs, maxRetries, baseDelayMs, rateLimiter, log } = options;
  return { timeoutMs, maxRetries, baseDelayMs, rateLimiter, log, maxRetryAfterMs: limitsOf(options).maxRetryAfterMs };
}

/** The client's response limits, defaults filled in; a stream's idle wait never longer than the request's own timeout. */
export function limitsOf(options: ClientOptions): ResponseLimits {
  const limits = { ...DEFAULT_RESPONSE_LIMITS, ...options.limits };
  return { ...limits, streamIdleMs: Math.min(limits.streamIdleMs, options.timeoutMs) };
}

/** Tokens a request may cost: the prompt (~4 characters a token) plus the completion cap. */
export function estimateRequestTokens(body: string, maxTokens: number | undefined): number {
  return estimateTokens(body.length) + (maxTokens ?? 0);
}

/** The key named by `apiKeyEnv`, read now (never stored). */
export function readApiKey(options: Pick<ClientOptions, 'apiKeyEnv' | 'env'>): string | undefined {
  const name = options.apiKeyEnv;
  return name ? (options.env ?? process.env)[name] : undefined;
}
