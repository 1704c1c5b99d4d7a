import { sourceLine } from '../read.js';
import type { Invocation, TraceEvent, TraceFunction } from '../schema.js';

/** CWM's four kinds of frame (demos/cwmdbg.py, CWMTraceEvent). */
export type CwmFrameEvent = 'call' | 'line' | 'return' | 'exception';

/** One frame of a CWM trace, before it is laid out as tokens. */
export interface CwmFrame {
  event: CwmFrameEvent;
  /** The executed source line, without its end of line. */
  source: string;
  /** call and line frames: the locals as CWM writes them, a repr each, `".."` where unchanged since this scope's last frame. */
  locals?: Record<string, string>;
  /** return and exception frames: the returned value's (or the exception's) repr. */
  value?: string;
}

/** A trace in CWM's terms: the source context, the frames, and whether the entry scope was left (`<|end_of_text|>`). */
export interface CwmTrace {
  context: string;
  frames: CwmFrame[];
  complete: boolean;
  /** Every local of the frame's scope as it stood at each frame (what a reader resolves `".."` to); not part of the text. */
  states: Record<string, string>[];
}

/** Unchanged locals are written as this (CWM's diff-based representation). */
export const UNCHANGED = '..';

/** Where CWM's builder marks the entry point of the trace (demos/cwmdbg.py, `_START_MARKER`). */
export const START_MARKER = '  # << START_OF_TRACE';

/** The functions of one trace file and, per recorded invocation, the recorded invocations it called, in call order. */
export interface TraceIndex {
  functions: ReadonlyMap<string, TraceFunction>;
  children: ReadonlyMap<string, Invocation[]>;
}

/**
 * Index a trace file's invocations by caller. Only calls whose position in the caller is
 * known (`parent_event`) are nested; generators are not (their resumptions happen at other
 * places of the caller than their first call), so a trace steps over them.
 */
export function indexTrace(functions: ReadonlyMap<string, TraceFunction>, invocations: readonly Invocation[]): TraceIndex {
  const children = new Map<string, Invocation[]>();
  for (const invocation of invocations) {
    if (invocation.parent === null || invocation.parent_event === null || invocation.parent_event === undefined || invocation.generator) continue;
    const list = children.get(invocation.parent) ?? [];
    list.push(invocation);
    children.set(invocation.parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.parent_event! - b.parent_event! || sequence(a.id) - sequence(b.id));
  return { functions, children };
}

/** The order in which a process's invocations began (`<pid>-<n>`). */
function sequence(id: string): number {
  return Number(id.slice(id.lastIndexOf('-') + 1));
}

const KIND: Record<TraceEvent['event'], CwmFrameEvent> = { call: 'call', resume: 'call', line: 'line', return: 'return', yield: 'return', exception: 'exception' };

interface Scope {
  names: string[];
  current: Map<string, string>;
  written: Map<string, string>;
}

/**
 * An invocation as a CWM trace, stepping into every recorded call it made (as the
 * debugger's `step` does): the call frame with its arguments, a frame per line with the
 * locals before the line runs, the called functions' frames where they were called, and
 * the return or exception frame. Locals are written whole at the start of a scope and
 * whenever a frame follows another scope's frames (CWM's reader stops looking back at a
 * call or return frame), else as a diff with `".."` for unchanged ones. The context holds
 * the called functions' sources, then the entry function's with its first line marked.
 */
export function buildCwmTrace(entry: Invocation, index: TraceIndex): CwmTrace {
  const trace: CwmTrace = { context: '', frames: [], complete: entry.outcome !== 'unfinished', states: [] };
  const callees: TraceFunction[] = [];
  let previous: Scope | undefined;

  const visit = (invocation: Invocation): void => {
    const fn = index.functions.get(invocation.function);
    if (fn && fn.key !== entry.function && !callees.includes(fn)) callees.push(fn);
    const scope: Scope = { names: [], current: new Map(), written: new Map() };
    const calls = index.children.get(invocation.id) ?? [];
    let next = 0;
    invocation.events.forEach((event, i) => {
      while (next < calls.length && calls[next]!.parent_event! <= i) visit(calls[next++]!);
      for (const [name, value] of Object.entries(event.locals)) {
        if (!scope.current.has(name)) scope.names.push(name);
        scope.current.set(name, value);
      }
      const kind = KIND[event.event];
      const frame: CwmFrame = { event: kind, source: sourceLine(fn, event.line) };
      if (kind === 'call' || kind === 'line') frame.locals = localsOf(scope, kind === 'call' || previous !== scope);
      else frame.value = event.value ?? '';
      trace.frames.push(frame);
      trace.states.push(Object.fromEntries(scope.names.map((name) => [name, scope.current.get(name)!])));
      previous = scope;
    });
    while (next < calls.length) visit(calls[next++]!);
  };
  visit(entry);
  const sources = callees.flatMap((fn) => (fn.source ? [withNewline(fn.source)] : []));
  const own = index.functions.get(entry.function);
  if (own?.source) sources.push(marked(own, entry.events[0]?.line ?? own.source_line));
  trace.context = sources.join('\n');
  return trace;
}

function localsOf(scope: Scope, whole: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of scope.names) {
    const value = scope.current.get(name)!;
    out[name] = !whole && scope.written.get(name) === value ? UNCHANGED : value;
    scope.written.set(name, value);
  }
  return out;
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** The function's source with the marker after line `line` (its first line when that is not in the source). */
function marked(fn: TraceFunction, line: number): string {
  const lines = withNewline(fn.source!).split('\n');
  const at = line - fn.source_line >= 0 && line - fn.source_line < lines.length - 1 ? line - fn.source_line : 0;
  lines[at] += START_MARKER;
  return lines.join('\n');
}
