import { actionArguments } from '../call-arguments.js';
import { IGNORED_CALL } from '../problem.js';
import { stepForCall } from '../turns.js';
import type { ChatExportMessage, ExportTurnContext, RecordedTurn } from '../types.js';

type ToolCall = NonNullable<ChatExportMessage['tool_calls']>[number];

/**
 * A recorded turn as OpenAI messages: one assistant message holding every tool call of
 * the answer, then one `tool` message per call id: what the step that carried the call
 * out was shown, or the "ignored" answer for a call that was not carried out. A turn
 * without calls (a format error) is answered by a user message.
 */
export function exportOpenaiTurn(turn: RecordedTurn, context: ExportTurnContext): ChatExportMessage[] {
  const { model } = turn;
  const valid = turn.steps.some((s) => s.action !== null);
  const assistant = message('assistant', null, valid);
  if (model?.reasoning !== undefined) assistant.reasoning_content = model.reasoning;
  const recorded = model?.tool_calls?.length ? model.tool_calls : undefined;
  // The steps that carried out an action, in order: the calls of an answer recorded without its calls.
  const acting = recorded ? [] : turn.steps.filter((s) => s.action);
  const calls: ToolCall[] = recorded
    ? recorded.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }))
    : acting.map((s) => ({ id: s.tool_call_id ?? `call_${s.index}`, type: 'function', function: { name: s.action!.tool, arguments: actionArguments(s.action!) } }));
  if (calls.length === 0) {
    assistant.content = model?.raw_text ?? '';
    const step = turn.steps[0]!;
    return [assistant, message('user', step.shown, context.observationTrained(String(step.index)))];
  }
  const text = model ? (recorded ? model.raw_text : context.prose(model.raw_text)) : '';
  assistant.content = text === '' ? null : text;
  assistant.tool_calls = calls;
  const first = turn.steps[0]!;
  const out = [assistant];
  calls.forEach((call, position) => {
    const step = recorded ? stepForCall(turn, call.id, position) : acting[position];
    const answer = message('tool', step ? step.shown : IGNORED_CALL, context.observationTrained(step ? String(step.index) : `${first.index}:${call.id}`));
    answer.tool_call_id = call.id;
    answer.name = call.function.name;
    out.push(answer);
  });
  return out;
}

function message(role: string, content: string | null, train: boolean): ChatExportMessage {
  return { role, content, train, loss_mask: train ? 1 : 0 };
}
