import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskError } from '../core/errors.js';
import { readLines } from '../lines/index.js';
import { TraceLineSchema, type Invocation, type TraceFooter, type TraceFunction, type TraceHeader } from './schema.js';

/** One trace file, validated: header, the functions it describes, its invocations and footer (absent while being written). */
export interface TraceFile {
  path: string;
  header: TraceHeader;
  functions: Map<string, TraceFunction>;
  invocations: Invocation[];
  footer: TraceFooter | undefined;
}

/** Read and validate a trace file, line by line (each line bounded: LineTooLongError); a bad line is an error naming the file, the line and the field. */
export async function readTraceFile(path: string): Promise<TraceFile> {
  const reader = new TraceReader(path);
  for await (const { text, number } of readLines(path)) reader.add(text, number);
  return reader.finish();
}

export function parseTraceText(text: string, path: string): TraceFile {
  const reader = new TraceReader(path);
  for (const [index, line] of text.split('\n').entries()) reader.add(line, index + 1);
  return reader.finish();
}

/** A trace file's lines, taken one at a time; only the last line may be torn (a file still being written). */
class TraceReader {
  private header: TraceHeader | undefined;
  private footer: TraceFooter | undefined;
  private readonly functions = new Map<string, TraceFunction>();
  private readonly invocations: Invocation[] = [];
  private torn: TaskError | undefined;

  constructor(private readonly path: string) {}

  add(line: string, number: number): void {
    if (!line.trim()) return;
    if (this.torn) throw this.torn;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      const error = new TaskError('TRACE_INVALID', `${this.path}:${number}: expected a JSON object, found unparseable text`);
      if (this.footer) throw error;
      this.torn = error;
      return;
    }
    const parsed = TraceLineSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new TaskError('TRACE_INVALID', `${this.path}:${number}: field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const entry = parsed.data;
    if (entry.type === 'header') this.header = entry;
    else if (entry.type === 'function') this.functions.set(entry.key, entry);
    else if (entry.type === 'invocation') this.invocations.push(entry);
    else this.footer = entry;
  }

  finish(): TraceFile {
    if (!this.header) throw new TaskError('TRACE_INVALID', `${this.path}: expected a trace file (first line a forager.trace header), found none`);
    return { path: this.path, header: this.header, functions: this.functions, invocations: this.invocations, footer: this.footer };
  }
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
