import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskError } from '../core/errors.js';
import { TraceLineSchema, type Invocation, type TraceFooter, type TraceFunction, type TraceHeader } from './schema.js';

/** One trace file, validated: header, the functions it describes, its invocations and footer (absent while being written). */
export interface TraceFile {
  path: string;
  header: TraceHeader;
  functions: Map<string, TraceFunction>;
  invocations: Invocation[];
  footer: TraceFooter | undefined;
}

/** Read and validate a trace file; a bad line is an error naming the file, the line and the field. */
export async function readTraceFile(path: string): Promise<TraceFile> {
  return parseTraceText(await readFile(path, 'utf8'), path);
}

export function parseTraceText(text: string, path: string): TraceFile {
  let header: TraceHeader | undefined;
  let footer: TraceFooter | undefined;
  const functions = new Map<string, TraceFunction>();
  const invocations: Invocation[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // A torn last line of a file still being written is not an error.
      if (index >= lines.length - 2 && !footer) break;
      throw new TaskError('TRACE_INVALID', `${path}:${index + 1}: expected a JSON object, found unparseable text`);
    }
    const parsed = TraceLineSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new TaskError('TRACE_INVALID', `${path}:${index + 1}: field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const entry = parsed.data;
    if (entry.type === 'header') header = entry;
    else if (entry.type === 'function') functions.set(entry.key, entry);
    else if (entry.type === 'invocation') invocations.push(entry);
    else footer = entry;
  }
  if (!header) throw new TaskError('TRACE_INVALID', `${path}: expected a trace file (first line a forager.trace header), found none`);
  return { path, header, functions, invocations, footer };
}

/** Whether a file starts like a trace (its header's format), read from the first bytes only. */
export async function isTraceFile(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'r');
    const buffer = Buffer.alloc(64);
    await handle.read(buffer, 0, 64, 0).finally(() => handle.close());
    const head = buffer.toString('utf8');
    return head.startsWith('{"type":"header","format":"forager.trace"');
  } catch {
    return false;
  }
}

/** Trace files under the given files or folders (recursively), sorted. */
export async function findTraceFiles(paths: string[]): Promise<string[]> {
  const found: string[] = [];
  async function visit(path: string, top: boolean): Promise<void> {
    const info = await stat(path).catch(() => undefined);
    if (!info && top) throw new TaskError('TRACE_MISSING', `${path}: expected a trace file or a folder of them, found nothing`);
    if (!info) return; // a dangling link or a file gone meanwhile
    if (info.isDirectory()) {
      for (const name of (await readdir(path)).sort()) await visit(join(path, name), false);
    } else if (path.endsWith('.jsonl') && !/\.try-\d+\.jsonl$/.test(path) && (await isTraceFile(path))) {
      found.push(path);
    }
  }
  for (const path of paths) await visit(path, true);
  return found.sort();
}

/** The text of line `line` of a function's source, or '' when it is not there. */
export function sourceLine(fn: TraceFunction | undefined, line: number): string {
  if (!fn?.source) return '';
  return fn.source.split('\n')[line - fn.source_line] ?? '';
}
