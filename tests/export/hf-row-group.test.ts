import { describe, expect, it } from 'vitest';
import { packMessages, TextPool, unpackGroup, type PackedGroup } from '../../src/export/formats/hf/row-group.js';

const text = (bytes: unknown) => Buffer.from(bytes as Uint8Array).toString('utf8');

function seal(pool: TextPool, columns: PackedGroup['columns'], rows: number): PackedGroup {
  return { rows, columns, ...pool.seal() };
}

describe('hf row groups: text in one byte pool', () => {
  it('gives back every string byte for byte, across growth of the pool and of its refs, in any script', () => {
    const pool = new TextPool(16);
    const values = Array.from({ length: 3_000 }, (_, i) => (i % 3 === 0 ? `é✓ 漢字 🦊 ${i}` : i % 3 === 1 ? '' : 'x'.repeat(i)));
    const refs = values.map((v) => pool.put(v));
    const [column] = unpackGroup(seal(pool, [{ name: 't', kind: 'text', data: [...refs, null], statistics: false }], values.length + 1));
    expect(column?.data.slice(0, -1).map(text)).toEqual(values);
    expect(column?.data.at(-1)).toBeNull();
    expect(refs.slice(0, 3).map((ref) => pool.lengthOf(ref))).toEqual([Buffer.byteLength(values[0] as string), 0, 2]);
  });

  it('stores a long string written again soon (stdout, then shown) once, and counts it each time', () => {
    const pool = new TextPool();
    const observation = 'line of output\n'.repeat(40);
    const first = pool.put(observation);
    pool.put('other');
    expect(pool.put(observation)).toBe(first);
    expect(pool.size).toBe(Buffer.byteLength(observation) + 'other'.length);
    const messages = packMessages([{ role: 'tool', content: observation, tool_call_id: 'c1', train: false, loss_mask: 0 }], pool);
    expect(pool.size).toBe(Buffer.byteLength(observation) + 'other'.length + 2);
    // Counted as a reader sizes the values: the observation's bytes although stored once.
    expect(messages.bytes).toBeGreaterThan(Buffer.byteLength(observation));
  });

  it('packs chat messages with their tool calls and unpacks them into the structs the writer reads', () => {
    const pool = new TextPool();
    const conversation = [
      { role: 'system', content: 'You are an agent.', train: false, loss_mask: 0 },
      { role: 'assistant', content: null, reasoning_content: 'think', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } }], train: true, loss_mask: 1 },
      { role: 'tool', content: 'a\nb', tool_call_id: 'call_1', name: 'bash', train: false, loss_mask: 0 },
    ];
    const packed = packMessages(conversation, pool);
    const [column] = unpackGroup(seal(pool, [{ name: 'messages', kind: 'messages', data: [packed.messages], statistics: false }], 1));
    const [messages] = column?.data as Record<string, unknown>[][];
    const decoded = messages?.map((m) => ({
      ...Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v instanceof Uint8Array ? text(v) : v])),
      tool_calls: Array.isArray(m.tool_calls) ? (m.tool_calls as Record<string, any>[]).map((c) => ({ id: text(c.id), type: text(c.type), function: { name: text(c.function.name), arguments: text(c.function.arguments) } })) : m.tool_calls,
    }));
    expect(decoded).toEqual([
      { role: 'system', content: 'You are an agent.', tool_calls: undefined, tool_call_id: undefined, name: undefined, reasoning_content: undefined, train: false, loss_mask: 0 },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } }], tool_call_id: undefined, name: undefined, reasoning_content: 'think', train: true, loss_mask: 1 },
      { role: 'tool', content: 'a\nb', tool_calls: undefined, tool_call_id: 'call_1', name: 'bash', reasoning_content: undefined, train: false, loss_mask: 0 },
    ]);
  });
});
