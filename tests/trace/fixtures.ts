import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_TRACE_LIMITS, type Invocation, type TraceFooter, type TraceFunction, type TraceHeader } from '../../src/trace/index.js';

/** A small hand-written trace: one function, two invocations (one steps through a loop). */
export const header: TraceHeader = {
  type: 'header', format: 'forager.trace', version: 1, forager_version: '0.0.0', trace_id: 'trace-1', run_id: 'r', started_at: '2026-11-30T00:00:00.000Z',
  task: { id: 'countdown-task', hash: 'h' }, image: { ref: 'img', id: 'sha256:0123456789abcdef0123' }, python: '3.11.2', root: '/work', command: 'pytest', limits: DEFAULT_TRACE_LIMITS,
};
export const fn: TraceFunction = {
  type: 'function', key: 'm.py:countdown:3', file: 'm.py', qualname: 'countdown', firstlineno: 3,
  source: 'def countdown(n):\n    total = 0\n    while n > 0:\n        total += n\n        n -= 1\n    return total\n', source_line: 3,
};
export const invocation: Invocation = {
  type: 'invocation', id: '9-1', function: fn.key, pid: 9, thread: 'MainThread', main_thread: true, file: 'm.py', qualname: 'countdown', firstlineno: 3,
  call_index: 0, test: 'tests/test_m.py::test_countdown', parent: null, generator: false, args: { n: '2' }, outcome: 'return', return: '3', cut: null,
  events: [
    { event: 'call', line: 3, locals: { n: '2' } },
    { event: 'line', line: 4, locals: {} },
    { event: 'line', line: 5, locals: { total: '0' } },
    { event: 'line', line: 6, locals: {} },
    { event: 'line', line: 7, locals: { total: '2' } },
    { event: 'line', line: 5, locals: { n: '1' } },
    { event: 'return', line: 8, locals: { total: '3', n: '0' }, value: '3' },
  ],
};
export const footer = { type: 'footer', exit_status: 'agent_finished', failure_kind: null, ended_at: '2026-11-30T00:00:01.000Z', duration_ms: 1, steps: 1,
  totals: { output_bytes: 0, action_ms: 0, agent_ms: 0 }, command: { exit_code: 0, timed_out: false, duration_ms: 1, log_tail: '' },
  processes: 1, functions: 1, invocations: 2, events: 8, bytes: 1, cuts: {}, sampling: {}, endings: { exit: 1 } } satisfies TraceFooter;
export const other: Invocation = { ...invocation, id: '9-2', call_index: 1, args: { n: '0' }, return: '0', test: 'tests/test_m.py::test_zero', events: [{ event: 'call', line: 3, locals: { n: '0' } }] };


/** Write the sample trace as DIR/trajectories/countdown-task/0.jsonl; its path. */
export async function writeSampleTrace(dir: string): Promise<string> {
  const path = join(dir, 'trajectories', 'countdown-task', '0.jsonl');
  await mkdir(join(dir, 'trajectories', 'countdown-task'), { recursive: true });
  await writeFile(path, [header, fn, invocation, other, footer].map((l) => JSON.stringify(l)).join('\n') + '\n');
  return path;
}
