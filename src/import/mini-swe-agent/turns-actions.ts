import { isArray, isObject, optionalNumber, type Json } from '../errors.js';
import { textOf } from '../read-input.js';
import type { FollowingAction, Turn } from '../record.js';
import { answerTurn, isAnswer, refusedAnswer } from './answers.js';

/**
 * The turns of a `mini-swe-agent-1.1` trajectory (2.x, every mode: text, toolcall,
 * response_api). An answer's `extra.actions` are what mini-swe-agent ran, exactly as it ran
 * them, and each was answered in order by an observation (a `tool` message or
 * `function_call_output` with its call id, a `user` message in text mode) or, for the
 * action that submitted, the `exit` message. A refused answer left no assistant message:
 * the `user` message with `extra.interrupt_type: "FormatError"` keeps what the model said
 * (`extra.response` / `extra.model_response`) and is a turn without an action.
 */
export function turnsFromActions(messages: Json[], start: number): Turn[] {
  const turns: Turn[] = [];
  for (let i = start; i < messages.length; i += 1) {
    const message = messages[i]!;
    const extra = isObject(message['extra']) ? message['extra'] : {};
    if (extra['interrupt_type'] === 'FormatError') {
      turns.push(refusedTurn(message));
      continue;
    }
    if (!isAnswer(message)) continue;
    const actions = isArray(extra['actions']) ? extra['actions'].filter(isObject) : [];
    const next = messages[i + 1];
    if (actions.length === 0 && next && isObject(next['extra']) && next['extra']['interrupt_type'] === 'FormatError') {
      // Releases that saved the answer before parsing it: the answer, then the error that refused it.
      const shown = replyText(next);
      turns.push({ ...answerTurn(message), action: null, shown, formatError: shown });
      i += 1;
      continue;
    }
    const replies: Json[] = [];
    while (replies.length < Math.max(actions.length, 1) && i + 1 < messages.length && isReply(messages[i + 1]!)) replies.push(messages[++i]!);
    const ran = actions.map((a, k) => ranAction(a, replyFor(a, k, replies)));
    const [first, ...more] = ran;
    const turn: Turn = { ...answerTurn(message), action: first?.action ?? null, shown: first?.shown ?? replies.map(replyText).join('\n\n') };
    if (first?.exitCode !== undefined) turn.exitCode = first.exitCode;
    if (first?.toolCallId !== undefined) turn.toolCallId = first.toolCallId;
    if (more.length > 0) turn.more = more;
    turns.push(turn);
  }
  return turns;
}

function refusedTurn(error: Json): Turn {
  const shown = replyText(error);
  return { ...answerTurn(refusedAnswer(error)), action: null, shown, formatError: shown };
}

/** What answers an action: a tool result, an observation, or the exit message of the submitting action. */
function isReply(message: Json): boolean {
  const extra = isObject(message['extra']) ? message['extra'] : {};
  if (extra['interrupt_type'] !== undefined) return false;
  return message['role'] === 'tool' || message['type'] === 'function_call_output' || message['role'] === 'user' || message['role'] === 'exit';
}

function replyFor(action: Json, k: number, replies: Json[]): Json | undefined {
  const id = action['tool_call_id'];
  if (typeof id === 'string') {
    const named = replies.find((r) => r['tool_call_id'] === id || r['call_id'] === id);
    if (named) return named;
  }
  return replies[k];
}

function ranAction(action: Json, reply: Json | undefined): FollowingAction {
  const command = typeof action['command'] === 'string' ? action['command'] : '';
  const ran: FollowingAction = { action: { tool: 'bash', command }, shown: reply ? replyText(reply) : '' };
  const extra = reply && isObject(reply['extra']) ? reply['extra'] : {};
  // -1 is mini-swe-agent's "no exit code" (the command raised: a timeout, an error); the exit message has none.
  const code = optionalNumber(extra['returncode']);
  if (code !== undefined && code >= 0) ran.exitCode = code;
  if (typeof action['tool_call_id'] === 'string') ran.toolCallId = action['tool_call_id'];
  return ran;
}

/** A reply's text: `content` (a string, or input_text parts), or a `function_call_output`'s `output`. */
function replyText(message: Json): string {
  if (message['type'] === 'function_call_output') return textOf(message['output']);
  return textOf(message['content']);
}
