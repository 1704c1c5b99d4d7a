export { ChatClient, estimateRequestTokens, type ChatClientOptions } from './client.js';
export { AnthropicClient, ANTHROPIC_VERSION, type AnthropicClientOptions } from './anthropic-client.js';
export { buildMessagesBody, toAnthropicTool } from './anthropic-wire.js';
export { buildChatBody, mergeExtraBody, tokenParamFor, type TokenParam } from './request-body.js';
export { costOfUsage, loadPriceTable, priceFor, roundUsd, PriceSchema, PriceTableSchema, type Price, type PriceTable } from './prices.js';
export * from './errors.js';
export { createRateLimiter, unlimited, type RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
export { isRetryable, parseRetryAfter, retryDelayMs, withRetries, sleep, RETRYABLE_STATUSES, type RetryOptions } from './retry.js';
export type { ChatCompletion, ChatMessage, ChatRequest, ModelClient, SamplingParams, ThinkingBlock, ToolCall, ToolDefinition, Usage } from './types.js';
