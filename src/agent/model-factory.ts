import type { Logger } from '../core/log.js';
import { ChatClient, type RateLimiter } from '../model/index.js';
import { ModelAgent } from './model-agent.js';
import type { ModelAgentSpec } from './model-spec.js';

export interface ModelAgentFactoryOptions {
  /** Where the API key is read from (default process.env), at each request. */
  env?: Record<string, string | undefined>;
  /** Shared by every run of a harvest. */
  rateLimiter?: RateLimiter;
  log?: Logger;
}

/** Build a model-driven agent and its client from a spec. */
export function createModelAgent(spec: ModelAgentSpec, options: ModelAgentFactoryOptions = {}): ModelAgent {
  const log = options.log?.child({ model: spec.model });
  const client = new ChatClient({
    baseUrl: spec.base_url,
    model: spec.model,
    apiKeyEnv: spec.api_key_env,
    env: options.env,
    timeoutMs: spec.request_timeout_s * 1000,
    maxRetries: spec.max_retries,
    rateLimiter: options.rateLimiter,
    log,
  });
  return new ModelAgent(spec, { client, log });
}
