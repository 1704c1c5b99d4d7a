import { sourceLine, type TraceFile } from './read.js';
import type { Invocation } from './schema.js';

/** Where the buggy and the fixed run of one test first differ. */
export interface Divergence {
  test: string;
  /** Index among the test's recorded invocations, in call order. */
  invocation: number;
  function: string | null;
  /** First differing event of that invocation (null when the invocations themselves differ: another function, or one run has none). */
  event: number | null;
  buggy: unknown;
  fixed: unknown;
}

/** Invocations of each test in call order (the tracer numbers invocations as they start). */
function byTest(file: TraceFile): Map<string, Invocation[]> {
  const map = new Map<string, Invocation[]>();
  for (const inv of file.invocations) {
    const key = inv.test ?? '';
    map.set(key, [...(map.get(key) ?? []), inv]);
  }
  const order = (inv: Invocation) => inv.id.split('-').map(Number);
  for (const list of map.values()) list.sort((a, b) => order(a)[0]! - order(b)[0]! || order(a)[1]! - order(b)[1]!);
  return map;
}

/** Per test, the first point where the two executions diverge (none when they are the same), pure. */
export function firstDivergences(buggy: TraceFile, fixed: TraceFile, tests: string[]): Divergence[] {
  const a = byTest(buggy);
  const b = byTest(fixed);
  const out: Divergence[] = [];
  for (const test of tests) {
    const left = a.get(test) ?? [];
    const right = b.get(test) ?? [];
    for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
      const x = left[i];
      const y = right[i];
      const name = (inv: Invocation | undefined) => (inv ? `${inv.file}:${inv.qualname}` : null);
      if (!x || !y || name(x) !== name(y)) {
        out.push({ test, invocation: i, function: name(x) ?? name(y), event: null, buggy: name(x), fixed: name(y) });
        break;
      }
      // Compared by position in the function (line - first line), state and values: a line the
      // fix rewrote in place is not a divergence by itself, what execution does after it is.
      const key = (inv: Invocation) => inv.events.map((e) => JSON.stringify([e.event, e.line - inv.firstlineno, e.locals, e.value ?? null]));
      const kx = key(x);
      const ky = key(y);
      const at = kx.findIndex((k, n) => k !== ky[n]);
      const differ = at >= 0 ? at : kx.length !== ky.length ? Math.min(kx.length, ky.length) : -1;
      const show = (file: TraceFile, inv: Invocation, n: number) => {
        const e = inv.events[n];
        return e ? { ...e, source: sourceLine(file.functions.get(inv.function), e.line) } : null;
      };
      if (differ >= 0) {
        out.push({ test, invocation: i, function: name(x), event: differ, buggy: show(buggy, x, differ), fixed: show(fixed, y, differ) });
        break;
      }
    }
  }
  return out;
}
