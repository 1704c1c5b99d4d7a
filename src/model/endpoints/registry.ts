import { anthropicEndpoint } from './anthropic/index.js';
import { openaiEndpoint } from './openai/index.js';
import type { ModelEndpoint } from './types.js';

/** Every model endpoint kind forager speaks, the default first. Adding one: its folder, and one line here. */
export const MODEL_ENDPOINTS = {
  openai: openaiEndpoint,
  anthropic: anthropicEndpoint,
} satisfies Record<string, ModelEndpoint>;
