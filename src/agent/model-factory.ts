import type { Logger } from '../core/log.js';
import { getEndpoint, priceFor, type PriceTable, type RateLimiter } from '../model/index.js';
import type { Agent } from '../core/contracts.js';
import { CwmAgent } from './cwm-agent.js';
import { ModelAgent } from './model-agent.js';
import type { ModelAgentSpec } from './model-spec.js';

export interface ModelAgentFactoryOptions {
  /** Where the API key is read from (default process.env), at each request. */
  env?: Record<string, string | undefined>;
  /** Shared by every run of a harvest. */
  rateLimiter?: RateLimiter;
  /** USD per million tokens by model; a model without a price costs nothing. */
  prices?: PriceTable;
  log?: Logger;
}

/** Build a model-driven agent and the client its endpoint kind needs from a spec. */
export function createModelAgent(spec: ModelAgentSpec, options: ModelAgentFactoryOptions = {}): Agent {
  const log = options.log?.child({ model: spec.model });
  const common = {
    baseUrl: spec.base_url,
    model: spec.model,
    apiKeyEnv: spec.api_key_env,
    env: options.env,
    timeoutMs: spec.request_timeout_s * 1000,
    maxRetries: spec.max_retries,
    limits: { maxResponseBytes: spec.max_response_bytes, streamIdleMs: spec.stream_idle_timeout_s * 1000, maxRetryAfterMs: spec.max_retry_after_s * 1000 },
    rateLimiter: options.rateLimiter,
    log,
  };
  const client = getEndpoint(spec.endpoint).createClient(common, spec);
  const agentOptions = { client, log, price: priceFor(options.prices, spec.model) };
  // CWM's environment is its own loop (submit flow, strict errors, token ledger), not a rendering of forager's.
  return spec.tool_format === 'cwm' ? new CwmAgent(spec, agentOptions) : new ModelAgent(spec, agentOptions);
}
