import { InvalidResponseError } from '../../errors.js';
import { readSseData } from '../../http/sse.js';

interface StreamedCall {
  id?: string;
  name: string;
  arguments: string;
}

/**
 * Assemble a streamed chat completion (`stream: true`) into the shape of a
 * non-streamed response: content, reasoning and tool calls (by index) from the deltas,
 * the finish reason, and usage from the final chunk (`stream_options.include_usage`).
 * Also returns when the first content, reasoning or tool-call delta arrived.
 */
export async function readChatStream(response: Response, context: Record<string, string>): Promise<{ json: unknown; firstTokenAt?: number }> {
  if (!response.body) throw new InvalidResponseError('model endpoint sent an empty stream', { context });
  let id: string | undefined;
  let content = '';
  let reasoning = '';
  let finishReason: string | null = null;
  let usage: unknown;
  let firstTokenAt: number | undefined;
  let chunks = 0;
  const calls = new Map<number, StreamedCall>();
  for await (const data of readSseData(response.body)) {
    if (data.trim() === '[DONE]') break;
    let chunk: Record<string, any>;
    try {
      chunk = JSON.parse(data) as Record<string, any>;
    } catch (error) {
      throw new InvalidResponseError(`model endpoint streamed invalid JSON: ${data.slice(0, 200)}`, { cause: error, context });
    }
    if (chunk.error) throw new InvalidResponseError(`model endpoint streamed an error: ${JSON.stringify(chunk.error).slice(0, 500)}`, { context });
    chunks += 1;
    id ??= typeof chunk.id === 'string' ? chunk.id : undefined;
    if (chunk.usage) usage = chunk.usage;
    const choice = Array.isArray(chunk.choices) ? chunk.choices.find((c: { index?: number }) => (c.index ?? 0) === 0) : undefined;
    if (!choice) continue;
    const delta = (choice.delta ?? {}) as Record<string, any>;
    const piece = (value: unknown) => (typeof value === 'string' ? value : '');
    const text = piece(delta.content);
    const thought = piece(delta.reasoning_content) || piece(delta.reasoning);
    content += text;
    reasoning += thought;
    const toolDeltas = Array.isArray(delta.tool_calls) ? (delta.tool_calls as Array<Record<string, any>>) : [];
    toolDeltas.forEach((d, i) => {
      const index = typeof d.index === 'number' ? d.index : i;
      const call = calls.get(index) ?? { name: '', arguments: '' };
      if (typeof d.id === 'string' && d.id) call.id = d.id;
      const fn = (d.function ?? {}) as Record<string, unknown>;
      if (typeof fn.name === 'string' && !call.name) call.name = fn.name;
      if (typeof fn.arguments === 'string') call.arguments += fn.arguments;
      else if (fn.arguments && typeof fn.arguments === 'object') call.arguments += JSON.stringify(fn.arguments);
      calls.set(index, call);
    });
    if (firstTokenAt === undefined && (text || thought || toolDeltas.length)) firstTokenAt = performance.now();
    if (typeof choice.finish_reason === 'string') finishReason = choice.finish_reason;
  }
  if (chunks === 0) throw new InvalidResponseError('model endpoint closed the stream without a chunk', { context });
  const toolCalls = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  const message = {
    content: content || (toolCalls.length ? null : ''),
    ...(reasoning ? { reasoning_content: reasoning } : {}),
    ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
  };
  return { json: { id, choices: [{ finish_reason: finishReason, message }], usage }, firstTokenAt };
}
