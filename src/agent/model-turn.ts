import { costOfUsage, type ChatCompletion, type Price } from '../model/index.js';
import type { ModelTurn } from '../trajectory/schema.js';

/**
 * What the endpoint answered, as the record keeps it, whatever the agent's tool format made
 * of it: the text, the reasoning, the tool calls, the refusal, the thinking blocks, the usage
 * and its cost, as the official SDKs read them (docs/model-agents.md). `rawText` is the
 * answer as the agent read it (CWM's puts split-off reasoning back before the answer).
 */
export function recordModelTurn(completion: ChatCompletion, rawText: string, price: Price | undefined): ModelTurn {
  const turn: ModelTurn = { raw_text: rawText, latency_ms: completion.latencyMs, finish_reason: completion.finishReason, retries: completion.retries };
  if (completion.reasoning !== undefined) turn.reasoning = completion.reasoning;
  if (completion.toolCalls.length) turn.tool_calls = completion.toolCalls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
  if (completion.refusal !== undefined) turn.refusal = completion.refusal;
  if (completion.refusalCategory !== undefined) turn.refusal_category = completion.refusalCategory;
  if (completion.usage) turn.usage = completion.usage;
  if (completion.usage && price) turn.cost_usd = costOfUsage(completion.usage, price);
  if (completion.timeToFirstTokenMs !== undefined) turn.ttft_ms = completion.timeToFirstTokenMs;
  if (completion.thinkingBlocks) turn.thinking_blocks = completion.thinkingBlocks;
  if (completion.id) turn.response_id = completion.id;
  return turn;
}
