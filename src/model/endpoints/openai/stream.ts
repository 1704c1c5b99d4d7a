import { InvalidResponseError } from '../../errors.js';
import { readEvents, type StreamBounds } from '../../http/read-events.js';

interface StreamedCall {
  id?: string;
  name?: string;
  arguments: string;
}

/**
 * Assemble a streamed chat completion (`stream: true`) into the shape of a non-streamed
 * response, the way openai-node's ChatCompletionStream accumulates its snapshot (choice
 * 0): `content` and `refusal` deltas appended, tool calls by index (a delta's id and name
 * replace the call's, its arguments are appended), the finish reason, and usage from the
 * chunk that carries it (`stream_options.include_usage`; a later `usage: null` does not
 * erase it). Beyond the SDK: `reasoning_content`/`reasoning` deltas (vLLM, SGLang, Ollama)
 * are appended, and object-shaped arguments (Ollama) are read as their JSON. Also returns
 * when the first content, refusal, reasoning or tool-call delta arrived.
 */
export async function readChatStream(response: Response, bounds: StreamBounds, context: Record<string, string>): Promise<{ json: unknown; firstTokenAt?: number }> {
  let id: string | undefined;
  let content: string | undefined;
  let refusal: string | undefined;
  let reasoning = '';
  let finishReason: string | null = null;
  let usage: unknown;
  let firstTokenAt: number | undefined;
  let chunks = 0;
  const calls = new Map<number, StreamedCall>();
  for await (const { data } of readEvents(response, bounds, context)) {
    if (data.startsWith('[DONE]')) break;
    let chunk: Record<string, any>;
    try {
      chunk = JSON.parse(data) as Record<string, any>;
    } catch (error) {
      throw new InvalidResponseError(`model endpoint streamed invalid JSON: ${data.slice(0, 200)}`, { cause: error, context });
    }
    if (chunk?.error) throw new InvalidResponseError(`model endpoint streamed an error: ${JSON.stringify(chunk.error).slice(0, 500)}`, { context });
    chunks += 1;
    if (typeof chunk.id === 'string' && chunk.id) id = chunk.id;
    if (chunk.usage) usage = chunk.usage;
    const choice = Array.isArray(chunk.choices) ? chunk.choices.find((c: { index?: number }) => (c?.index ?? 0) === 0) : undefined;
    if (!choice) continue;
    const delta = (choice.delta ?? {}) as Record<string, any>;
    const text = piece(delta.content);
    const refused = piece(delta.refusal);
    const thought = piece(delta.reasoning_content) || piece(delta.reasoning);
    if (text) content = (content ?? '') + text;
    if (refused) refusal = (refusal ?? '') + refused;
    reasoning += thought;
    const toolDeltas = Array.isArray(delta.tool_calls) ? (delta.tool_calls as Array<Record<string, any>>) : [];
    toolDeltas.forEach((d, i) => addCallDelta(calls, typeof d.index === 'number' ? d.index : i, d));
    if (firstTokenAt === undefined && (text || refused || thought || toolDeltas.length)) firstTokenAt = performance.now();
    if (typeof choice.finish_reason === 'string' && choice.finish_reason) finishReason = choice.finish_reason;
  }
  if (chunks === 0) throw new InvalidResponseError('model endpoint closed the stream without a chunk', { context });
  const toolCalls = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => ({ id: c.id, type: 'function', function: { name: c.name ?? '', arguments: c.arguments } }));
  const message = {
    content: content ?? null,
    refusal: refusal ?? null,
    ...(reasoning ? { reasoning_content: reasoning } : {}),
    ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
  };
  return { json: { id, choices: [{ finish_reason: finishReason, message }], usage }, firstTokenAt };
}

function piece(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** One tool-call delta into its call, as the SDK merges it. */
function addCallDelta(calls: Map<number, StreamedCall>, index: number, delta: Record<string, any>): void {
  const call = calls.get(index) ?? { arguments: '' };
  if (typeof delta.id === 'string' && delta.id) call.id = delta.id;
  const fn = (delta.function ?? undefined) as Record<string, unknown> | undefined;
  if (typeof fn?.name === 'string' && fn.name) call.name = fn.name;
  if (typeof fn?.arguments === 'string') call.arguments += fn.arguments;
  else if (fn?.arguments && typeof fn.arguments === 'object') call.arguments += JSON.stringify(fn.arguments);
  calls.set(index, call);
}
