import { roundMs } from '../../transport.js';
import type { ChatCompletion, ThinkingBlock, ToolCall, Usage } from '../../types.js';
import type { MessagesResponse } from './wire.js';

/**
 * Anthropic counts uncached input apart from cache writes and reads; forager's
 * prompt_tokens is their sum. `output_tokens_details.thinking_tokens` is the reasoning
 * share of the output tokens.
 */
export function toUsage(wire: NonNullable<MessagesResponse['usage']>): Usage {
  const write = wire.cache_creation_input_tokens ?? 0;
  const read = wire.cache_read_input_tokens ?? 0;
  const prompt = wire.input_tokens + write + read;
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: wire.output_tokens,
    total_tokens: prompt + wire.output_tokens,
    cache_read_tokens: read,
    cache_write_tokens: write,
  };
  const thinking = wire.output_tokens_details?.thinking_tokens;
  if (typeof thinking === 'number') usage.reasoning_tokens = thinking;
  return usage;
}

/**
 * A message as forager's completion: text blocks joined, thinking blocks kept with their
 * signatures (their text also as `reasoning`), each `tool_use` a call whose arguments are
 * its input as JSON (or, for an input cut before its JSON closed, the text that came), a
 * `refusal` stop as the refusal.
 */
export function toCompletion(message: MessagesResponse, rawInputs: Map<string, string>, retries: number, latencyMs: number): ChatCompletion {
  const texts: string[] = [];
  const thoughts: string[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of message.content as Array<Record<string, unknown>>) {
    if (block.type === 'text') texts.push(block.text as string);
    else if (block.type === 'thinking') {
      thoughts.push(block.thinking as string);
      thinkingBlocks.push({ type: 'thinking', thinking: block.thinking as string, signature: block.signature as string });
    } else if (block.type === 'redacted_thinking') thinkingBlocks.push({ type: 'redacted_thinking', data: block.data as string });
    else if (block.type === 'tool_use') {
      const id = block.id as string;
      toolCalls.push({ id, type: 'function', function: { name: block.name as string, arguments: rawInputs.get(id) ?? JSON.stringify(block.input ?? {}) } });
    }
  }
  const refused = message.stop_reason === 'refusal';
  const details = message.stop_details;
  return {
    ...(message.id ? { id: message.id } : {}),
    text: texts.join(''),
    ...(thoughts.length ? { reasoning: thoughts.join('\n\n') } : {}),
    ...(thinkingBlocks.length ? { thinkingBlocks } : {}),
    toolCalls,
    ...(refused ? { refusal: details?.explanation ?? '' } : {}),
    ...(refused && details?.category ? { refusalCategory: details.category } : {}),
    finishReason: message.stop_reason ?? null,
    ...(message.usage ? { usage: toUsage(message.usage) } : {}),
    latencyMs: roundMs(latencyMs),
    retries,
  };
}
