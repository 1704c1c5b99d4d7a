import type { ReceivedRequest, ScriptedReply } from './chat-server.js';

/**
 * Behaviours of real endpoints the stand-ins copy: what they refuse, and the extra
 * fields their answers carry. Each wraps a scripted reply.
 */

/**
 * OpenAI's reasoning models (o1, o3, o4-mini, gpt-5): `max_tokens` is refused with a 400
 * (as is a temperature other than 1), and usage details count cached prompt tokens and
 * reasoning tokens.
 */
export function asReasoningModel(reply: (request: ReceivedRequest) => ScriptedReply, details: { cached: number; reasoning: number }) {
  return (request: ReceivedRequest): ScriptedReply => {
    if ('max_tokens' in request.body) {
      return { status: 400, body: { error: { message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", type: 'invalid_request_error', param: 'max_tokens', code: 'unsupported_parameter' } } };
    }
    if ('temperature' in request.body && request.body.temperature !== 1) {
      return { status: 400, body: { error: { message: "Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is supported.", param: 'temperature', code: 'unsupported_value' } } };
    }
    const answer = reply(request);
    const body = answer.body as { usage: Record<string, unknown> };
    body.usage = { ...body.usage, prompt_tokens_details: { cached_tokens: details.cached, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: details.reasoning, audio_tokens: 0 } };
    return answer;
  };
}

/**
 * An endpoint that only streams: a request without `stream: true` is refused; the
 * answer is the scripted completion cut into deltas (content in 3-character pieces,
 * tool-call arguments in pieces, the call's id and name only in its first delta),
 * then a usage-only chunk when `stream_options.include_usage` asked for it, then [DONE].
 */
export function asStreaming(reply: (request: ReceivedRequest) => ScriptedReply, delayMs = 5) {
  return (request: ReceivedRequest): ScriptedReply => {
    if (request.body.stream !== true) return { status: 400, body: { error: { message: 'this stand-in only streams' } } };
    const body = reply(request).body as Record<string, any>;
    return { sse: toEvents(body, request.body.stream_options?.include_usage === true), delayMs };
  };
}

function toEvents(body: Record<string, any>, includeUsage: boolean): string[] {
  const choice = body.choices[0];
  const message = choice.message;
  const base = { id: body.id, object: 'chat.completion.chunk', created: 1, model: 'stand-in' };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
  const events = [chunk({ role: 'assistant', content: '' })];
  for (const piece of pieces(message.reasoning_content ?? '', 3)) events.push(chunk({ reasoning_content: piece }));
  for (const piece of pieces(message.content ?? '', 3)) events.push(chunk({ content: piece }));
  (message.tool_calls ?? []).forEach((call: { id: string; function: { name: string; arguments: string } }, index: number) => {
    events.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }));
    for (const piece of pieces(call.function.arguments, 4)) events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  events.push(chunk({}, choice.finish_reason));
  if (includeUsage) events.push(JSON.stringify({ ...base, choices: [], usage: body.usage }));
  events.push('[DONE]');
  return events;
}

function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
