import { createHmac, timingSafeEqual } from 'node:crypto';
import { runIn } from '../eval/index.js';
import type { ProvidedSandbox } from '../sandbox/index.js';
import { OUT } from './container.js';
import type { ReplayVerdict, TraceFooter, TraceFunction, Invocation, TraceLimits } from './schema.js';
import { InvocationSchema, TraceFunctionSchema } from './schema.js';
import type { TraceWriter } from './trace-writer.js';

/** What one traced process wrote, after authentication and validation (its file is untrusted container output). */
export interface ProcessTrace {
  pid: number;
  python: string | null;
  functions: TraceFunction[];
  invocations: Invocation[];
  /** How tracing ended in the process: exit, wall_time, bytes… or `killed` when it wrote no last line. */
  ending: string;
  cuts: Record<string, number>;
  sampling: Record<string, [number, number]>;
  /** Authenticated lines that were not valid JSON or did not match the schema (tracer bugs). */
  invalid: number;
  /** Lines whose MAC did not verify: written by no tracer of this run for this process, or altered. */
  refused: number;
  /** Lines that verified. */
  authentic: number;
}

/** Hex digits of HMAC-SHA256 a tracer line starts with (forager_tracer.py's `_append`). */
const MAC_DIGITS = 32;

/** The MAC the tracer of process `pid` writes before its `n`th line: HMAC-SHA256(key, "pid\0n\0" + bytes). */
export function lineMac(key: Buffer, pid: number, n: number, body: Buffer): Buffer {
  return createHmac('sha256', key).update(`${pid}\0${n}\0`).update(body).digest().subarray(0, MAC_DIGITS / 2);
}

/**
 * The lines of one `trace-<pid>.jsonl` that the tracer of process `pid` wrote under `key`:
 * each line is `MAC JSON`, the MAC over the pid, the line's number among the process's
 * authentic lines and the JSON bytes. A line that does not verify is refused and counted,
 * and numbering goes on from the last authentic line, so lines slipped in between are
 * refused and the tracer's own lines after them still verify.
 */
export function authenticLines(pid: number, bytes: Buffer, key: Buffer): { lines: string[]; refused: number } {
  const lines: string[] = [];
  let refused = 0;
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const line = bytes.subarray(start, end);
    start = end + 1;
    if (line.length === 0) continue;
    const mac = line.subarray(0, MAC_DIGITS).toString('latin1');
    const body = line.subarray(MAC_DIGITS + 1);
    const given = /^[0-9a-f]{32}$/.test(mac) && line[MAC_DIGITS] === 0x20 ? Buffer.from(mac, 'hex') : undefined;
    if (given && timingSafeEqual(given, lineMac(key, pid, lines.length, body))) lines.push(body.toString('utf8'));
    else refused += 1;
  }
  return { lines, refused };
}

/** Parse one `trace-<pid>.jsonl` written by forager_tracer.py; nothing in it is trusted, and only lines that verify under `key` are read. */
export function parseProcessTrace(pid: number, bytes: Buffer, key: Buffer): ProcessTrace {
  const { lines, refused } = authenticLines(pid, bytes, key);
  const trace: ProcessTrace = { pid, python: null, functions: [], invocations: [], ending: 'killed', cuts: {}, sampling: {}, invalid: 0, refused, authentic: lines.length };
  for (const line of lines) {
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
      if (parsed.success && parsed.data.pid === pid) trace.invocations.push(parsed.data);
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

/** The processes' authentic records, in pid order, held until the replay check has judged them. */
export interface Collected {
  functions: Map<string, TraceFunction>;
  invocations: Invocation[];
}

/**
 * Read every process's file (smallest pid first) while the task's byte budget lasts, keep
 * the lines its tracer signed with the run's `key`, and count in the footer what was cut,
 * invalid or refused (a file none of whose lines verify is a refused file).
 */
export async function collectTraces(sandbox: ProvidedSandbox, footer: TraceFooter, limits: TraceLimits, key: Buffer, signal?: AbortSignal): Promise<Collected> {
  const listing = await runIn(sandbox, '/', `cd ${OUT} 2>/dev/null && for f in trace-*.jsonl; do [ -f "$f" ] && stat -c '%s %n' "$f"; done; true`, { timeoutMs: 60_000, signal });
  const files = listing.output.split('\n').map((l) => /^(\d+) trace-(\d+)\.jsonl$/.exec(l.trim())).filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ size: Number(m[1]), pid: Number(m[2]) })).filter((f) => Number.isSafeInteger(f.pid)).sort((a, b) => a.pid - b.pid);
  const collected: Collected = { functions: new Map(), invocations: [] };
  const refused = { files: 0, lines: 0 };
  let budget = limits.max_bytes;
  for (const file of files) {
    if (budget <= 0 || file.size > limits.max_bytes + 1024 * 1024) {
      footer.cuts.task_bytes = (footer.cuts.task_bytes ?? 0) + 1;
      footer.endings.not_collected = (footer.endings.not_collected ?? 0) + 1;
      continue;
    }
    let bytes = await sandbox.readFile(`${OUT}/trace-${file.pid}.jsonl`, { signal });
    if (!bytes) continue;
    const size = bytes.length;
    if (size > budget) {
      // Over the task's budget: keep the whole lines that fit.
      bytes = bytes.subarray(0, bytes.subarray(0, budget).lastIndexOf(0x0a) + 1);
      footer.cuts.task_bytes = (footer.cuts.task_bytes ?? 0) + 1;
    }
    budget -= size;
    const trace = parseProcessTrace(file.pid, bytes, key);
    refused.lines += trace.refused;
    if (trace.authentic === 0) {
      // No tracer of this run wrote this file: nothing of it counts, not even as a process.
      if (trace.refused > 0) refused.files += 1;
      continue;
    }
    footer.processes += 1;
    footer.endings[trace.ending] = (footer.endings[trace.ending] ?? 0) + 1;
    addCounts(footer.cuts, trace.cuts);
    if (trace.invalid) footer.cuts.invalid_lines = (footer.cuts.invalid_lines ?? 0) + trace.invalid;
    for (const [k, [calls, recorded]] of Object.entries(trace.sampling)) {
      const before = footer.sampling[k] ?? [0, 0];
      footer.sampling[k] = [before[0] + calls, before[1] + recorded];
    }
    const own = new Map(trace.functions.map((f) => [f.key, f]));
    for (const invocation of trace.invocations) {
      const fn = own.get(invocation.function);
      if (fn && !collected.functions.has(fn.key)) collected.functions.set(fn.key, fn);
      collected.invocations.push(invocation);
    }
  }
  if (refused.files || refused.lines) footer.refused = refused;
  return collected;
}

/** Write the collected functions (each once, before its first invocation) and invocations, each with its replay verdict. */
export async function writeCollected(writer: TraceWriter, collected: Collected, footer: TraceFooter, verdicts: Map<string, ReplayVerdict>): Promise<void> {
  const described = new Set<string>();
  for (const invocation of collected.invocations) {
    const fn = collected.functions.get(invocation.function);
    if (fn && !described.has(fn.key)) {
      described.add(fn.key);
      await writer.line(fn);
    }
    const verdict = verdicts.get(invocation.id);
    await writer.line(verdict ? { ...invocation, replay: verdict } : invocation);
    footer.invocations += 1;
    footer.events += invocation.events.length;
  }
  footer.functions = described.size;
  footer.bytes = writer.bytes;
}
