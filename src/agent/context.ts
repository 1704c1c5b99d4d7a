import { estimateTokens as tokensOfChars } from '../core/tokens.js';
import type { ChatMessage } from '../model/index.js';

/** Rough token count of a conversation: ~4 characters a token, plus a few per message. */
export function estimateTokens(messages: ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) {
    chars += (m.content ?? '').length + 16;
    for (const call of m.tool_calls ?? []) chars += call.function.name.length + call.function.arguments.length + 16;
  }
  return tokensOfChars(chars);
}

export function elisionMarker(bytes: number): string {
  return `[observation elided: ${bytes} bytes]`;
}

/**
 * Shrink a conversation in place until `estimate(messages)` fits `limit`: the oldest
 * observations (tool and user messages after the first `protectHead` messages, i.e.
 * the system prompt and the instruction) are replaced by a marker with their size,
 * and the last `keepRecent` messages are never touched. Elided messages stay elided,
 * so the conversation's prefix is stable from one request to the next. Returns how
 * many messages were elided by this call.
 */
export function elideObservations(
  messages: ChatMessage[],
  limit: number,
  estimate: (messages: ChatMessage[]) => number = estimateTokens,
  options: { protectHead?: number; keepRecent?: number } = {},
): number {
  const head = options.protectHead ?? 2;
  const end = messages.length - (options.keepRecent ?? 4);
  let elided = 0;
  for (let i = head; i < end && estimate(messages) > limit; i += 1) {
    const m = messages[i]!;
    if ((m.role !== 'tool' && m.role !== 'user') || m.content === null || m.content.startsWith('[observation elided:')) continue;
    messages[i] = { ...m, content: elisionMarker(Buffer.byteLength(m.content, 'utf8')) };
    elided += 1;
  }
  return elided;
}
