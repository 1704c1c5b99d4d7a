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
  /** Anthropic: the `anthropic-version` header (default the SDK's current one). */
  anthropic_version?: string;
  temperature?: number;
  top_p?: number;
  /** Request fields merged over forager's (`top_k`, `thinking`…). */
  extra_body?: Record<string, unknown>;
}

/** A sampling field the model behind an endpoint refuses: `field` is its path in the agent spec (`temperature`, `extra_body.top_k`). */
export interface SamplingProblem {
  field: string;
  /** Why, in the endpoint's own terms (what it accepts instead). */
  reason: string;
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
  /**
   * The sampling fields the model family named in `settings` refuses (the endpoint would
   * answer 400): checked when the spec is read, so a run never starts to fail on its first call.
   */
  samplingProblems(settings: EndpointSettings): SamplingProblem[];
}
