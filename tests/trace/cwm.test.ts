import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import {
  buildCwmTrace, CWM, Deduplicator, formatCwmTrace, indexTrace, parseCwmTrace, parseProcessTrace, resolveCwmLocals, resolveTraceLimits, type Invocation, type ParsedCwmTrace, type TraceFunction,
} from '../../src/trace/index.js';

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

const index = (invocations: Invocation[], functions: TraceFunction[] = [fn]) => indexTrace(new Map(functions.map((f) => [f.key, f])), invocations);

describe('buildCwmTrace() / formatCwmTrace()', () => {
  it('lays a generator out as CWM\'s builder does: context with the entry marked, one frame separator after each frame, yields as returns, resumes as calls, the end of text at the end', () => {
    const text = formatCwmTrace(buildCwmTrace(generator, index([generator])));
    const lines = ['def countdown(n):  # << START_OF_TRACE', '    while n > 0:', '        yield n', '        n -= 1', ''];
    expect(text).toBe([
      `${CWM.begin}${CWM.context}${lines.join('\n')}${CWM.frame}`,
      `${CWM.call}{"n": "2"}${CWM.action}def countdown(n):${CWM.frame}`,
      `${CWM.line}{"n": ".."}${CWM.action}    while n > 0:${CWM.frame}`,
      `${CWM.line}{"n": ".."}${CWM.action}        yield n${CWM.frame}`,
      `${CWM.return}${CWM.action}        yield n${CWM.arg}"2"${CWM.frame}`,
      `${CWM.call}{"n": "2"}${CWM.action}        yield n${CWM.frame}`,
      `${CWM.line}{"n": ".."}${CWM.action}        n -= 1${CWM.frame}`,
      `${CWM.line}{"n": "1"}${CWM.action}    while n > 0:${CWM.frame}`,
      `${CWM.exception}${CWM.action}    while n > 0:${CWM.arg}"ValueError('<|line_sep|> in a value')"${CWM.frame}`,
      `${CWM.return}${CWM.action}    while n > 0:${CWM.arg}"None"${CWM.frame}`,
      CWM.end,
    ].join(''));
  });

  it('steps into recorded calls where they were made, writes the caller\'s locals whole after them, and puts the callee\'s source first in the context', () => {
    const callee: TraceFunction = { type: 'function', key: 'm.py:double:10', file: 'm.py', qualname: 'double', firstlineno: 10, source: 'def double(x):\n    return 2 * x\n', source_line: 10 };
    const caller: TraceFunction = { type: 'function', key: 'm.py:f:20', file: 'm.py', qualname: 'f', firstlineno: 20, source: 'def f(a):\n    b = double(a)\n    return b\n', source_line: 20 };
    const outer = invocation([
      { event: 'call', line: 20, locals: { a: '3' } }, { event: 'line', line: 21, locals: {} }, { event: 'line', line: 22, locals: { b: '6' } }, { event: 'return', line: 22, locals: {}, value: '6' },
    ], { id: '7-1', function: caller.key, qualname: 'f', generator: false, args: { a: '3' }, return: '6' });
    const inner = invocation([{ event: 'call', line: 10, locals: { x: '3' } }, { event: 'line', line: 11, locals: {} }, { event: 'return', line: 11, locals: {}, value: '6' }],
      { id: '7-2', function: callee.key, qualname: 'double', generator: false, parent: '7-1', parent_event: 2, args: { x: '3' }, return: '6' });
    const trace = buildCwmTrace(outer, index([outer, inner], [caller, callee]));
    expect(trace.context).toBe('def double(x):\n    return 2 * x\n\ndef f(a):  # << START_OF_TRACE\n    b = double(a)\n    return b\n');
    expect(trace.frames).toEqual([
      { event: 'call', source: 'def f(a):', locals: { a: '3' } },
      { event: 'line', source: '    b = double(a)', locals: { a: '..' } },
      { event: 'call', source: 'def double(x):', locals: { x: '3' } },
      { event: 'line', source: '    return 2 * x', locals: { x: '..' } },
      { event: 'return', source: '    return 2 * x', value: '6' },
      { event: 'line', source: '    return b', locals: { a: '3', b: '6' } },
      { event: 'return', source: '    return b', value: '6' },
    ]);
    trace.frames.forEach((frame, i) => {
      if (frame.event === 'call' || frame.event === 'line') expect(resolveCwmLocals(trace.frames, i)).toEqual(trace.states[i]);
    });
    expect(buildCwmTrace({ ...outer, outcome: 'unfinished' }, index([outer])).complete).toBe(false);
  });
});

describe('parseCwmTrace()', () => {
  it('reads back frames whose values and source lines hold CWM\'s token strings', () => {
    const trace: ParsedCwmTrace = {
      context: 'def f():  # << START_OF_TRACE\n    s = "<|frame_sep|>"\n    return s\n',
      frames: [
        { event: 'call', source: 'def f():', locals: {} },
        { event: 'line', source: '    s = "<|frame_sep|>"', locals: {} },
        { event: 'line', source: '    return s', locals: { s: "'<|frame_sep|><|arg_sep|>\"'" } },
        { event: 'return', source: '    return s', value: "'<|frame_sep|><|arg_sep|>\"'" },
      ],
      complete: true,
    };
    expect(parseCwmTrace(formatCwmTrace(trace))).toEqual(trace);
    expect(parseCwmTrace(formatCwmTrace({ ...trace, complete: false }))).toEqual({ ...trace, complete: false });
    expect(() => parseCwmTrace('<|begin_of_text|>nothing')).toThrow(/expected <\|begin_of_text\|><\|trace_context_start\|>/);
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
