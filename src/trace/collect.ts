import { runIn } from '../eval/index.js';
import type { ProvidedSandbox } from '../sandbox/index.js';
import { OUT } from './container.js';
import type { TraceFooter, TraceFunction, Invocation, TraceLimits } from './schema.js';
import { InvocationSchema, TraceFunctionSchema } from './schema.js';
import type { TraceWriter } from './trace-writer.js';

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

/** Read every process's file (smallest pid first) while the task's byte budget lasts, and write it out. */
export async function collectInto(sandbox: ProvidedSandbox, writer: TraceWriter, footer: TraceFooter, limits: TraceLimits, signal?: AbortSignal): Promise<void> {
  const listing = await runIn(sandbox, '/', `cd ${OUT} 2>/dev/null && for f in trace-*.jsonl; do [ -f "$f" ] && stat -c '%s %n' "$f"; done; true`, { timeoutMs: 60_000, signal });
  const files = listing.output.split('\n').map((l) => /^(\d+) trace-(\d+)\.jsonl$/.exec(l.trim())).filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ size: Number(m[1]), pid: Number(m[2]) })).sort((a, b) => a.pid - b.pid);
  const described = new Set<string>();
  let budget = limits.max_bytes;
  for (const file of files) {
    if (budget <= 0 || file.size > limits.max_bytes + 1024 * 1024) {
      footer.cuts.task_bytes = (footer.cuts.task_bytes ?? 0) + 1;
      footer.endings.not_collected = (footer.endings.not_collected ?? 0) + 1;
      continue;
    }
    const bytes = await sandbox.readFile(`${OUT}/trace-${file.pid}.jsonl`, { signal });
    if (!bytes) continue;
    let text = bytes.toString('utf8');
    if (bytes.length > budget) {
      // Over the task's budget: keep the whole lines that fit.
      text = bytes.subarray(0, budget).toString('utf8');
      text = text.slice(0, text.lastIndexOf('\n') + 1);
      footer.cuts.task_bytes = (footer.cuts.task_bytes ?? 0) + 1;
    }
    budget -= bytes.length;
    const trace = parseProcessTrace(file.pid, text);
    footer.processes += 1;
    footer.endings[trace.ending] = (footer.endings[trace.ending] ?? 0) + 1;
    addCounts(footer.cuts, trace.cuts);
    if (trace.invalid) footer.cuts.invalid_lines = (footer.cuts.invalid_lines ?? 0) + trace.invalid;
    for (const [key, [calls, recorded]] of Object.entries(trace.sampling)) {
      const before = footer.sampling[key] ?? [0, 0];
      footer.sampling[key] = [before[0] + calls, before[1] + recorded];
    }
    const functions = new Map(trace.functions.map((f) => [f.key, f]));
    for (const invocation of trace.invocations) {
      const fn = functions.get(invocation.function);
      if (!described.has(invocation.function) && fn) {
        described.add(invocation.function);
        await writer.line(fn);
      }
      await writer.line(invocation);
      footer.invocations += 1;
      footer.events += invocation.events.length;
    }
  }
  footer.functions = described.size;
  footer.bytes = writer.bytes;
}

