export { ChatClient, estimateRequestTokens, type ChatClientOptions } from './client.js';
export * from './errors.js';
export { createRateLimiter, unlimited, type RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
export { isRetryable, parseRetryAfter, retryDelayMs, withRetries, sleep, RETRYABLE_STATUSES, type RetryOptions } from './retry.js';
export type { ChatCompletion, ChatMessage, ChatRequest, SamplingParams, ToolCall, ToolDefinition, Usage } from './types.js';
