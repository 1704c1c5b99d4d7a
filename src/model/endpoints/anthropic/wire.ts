import { z } from 'zod';
import { mergeExtraBody } from '../../extra-body.js';
import type { ChatMessage, ChatRequest, ThinkingBlock, ToolDefinition } from '../../types.js';

type Block = Record<string, unknown>;
interface WireMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

const EPHEMERAL = { type: 'ephemeral' } as const;

/**
 * The Messages API body for a chat request. System messages become `system`; an
 * assistant turn sends its thinking blocks back first (signatures intact), then its
 * text and `tool_use` blocks; `tool` messages answering a call become `tool_result`
 * blocks, other observations (CWM's `tool: NAME` turns) user text; consecutive user
 * content is merged, as the API wants turns to alternate. With `cache`, the system
 * prompt and the conversation so far (its last block) carry `cache_control`. Pure.
 *
 * With extended thinking on, the API wants the assistant turn before the last
 * `tool_use`/`tool_result` pair to start with its thinking block, and a signature cannot
 * be made up: an assistant turn that has no thinking blocks (a fork's replayed turns,
 * a turn of another model) is sent as text, its calls written out and their results as
 * user text, so the conversation's tool blocks all carry the thinking they came with.
 */
export function buildMessagesBody(model: string, request: ChatRequest, options: { cache: boolean }): Record<string, unknown> {
  const system = request.messages.filter((m) => m.role === 'system').map((m) => ({ type: 'text', text: m.content ?? '' }) as Block);
  const messages: WireMessage[] = [];
  const push = (role: WireMessage['role'], blocks: Block[]) => {
    const last = messages.at(-1);
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  const thinking = thinkingEnabled(request.extra_body);
  /** Calls of thinking-less turns written out as text: their results follow as text too. */
  const written = new Map<string, string>();
  for (const message of request.messages) {
    if (message.role === 'system') continue;
    if (message.role === 'assistant') {
      if (thinking && !message.thinking_blocks?.length && message.tool_calls?.length) {
        for (const call of message.tool_calls) written.set(call.id, call.function.name);
        push('assistant', [{ type: 'text', text: callsAsText(message) }]);
      } else push('assistant', assistantBlocks(message));
    } else if (message.role === 'tool' && message.tool_call_id && written.has(message.tool_call_id)) {
      push('user', [{ type: 'text', text: `[result of ${written.get(message.tool_call_id)} call ${message.tool_call_id}]\n${message.content ?? ''}` }]);
    } else if (message.role === 'tool' && message.tool_call_id) push('user', [{ type: 'tool_result', tool_use_id: message.tool_call_id, content: message.content ?? '' }]);
    else push('user', [{ type: 'text', text: message.content ?? '' }]);
  }
  if (options.cache) {
    const lastSystem = system.at(-1);
    if (lastSystem) lastSystem.cache_control = EPHEMERAL;
    const lastBlock = messages.at(-1)?.content.at(-1);
    if (lastBlock) lastBlock.cache_control = EPHEMERAL;
  }
  const body: Record<string, unknown> = { model, max_tokens: request.max_tokens ?? 4096, messages };
  if (system.length) body.system = system;
  if (request.tools?.length) body.tools = request.tools.map(toAnthropicTool);
  const optional: Record<string, unknown> = { temperature: request.temperature, top_p: request.top_p, stop_sequences: request.stop };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) body[key] = value;
  return mergeExtraBody(body, request.extra_body);
}

/** Whether the request turns extended thinking on (`extra_body.thinking`, any type but `disabled`). */
function thinkingEnabled(extra: unknown): boolean {
  const thinking = (extra as { thinking?: { type?: unknown } } | undefined)?.thinking;
  return typeof thinking === 'object' && thinking !== null && thinking.type !== 'disabled';
}

/** A turn's words, then each call as `[NAME call ID] ARGUMENTS`. */
function callsAsText(message: ChatMessage): string {
  const calls = (message.tool_calls ?? []).map((call) => `[${call.function.name} call ${call.id}] ${call.function.arguments}`);
  return [message.content ?? '', ...calls].filter((part) => part !== '').join('\n');
}

function assistantBlocks(message: ChatMessage): Block[] {
  const blocks: Block[] = (message.thinking_blocks ?? []).map((b) => ({ ...b }));
  if (message.content) blocks.push({ type: 'text', text: message.content });
  for (const call of message.tool_calls ?? []) blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseInput(call.function.arguments) });
  // The API refuses an empty assistant turn.
  if (blocks.length === 0) blocks.push({ type: 'text', text: '(no answer)' });
  return blocks;
}

/** tool_use input must be an object; arguments that were not one are kept under `_raw`. */
function parseInput(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { _raw: text };
}

/** A function-calling tool as an Anthropic tool. */
export function toAnthropicTool(tool: ToolDefinition): Record<string, unknown> {
  return { name: tool.function.name, description: tool.function.description, input_schema: tool.function.parameters };
}

const count = z.number().int().nonnegative();

/** The part of a Messages API response forager reads. */
export const MessagesResponseSchema = z.object({
  id: z.string().nullish(),
  type: z.literal('message').optional(),
  content: z.array(z.union([
    z.object({ type: z.literal('text'), text: z.string() }).passthrough(),
    z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() }).passthrough(),
    z.object({ type: z.literal('redacted_thinking'), data: z.string() }).passthrough(),
    z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() }).passthrough(),
    z.object({ type: z.string() }).passthrough(),
  ])),
  stop_reason: z.string().nullish(),
  /** Why a `refusal` stop happened (API version 2026-10-21 and the SDK's `RefusalStopDetails`). */
  stop_details: z.object({ category: z.string().nullish(), explanation: z.string().nullish() }).passthrough().nullish(),
  usage: z.object({
    input_tokens: count,
    output_tokens: count,
    cache_creation_input_tokens: count.nullish(),
    cache_read_input_tokens: count.nullish(),
    output_tokens_details: z.object({ thinking_tokens: count.nullish() }).passthrough().nullish(),
  }).nullish(),
});
export type MessagesResponse = z.infer<typeof MessagesResponseSchema>;

export type { ThinkingBlock };
