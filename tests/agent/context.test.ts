import { describe, expect, it } from 'vitest';
import { elideObservations, estimateTokens } from '../../src/agent/context.js';
import type { ChatMessage } from '../../src/model/index.js';

function conversation(observations: number, size: number): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'system', content: 'S'.repeat(size) }, { role: 'user', content: 'I'.repeat(size) }];
  for (let i = 0; i < observations; i += 1) {
    messages.push({ role: 'assistant', content: `<tool: bash>\ncmd ${i}\n</tool>` }, { role: 'tool', name: 'bash', content: `${i}`.padEnd(size, '.') });
  }
  return messages;
}

describe('elideObservations()', () => {
  it('replaces the oldest observations by a marker with their size until the conversation fits', () => {
    const messages = conversation(6, 4_000);
    const before = estimateTokens(messages);
    const elided = elideObservations(messages, before - 2_500);
    expect(elided).toBe(3);
    expect(messages[3]!.content).toBe('[observation elided: 4000 bytes]');
    expect(messages[7]!.content).toBe('[observation elided: 4000 bytes]');
    expect(messages[9]!.content!.startsWith('3')).toBe(true);
    expect(estimateTokens(messages)).toBeLessThanOrEqual(before - 2_500);
  });

  it('keeps the system prompt, the instruction, the assistant turns and the latest messages', () => {
    const messages = conversation(3, 4_000);
    elideObservations(messages, 0);
    expect(messages[0]!.content).toHaveLength(4_000);
    expect(messages[1]!.content).toHaveLength(4_000);
    expect(messages.filter((m) => m.role === 'assistant').every((m) => m.content!.startsWith('<tool: bash>'))).toBe(true);
    expect(messages.slice(-4).filter((m) => m.role === 'tool').every((m) => m.content!.length === 4_000)).toBe(true);
  });

  it('elides nothing when the conversation already fits, and never elides twice', () => {
    const messages = conversation(6, 100);
    expect(elideObservations(messages, 1_000_000)).toBe(0);
    expect(elideObservations(messages, 0)).toBe(4);
    expect(elideObservations(messages, 0)).toBe(0);
  });
});
