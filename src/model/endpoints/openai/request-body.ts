import { mergeExtraBody } from '../../extra-body.js';
import type { ChatMessage, ChatRequest } from '../../types.js';

/** Which field carries the completion cap: OpenAI's reasoning models refuse `max_tokens`. */
export type TokenParam = 'max_tokens' | 'max_completion_tokens';

/** o1, o3, o4-mini, gpt-5… (optionally behind a provider prefix such as `openai/`). */
export const REASONING_MODEL = /^(?:[\w.-]+\/)?(?:o\d+(?:$|[-.])|gpt-5)/i;

/** The token field a model takes: `max_completion_tokens` for OpenAI reasoning model names, `max_tokens` otherwise. */
export function tokenParamFor(model: string): TokenParam {
  return REASONING_MODEL.test(model) ? 'max_completion_tokens' : 'max_tokens';
}

/**
 * The chat-completions body for a request: sampling fields only when they are set, the
 * completion cap under `tokenParam`, then `extra_body` merged over it (a `null` value
 * removes the field). Pure.
 */
export function buildChatBody(model: string, request: ChatRequest, options: { tokenParam: TokenParam; stream: boolean }): Record<string, unknown> {
  const body: Record<string, unknown> = { model, messages: request.messages.map(toWireMessage) };
  if (request.tools) body.tools = request.tools;
  const optional: Record<string, unknown> = {
    temperature: request.temperature,
    top_p: request.top_p,
    [options.tokenParam]: request.max_tokens,
    seed: request.seed,
    stop: request.stop,
    reasoning_effort: request.reasoning_effort,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) body[key] = value;
  if (options.stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
  else body.stream = false;
  return mergeExtraBody(body, request.extra_body);
}

/** Anthropic-only fields stay out of OpenAI-compatible requests. */
function toWireMessage(message: ChatMessage): Omit<ChatMessage, 'thinking_blocks'> {
  if (!message.thinking_blocks) return message;
  const { thinking_blocks: _, ...rest } = message;
  return rest;
}
