import type { TokenCounter } from './tokens.js';

/** One message of CWM's chat: `<|start_header_id|>ROLE<|end_header_id|>\n\nBODY<|eot_id|>`, ROLE `tool: NAME` for tool results. */
export interface CwmMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  /** The tool's name, for `tool` messages. */
  tool?: string;
  body: string;
}

export const CWM_TOKENS = {
  beginOfText: '<|begin_of_text|>',
  startHeader: '<|start_header_id|>',
  endHeader: '<|end_header_id|>',
  endOfTurn: '<|eot_id|>',
  thinkingStart: '<|reasoning_thinking_start|>',
  thinkingEnd: '<|reasoning_thinking_end|>',
} as const;

/** The header's role text: `tool: NAME` for a tool result (CWMChatMessage.source_str). */
export function roleText(message: CwmMessage): string {
  return message.role === 'tool' ? `tool: ${message.tool ?? ''}` : message.role;
}

/** Python's str.strip(): its whitespace is wider than JavaScript's trim (\x1c-\x1f, \x85; not \ufeff). */
const PY_SPACE = '[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'gu');
const PY_LSTRIP = new RegExp(`^${PY_SPACE}+`, 'u');

export function pyStrip(text: string): string {
  return text.replace(PY_STRIP, '');
}

export function pyLstrip(text: string): string {
  return text.replace(PY_LSTRIP, '');
}

/**
 * The body as CWM encodes it: stripped, except tool results (kept whole) and an assistant
 * message left open as the generation prefix (CWMInstructTokenizer.encode_message).
 */
function encodedBody(message: CwmMessage, closed: boolean): string {
  return message.role !== 'tool' && !(message.role === 'assistant' && !closed) ? pyStrip(message.body) : message.body;
}

/** Tokens of an assistant body: the reasoning start/end token strings count as one token each (encode_thinking). */
function countAssistantBody(body: string, counter: TokenCounter): number {
  const parts = body.split(/(<\|reasoning_thinking_start\|>|<\|reasoning_thinking_end\|>)/);
  let n = 0;
  parts.forEach((part, i) => (n += i % 2 === 1 ? 1 : counter.count(part)));
  return n;
}

/** Tokens of a message header: start, the role, end, "\n\n". */
export function countHeader(message: CwmMessage, counter: TokenCounter): number {
  return 2 + counter.count(roleText(message).trim()) + counter.count('\n\n');
}

/** Tokens of one message as CWM's tokenizer encodes it; `closed` adds the end-of-turn token. */
export function countMessage(message: CwmMessage, counter: TokenCounter, closed = true): number {
  const body = encodedBody(message, closed);
  const bodyTokens = message.role === 'assistant' ? countAssistantBody(body, counter) : counter.count(body);
  return countHeader(message, counter) + bodyTokens + (closed ? 1 : 0);
}

/** The abbreviation CWM puts where it cut a message (DialogEnv's abbrev_str). */
export const ABBREVIATION = '[...]';

/**
 * A message cut to `maxTokens` as CWM cuts it (maybe_truncate_message): when the encoded
 * message is longer, its body keeps as many tokens as fit beside the header, the end token
 * and `[...]`, at its start (`right`) or its end (`left`), and is decoded again.
 */
export function truncateMessage(message: CwmMessage, counter: TokenCounter, maxTokens: number, where: 'left' | 'right'): CwmMessage {
  const total = countMessage(message, counter);
  if (total <= maxTokens) return message;
  const bodyTokens = counter.count(message.body);
  const keep = maxTokens - (total - bodyTokens) - counter.count(ABBREVIATION);
  const body = where === 'left' ? ABBREVIATION + counter.tail(message.body, keep) : counter.head(message.body, keep) + ABBREVIATION;
  return { ...message, body };
}

/** A message as CWM's tokens decode: header, body as encoded, end token when closed. */
export function renderMessage(message: CwmMessage, closed = true): string {
  return `${CWM_TOKENS.startHeader}${roleText(message).trim()}${CWM_TOKENS.endHeader}\n\n${encodedBody(message, closed)}${closed ? CWM_TOKENS.endOfTurn : ''}`;
}

/**
 * A whole conversation in CWM's chat template, as CWMInstructTokenizer encodes a dialog
 * (cwm/text/tokenizers.py, `encode_prompt_dialog` and `encode_message`; PROMPTING_GUIDE.md,
 * "Chat Format"): `<|begin_of_text|>`, then each message closed by `<|eot_id|>`, bodies
 * stripped except tool results. Roles are `system`, `user`, `assistant` or `tool: NAME`.
 */
export function renderDialog(messages: readonly { role: string; content: string | null }[]): string {
  const parts: string[] = [CWM_TOKENS.beginOfText];
  for (const { role, content } of messages) {
    const tool = /^tool: (.*)$/s.exec(role);
    const message: CwmMessage = tool ? { role: 'tool', tool: tool[1], body: content ?? '' } : { role: role as CwmMessage['role'], body: content ?? '' };
    parts.push(renderMessage(message));
  }
  return parts.join('');
}
