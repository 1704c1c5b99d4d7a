import type { TraceFunction, Invocation } from './schema.js';
import { InvocationSchema, TraceFunctionSchema } from './schema.js';

/** What one traced process wrote, after validation (its file is untrusted container output). */
export interface ProcessTrace {
  pid: number;
  python: string | null;
  functions: TraceFunction[];
  invocations: Invocation[];
  /** How tracing ended in the process: exit, wall_time, bytes… or `killed` when it wrote no last line. */
  ending: string;
  cuts: Record<string, number>;
  sampling: Record<string, [number, number]>;
  /** Lines that were not valid JSON or did not match the schema (a torn last line, hostile output). */
  invalid: number;
}

/** Parse one `trace-<pid>.jsonl` written by forager_tracer.py; nothing in it is trusted. */
export function parseProcessTrace(pid: number, text: string): ProcessTrace {
  const trace: ProcessTrace = { pid, python: null, functions: [], invocations: [], ending: 'killed', cuts: {}, sampling: {}, invalid: 0 };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
    } catch {
      trace.invalid += 1;
      continue;
    }
    if (value === null || typeof value !== 'object') {
      trace.invalid += 1;
    } else if (value.type === 'process') {
      trace.python = typeof value.python === 'string' ? value.python.slice(0, 50) : null;
    } else if (value.type === 'function') {
      const parsed = TraceFunctionSchema.safeParse(value);
      if (parsed.success) trace.functions.push(parsed.data);
      else trace.invalid += 1;
    } else if (value.type === 'invocation') {
      const parsed = InvocationSchema.safeParse(value);
      if (parsed.success) trace.invocations.push(parsed.data);
      else trace.invalid += 1;
    } else if (value.type === 'end') {
      trace.ending = typeof value.reason === 'string' ? value.reason.slice(0, 50) : 'unknown';
      trace.cuts = numbers(value.cuts);
      trace.sampling = pairs(value.functions);
    } else {
      trace.invalid += 1;
    }
  }
  return trace;
}

function numbers(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (Number.isInteger(v) && (v as number) >= 0) out[k.slice(0, 100)] = v as number;
  return out;
}

function pairs(value: unknown): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (Array.isArray(v) && v.length === 2 && v.every((n) => Number.isInteger(n))) out[k] = [v[0] as number, v[1] as number];
    }
  }
  return out;
}

/** Add `b`'s counts into `a`. */
export function addCounts(a: Record<string, number>, b: Record<string, number>): void {
  for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
}
