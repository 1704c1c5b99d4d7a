import { describe, expect, it } from 'vitest';
import { encodeNestedValues } from 'hyparquet-writer/src/dremel.js';
import { schemaPathResolver } from 'hyparquet-writer/src/schema.js';
import { HF_CHAT_COLUMNS, HF_STEP_COLUMNS } from '../../src/export/formats/hf/columns.js';
import { schemaElements, type Field } from '../../src/export/formats/hf/fields.js';
import { Shredder, type Leaf } from '../../src/export/formats/hf/shred.js';

/** The strings of a PLAIN BYTE_ARRAY page. */
function plainStrings(page: Uint8Array): string[] {
  const bytes = Buffer.from(page.buffer, page.byteOffset, page.byteLength);
  const out: string[] = [];
  for (let at = 0; at < bytes.length;) {
    const length = bytes.readUInt32LE(at);
    out.push(bytes.toString('utf8', at + 4, at + 4 + length));
    at += 4 + length;
  }
  return out;
}

/** hyparquet-writer's own Dremel encoding of the rows, leaf by leaf: the reference the shredder must match. */
function reference(field: Field, rows: unknown[]) {
  const schema = [{ name: 'root', num_children: 1 }, ...schemaElements(field)];
  const column = schemaPathResolver(schema as never)([field.name]);
  const leaves: (typeof column)[] = [];
  const dfs = (path: typeof column) => {
    const node = path.at(-1)!;
    if (!node.children.length) leaves.push(path);
    else for (const child of node.children) dfs([...path, child]);
  };
  dfs(column);
  return leaves.map((path) => encodeNestedValues(path, rows as never));
}

function expectSameAsWriter(field: Field, rows: unknown[], shredder = new Shredder(field)) {
  for (const row of rows) shredder.add(row);
  expectLeaves(field, rows, shredder.seal());
}

function expectLeaves(field: Field, rows: unknown[], leaves: Leaf[]) {
  const expected = reference(field, rows);
  expect(leaves).toHaveLength(expected.length);
  leaves.forEach((leaf, i) => {
    const want = expected[i]!;
    expect({ maxDef: leaf.maxDef, defs: Array.from(leaf.defs), reps: Array.from(leaf.reps), count: leaf.count }).toEqual({
      maxDef: want.maxDefinitionLevel, defs: want.definitionLevels, reps: want.repetitionLevels, count: want.values.length,
    });
    const values = Array.from(want.values as unknown[]);
    if (leaf.kind === 'text') expect(plainStrings(leaf.page)).toEqual(values.filter((v) => v !== null && v !== undefined));
    else expect(leaf.values).toEqual(values.map((v) => v ?? null));
  });
}

const messagesField = HF_CHAT_COLUMNS.find((c) => c.field.name === 'messages')!.field;
const cwmField = HF_CHAT_COLUMNS.find((c) => c.field.name === 'messages_cwm')!.field;

describe('hf shredding', () => {
  it('gives the OpenAI message column the levels and values hyparquet-writer gives it: calls, no calls, empty and missing lists, nulls', () => {
    expectSameAsWriter(messagesField, [
      [
        { role: 'system', content: 'You are an agent.', train: false, loss_mask: 0 },
        { role: 'assistant', content: null, reasoning_content: 'think 🦊', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } }, { id: 'c2', type: 'function', function: { name: 'view', arguments: '{}' } }], train: true, loss_mask: 1 },
        { role: 'tool', content: 'a\nb', tool_call_id: 'c1', name: 'bash', train: false, loss_mask: 0 },
        { role: 'tool', content: '', tool_call_id: 'c2', name: 'view', train: true, loss_mask: 1 },
      ],
      [],
      [{ role: 'assistant', content: 'é✓ 漢字', tool_calls: [], train: true, loss_mask: 1 }],
      [{ role: 'user', content: 'x', tool_calls: null, train: false, loss_mask: 0 }, { role: 'assistant', content: 'done', train: true, loss_mask: 1 }],
    ]);
  });

  it('gives the CWM message column and flat text (required and nullable) the writer\'s levels', () => {
    expectSameAsWriter(cwmField, [[{ role: 'user', content: 'go', train: false, loss_mask: 0 }], [], [{ role: 'assistant', content: null, train: true, loss_mask: 1 }]]);
    expectSameAsWriter(HF_STEP_COLUMNS.find((c) => c.field.name === 'stdout_text')!.field, ['out', null, '', 'ünïcode', undefined]);
    expectSameAsWriter(HF_STEP_COLUMNS.find((c) => c.field.name === 'shown')!.field, ['shown', '', 'x'.repeat(100_000)]);
  });

  it('reuses a group\'s memory two groups later, leaving the group before intact', () => {
    const shredder = new Shredder(messagesField);
    const group = (n: number) => Array.from({ length: 50 }, (_, i) => [{ role: 'tool', content: `g${n} row ${i} `.repeat(n * 40 + i), tool_call_id: `c${i}`, train: true, loss_mask: 1 }]);
    const seal = (rows: unknown[]) => { for (const row of rows) shredder.add(row); return shredder.seal(); };
    const [one, two, three] = [group(1), group(2), group(3)];
    seal(one);
    const second = seal(two);
    const third = seal(three);
    expectLeaves(messagesField, two, second);
    expectLeaves(messagesField, three, third);
  });

  it('refuses a missing required value, naming the column', () => {
    expect(() => new Shredder(messagesField).add([{ content: 'no role', train: true, loss_mask: 1 }])).toThrow(/messages\.role is required/);
    expect(() => new Shredder(HF_STEP_COLUMNS.find((c) => c.field.name === 'shown')!.field).add(null)).toThrow(/shown is required/);
    expect(() => new Shredder(messagesField).add([{ role: 'tool', content: 7, train: true, loss_mask: 1 }])).toThrow(/messages\.content must be a string/);
    expect(() => new Shredder(messagesField).add([{ role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'bash', arguments: '{}' } }], train: true, loss_mask: 1 }])).toThrow(/messages\.tool_calls\.id is required/);
  });
});
