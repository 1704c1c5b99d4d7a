import type { Action, Step } from '../../../trajectory/schema.js';
import { isProblem, parseCallArguments } from '../call-arguments.js';
import { IGNORED_CALL } from '../problem.js';
import type { ChatExportMessage, ExportTurnContext, RecordedTurn } from '../types.js';
import { formatForagerCall, wrapForagerOutput } from './call.js';
import { parseForagerCall } from './parse.js';

const ALL_TOOLS = ['bash', 'view', 'create', 'edit', 'submit'];

/**
 * A recorded turn as CWM chat turns. CWM allows one call per assistant turn, so an answer
 * that carried out several calls (`--parallel-tool-calls run`) becomes consecutive
 * assistant turns, each with one `<tool: …>` block and its `tool: NAME` observation; the
 * model's words go with the first. Calls that were not carried out (`first`) follow as
 * untrained turns answered by the "ignored" note. A format error is answered by the user.
 */
export function exportForagerTurn(turn: RecordedTurn, context: ExportTurnContext): ChatExportMessage[] {
  const raw = turn.model?.raw_text ?? '';
  const first = turn.steps[0]!;
  if (turn.steps.length === 1 && first.action === null && !turn.model?.tool_calls?.length) {
    return [message('assistant', raw, false), message('user', first.shown, context.observationTrained(String(first.index)))];
  }
  const out: ChatExportMessage[] = [];
  turn.steps.forEach((step, position) => {
    const words = position === 0 ? raw : '';
    if (!step.action) {
      const call = turn.model?.tool_calls?.find((c) => c.id === step.tool_call_id) ?? (position === 0 ? turn.model?.tool_calls?.[0] : undefined);
      const content = call ? joinWords(context.prose(words), `<tool: ${call.name}>\n${call.arguments}\n</tool>`) : words;
      out.push(message('assistant', content, false), message('user', step.shown, context.observationTrained(String(step.index))));
      return;
    }
    out.push(message('assistant', assistantText(words, step.action, context), true));
    out.push(message(`tool: ${step.action.tool}`, wrapForagerOutput(step.shown), context.observationTrained(String(step.index))));
  });
  for (const call of ignoredCalls(turn)) {
    const action = parseCallArguments(call.name, call.arguments, ALL_TOOLS);
    if (isProblem(action)) continue;
    out.push(message('assistant', formatForagerCall(action), false), message(`tool: ${action.tool}`, wrapForagerOutput(IGNORED_CALL), false));
  }
  return out;
}

/** The model's own text when it already is this call in CWM syntax, else its words then the call. */
function assistantText(words: string, action: Action, context: ExportTurnContext): string {
  // No words (a scripted agent's turn, or a call after the first): the call alone.
  if (words === '') return formatForagerCall(action);
  const parsed = parseForagerCall(words);
  if (parsed.ok && JSON.stringify(parsed.action) === JSON.stringify(action)) return words;
  return joinWords(context.prose(words), formatForagerCall(action));
}

function joinWords(words: string, call: string): string {
  return [words.trim(), call].filter((part) => part !== '').join('\n');
}

/** The recorded tool calls no step carried out. */
function ignoredCalls(turn: RecordedTurn): { id: string; name: string; arguments: string }[] {
  const calls = turn.model?.tool_calls ?? [];
  const answered = new Set(turn.steps.map((s: Step, i) => s.tool_call_id ?? (i === 0 ? calls[0]?.id : undefined)));
  return calls.filter((c) => !answered.has(c.id));
}

function message(role: string, content: string | null, train: boolean): ChatExportMessage {
  return { role, content, train, loss_mask: train ? 1 : 0 };
}
