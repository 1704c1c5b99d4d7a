import type { ClientOptions } from '../client-options.js';
import type { ModelClient } from '../types.js';

/**
 * The settings of a model agent that endpoint kinds read, in the agent spec's own names
 * (a ModelAgentSpec matches this shape). Each kind reads the ones that apply to it.
 */
export interface EndpointSettings {
  model: string;
  stream: boolean;
  /** OpenAI-compatible: the completion-cap field (default from the model name). */
  token_param?: 'max_tokens' | 'max_completion_tokens';
  /** Anthropic: `cache_control` on the system prompt and the conversation prefix. */
  prompt_cache: boolean;
}

/**
 * One kind of model endpoint (a wire protocol): how to build its client. Adding a kind is
 * its folder under endpoints/ and one line in registry.ts; the agent spec's `endpoint`
 * enum and the CLI's `--endpoint` choices come from the registry.
 */
export interface ModelEndpoint {
  /** What the kind speaks, for `--endpoint`'s help and the docs (e.g. `chat completions`). */
  readonly description: string;
  createClient(options: ClientOptions, settings: EndpointSettings): ModelClient;
}
