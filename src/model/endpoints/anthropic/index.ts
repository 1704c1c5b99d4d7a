import type { ModelEndpoint } from '../types.js';
import { AnthropicClient } from './client.js';
import { anthropicSamplingProblems } from './sampling.js';

/** Anthropic's native Messages API. */
export const anthropicEndpoint: ModelEndpoint = {
  description: 'Messages API',
  createClient: (options, settings) => new AnthropicClient({ ...options, promptCache: settings.prompt_cache, stream: settings.stream, anthropicVersion: settings.anthropic_version }),
  samplingProblems: anthropicSamplingProblems,
};

export { AnthropicClient, ANTHROPIC_VERSION, type AnthropicClientOptions } from './client.js';
export { buildMessagesBody, toAnthropicTool } from './wire.js';
