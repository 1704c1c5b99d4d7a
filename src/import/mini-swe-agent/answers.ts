import { isArray, isObject, optionalNumber, type Json } from '../errors.js';
import { timeOf } from '../python-text.js';
import { textOf } from '../read-input.js';
import type { Turn } from '../record.js';

/** A model answer as mini-swe-agent stores it: a chat message (`role: assistant`) or a Responses API object (`object: response`). */
export function isAnswer(message: Json): boolean {
  return message['role'] === 'assistant' || message['object'] === 'response';
}

/** The answer's own part of a turn: text, reasoning, tool calls, usage, cost and time, as far as the file kept them. */
export function answerTurn(answer: Json): Omit<Turn, 'action' | 'shown'> {
  const extra = isObject(answer['extra']) ? answer['extra'] : {};
  const turn: Omit<Turn, 'action' | 'shown'> = { text: answerText(answer) };
  const reasoning = answerReasoning(answer);
  if (reasoning) turn.reasoning = reasoning;
  const calls = answerCalls(answer);
  if (calls.length > 0) turn.calls = calls;
  const usage = usageOf(answer);
  if (usage) turn.usage = usage;
  const cost = optionalNumber(extra['cost']);
  if (cost !== undefined && cost > 0) turn.costUsd = cost;
  const time = timeOf(extra['timestamp']) ?? timeOf(answer['timestamp']);
  if (time) turn.timestamp = time;
  return turn;
}

/** The text of an answer: a chat message's content, or a Responses API output's message texts. */
export function answerText(answer: Json): string {
  if (answer['object'] === 'response' || isArray(answer['output'])) {
    const items = isArray(answer['output']) ? answer['output'].filter(isObject) : [];
    return items.filter((i) => i['type'] === 'message').map((i) => textOf(i['content'])).join('');
  }
  return textOf(answer['content']);
}

function answerReasoning(answer: Json): string | undefined {
  if (typeof answer['reasoning_content'] === 'string' && answer['reasoning_content'] !== '') return answer['reasoning_content'];
  const items = isArray(answer['output']) ? answer['output'].filter(isObject) : [];
  const summary = items.filter((i) => i['type'] === 'reasoning').map((i) => textOf(i['summary'])).join('');
  return summary || undefined;
}

/** Tool calls as the answer made them: OpenAI `tool_calls`, or Responses API `function_call` items (arguments as written). */
export function answerCalls(answer: Json): { id: string; name: string; arguments: string }[] {
  if (isArray(answer['tool_calls'])) {
    return answer['tool_calls'].filter(isObject).map((call, k) => {
      const fn = isObject(call['function']) ? call['function'] : {};
      return { id: typeof call['id'] === 'string' ? call['id'] : `call_${k}`, name: String(fn['name'] ?? ''), arguments: typeof fn['arguments'] === 'string' ? fn['arguments'] : JSON.stringify(fn['arguments'] ?? {}) };
    });
  }
  const items = isArray(answer['output']) ? answer['output'].filter(isObject) : [];
  return items.filter((i) => i['type'] === 'function_call').map((i, k) => ({
    id: typeof i['call_id'] === 'string' ? i['call_id'] : typeof i['id'] === 'string' ? i['id'] : `call_${k}`,
    name: String(i['name'] ?? ''),
    arguments: typeof i['arguments'] === 'string' ? i['arguments'] : JSON.stringify(i['arguments'] ?? {}),
  }));
}

/**
 * The answer a format error refused, as mini-swe-agent kept it on the error message:
 * `extra.response` (the whole response, 2.x since it persists them) or `extra.model_response`
 * (the text, text mode). What the file did not keep stays empty.
 */
export function refusedAnswer(error: Json): Json {
  const extra = isObject(error['extra']) ? error['extra'] : {};
  const response = isObject(extra['response']) ? extra['response'] : undefined;
  const choice = response && isArray(response['choices']) && isObject(response['choices'][0]) ? response['choices'][0] : undefined;
  const message = choice && isObject(choice['message']) ? choice['message'] : undefined;
  if (message) return { ...message, extra: { response } };
  if (response && isArray(response['output'])) return { ...response, extra: { response } };
  return { content: typeof extra['model_response'] === 'string' ? extra['model_response'] : '' };
}

/** Token usage of an answer when the file kept it: chat usage (prompt/completion) or Responses API usage (input/output). */
export function usageOf(answer: Json): { prompt_tokens: number; completion_tokens: number } | undefined {
  const extra = isObject(answer['extra']) ? answer['extra'] : {};
  const response = isObject(extra['response']) ? extra['response'] : {};
  const usage = isObject(response['usage']) ? response['usage'] : isObject(answer['usage']) ? answer['usage'] : undefined;
  if (!usage) return undefined;
  const prompt = optionalNumber(usage['prompt_tokens']) ?? optionalNumber(usage['input_tokens']);
  const completion = optionalNumber(usage['completion_tokens']) ?? optionalNumber(usage['output_tokens']);
  return prompt !== undefined && completion !== undefined ? { prompt_tokens: prompt, completion_tokens: completion } : undefined;
}
