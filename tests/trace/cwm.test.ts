import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CWM, Deduplicator, escapeText, unescapeText, formatCwm, parseCwm, parseProcessTrace, resolveTraceLimits, sourceLine, type Invocation, type TraceFunction } from '../../src/trace/index.js';

const fn: TraceFunction = {
  type: 'function', key: 'm.py:countdown:1', file: 'm.py', qualname: 'countdown', firstlineno: 1,
  source: 'def countdown(n):\n    while n > 0:\n        yield n\n        n -= 1\n', source_line: 1,
};

function invocation(events: Invocation['events'], extra: Partial<Invocation> = {}): Invocation {
  return {
    type: 'invocation', id: '7-1', function: fn.key, pid: 7, thread: 'MainThread', main_thread: true, file: 'm.py', qualname: 'countdown',
    firstlineno: 1, call_index: 0, test: 't.py::test_a', parent: null, generator: true, args: { n: '2' }, outcome: 'return', return: 'None', cut: null, events, ...extra,
  };
}

const generator = invocation([
  { event: 'call', line: 1, locals: { n: '2' } },
  { event: 'line', line: 2, locals: {} },
  { event: 'line', line: 3, locals: {} },
  { event: 'yield', line: 3, locals: {}, value: '2' },
  { event: 'resume', line: 3, locals: {} },
  { event: 'line', line: 4, locals: {} },
  { event: 'line', line: 2, locals: { n: '1' } },
  { event: 'exception', line: 2, locals: {}, value: "ValueError('<|line_sep|> in a value')" },
  { event: 'return', line: 2, locals: {}, value: 'None' },
]);

describe('formatCwm() / parseCwm()', () => {
  it('writes the source as context, each event with its token, locals as JSON (unchanged as ".."), the source line and values', () => {
    const text = formatCwm(fn, generator);
    expect(text.startsWith(`${CWM.context}def countdown(n):`)).toBe(true);
    expect(text).toContain(`${CWM.call}{"n":"2"}${CWM.action}def countdown(n):\n`);
    expect(text).toContain(`${CWM.line}{"n":".."}${CWM.action}    while n > 0:\n`);
    expect(text).toContain(`${CWM.return}{"n":".."}${CWM.action}        yield n${CWM.arg}2\n`);
    expect(text).toContain(`${CWM.line}{"n":"1"}${CWM.action}    while n > 0:\n`);
    expect(text.endsWith(CWM.frame)).toBe(true);
  });

  it('parses back to the same events: yields as returns before the end, resumes as calls after the start', () => {
    const back = parseCwm(formatCwm(fn, generator));
    expect(back.source).toBe(fn.source);
    expect(back.events.map((e) => e.event)).toEqual(generator.events.map((e) => e.event));
    back.events.forEach((e, i) => {
      const original = generator.events[i]!;
      expect(e.locals).toEqual(original.locals);
      expect(e.value).toEqual(original.value);
      expect(e.source).toBe(sourceLine(fn, original.line));
    });
  });
});

describe('Deduplicator', () => {
  it('drops an invocation with the same function source and argument reprs, whatever the order of the arguments', () => {
    const dedup = new Deduplicator();
    expect(dedup.isNew(fn, invocation([], { args: { a: '1', b: '2' } }))).toBe(true);
    expect(dedup.isNew(fn, invocation([], { id: '7-2', args: { b: '2', a: '1' } }))).toBe(false);
    expect(dedup.isNew(fn, invocation([], { args: { a: '1', b: '3' } }))).toBe(true);
    expect(dedup.isNew({ ...fn, source: 'def other(): pass\n' }, invocation([], { args: { a: '1', b: '2' } }))).toBe(true);
    expect(dedup.dropped).toBe(1);
  });
});

const KEY = Buffer.alloc(32, 7);
/** Lines as forager_tracer.py signs them: MAC over "pid\\0n\\0" + the JSON bytes. */
function signed(pid: number, records: unknown[], key = KEY, from = 0): string[] {
  return records.map((record, i) => {
    const body = typeof record === 'string' ? record : JSON.stringify(record);
    const mac = createHmac('sha256', key).update(`${pid}\0${from + i}\0`).update(Buffer.from(body)).digest('hex').slice(0, 32);
    return `${mac} ${body}`;
  });
}

describe('parseProcessTrace()', () => {
  const process7 = { type: 'process', pid: 7, python: '3.11.2' };

  it('keeps the lines the tracer signed, counts signed lines that are invalid, and says the process was killed without a last line', () => {
    const good = JSON.stringify(generator);
    const lines = signed(7, [process7, fn, good, '{"type":"invocation","id":5}', 'not json', '[1,2]']);
    const trace = parseProcessTrace(7, Buffer.from(`${lines.join('\n')}\n${lines[2]!.slice(0, 40)}`), KEY);
    expect(trace).toMatchObject({ python: '3.11.2', invalid: 3, refused: 1, authentic: 6, ending: 'killed' });
    expect(trace.functions).toHaveLength(1);
    expect(trace.invocations).toHaveLength(1);
  });

  it('refuses what no tracer of the run wrote: unsigned lines, another key, another pid\'s file, lines slipped in, a line replayed', () => {
    const lines = signed(7, [process7, fn, generator, { type: 'end', reason: 'exit', cuts: {}, functions: {} }]);
    const forged = JSON.stringify({ ...generator, id: '7-9', return: 'FORGED-42' });
    expect(parseProcessTrace(7, Buffer.from([JSON.stringify(process7), JSON.stringify(fn), forged].join('\n')), KEY)).toMatchObject({ authentic: 0, refused: 3, invocations: [] });
    expect(parseProcessTrace(7, Buffer.from(signed(7, [process7, forged], Buffer.alloc(32, 1)).join('\n')), KEY)).toMatchObject({ authentic: 0, refused: 2 });
    expect(parseProcessTrace(8, Buffer.from(lines.join('\n')), KEY)).toMatchObject({ authentic: 0, refused: 4 });
    const slipped = [lines[0], `${'0'.repeat(32)} ${forged}`, forged, lines[1], signed(7, [forged], KEY, 1)[0]!.replace(/^./, 'f'), lines[2], lines[2], lines[3]];
    const trace = parseProcessTrace(7, Buffer.from(slipped.join('\n')), KEY);
    expect(trace).toMatchObject({ authentic: 4, refused: 4, ending: 'exit' });
    expect(trace.invocations.map((i) => i.return)).toEqual([generator.return]);
  });
});

describe('resolveTraceLimits()', () => {
  it('fills defaults and refuses a bad limit naming the field', () => {
    expect(resolveTraceLimits({ max_events: 5 })).toMatchObject({ max_events: 5, max_invocations: 20, repr_len: 200 });
    expect(() => resolveTraceLimits({ repr_len: -1 })).toThrow(/field repr_len/);
  });
});

describe('escapeText()', () => {
  it('is undone by unescapeText for any text, and leaves no token in it', () => {
    for (const text of ['plain', '<|line_sep|>', '<\\|', '<\\\\|x<|', 'a <| b <\\| c']) {
      const escaped = escapeText(text);
      expect(escaped).not.toContain('<|');
      expect(unescapeText(escaped)).toBe(text);
    }
  });
});
