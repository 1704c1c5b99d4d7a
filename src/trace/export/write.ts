import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { TaskError } from '../../core/errors.js';
import type { Column } from '../../export/formats/parquet-columns.js';
import { ParquetTable } from '../../export/formats/parquet-table.js';
import { readTraceFile, type TraceFile } from '../read.js';
import type { Invocation } from '../schema.js';
import { cwmTraceTokens, formatCwmTrace } from './cwm.js';
import { buildCwmTrace, indexTrace, type CwmTrace, type TraceIndex } from './cwm-frames.js';
import { Deduplicator } from './dedup.js';

export const TRACE_EXPORT_FORMATS = ['cwm', 'jsonl', 'parquet'] as const;
export type TraceExportFormat = (typeof TRACE_EXPORT_FORMATS)[number];

/** One exported row: an invocation with what it needs to stand alone. */
export interface TraceRow {
  id: string;
  task: string;
  variant: string | null;
  image_id: string;
  python: string | null;
  function: string;
  file: string;
  qualname: string;
  source: string | null;
  source_line: number;
  test: string | null;
  invocation: Invocation;
  /** The trace file's functions and calls, for the CWM layout (which steps into recorded calls). */
  index: TraceIndex;
}

export interface TraceExportResult {
  files: number;
  rows: number;
  duplicates: number;
  /** Rows left out because the replay check disagreed with an invocation in them (kept with `keepMismatched`). */
  replayMismatches: number;
}

export interface TraceExportOptions {
  format: TraceExportFormat;
  keepDuplicates?: boolean;
  /** Keep invocations the replay check disagreed with (a nondeterministic function, or a forged record). */
  keepMismatched?: boolean;
  /** cwm: add each row's token ids (CWM's special tokens, Llama 3's BPE for text). */
  tokens?: boolean;
}

const col = (name: string, type: Column<TraceRow>['type'], nullable: boolean, get: Column<TraceRow>['get']): Column<TraceRow> => ({ name, type, nullable, get });

export const TRACE_COLUMNS: Column<TraceRow>[] = [
  col('id', 'STRING', false, (r) => r.id),
  col('task', 'STRING', false, (r) => r.task),
  col('variant', 'STRING', true, (r) => r.variant),
  col('image_id', 'STRING', false, (r) => r.image_id),
  col('python', 'STRING', true, (r) => r.python),
  col('function', 'STRING', false, (r) => r.function),
  col('file', 'STRING', false, (r) => r.file),
  col('qualname', 'STRING', false, (r) => r.qualname),
  col('source', 'STRING', true, (r) => r.source),
  col('source_line', 'INT32', false, (r) => r.source_line),
  col('test', 'STRING', true, (r) => r.test),
  col('args_json', 'STRING', false, (r) => JSON.stringify(r.invocation.args)),
  col('outcome', 'STRING', false, (r) => r.invocation.outcome),
  col('return', 'STRING', true, (r) => r.invocation.return ?? null),
  col('exception', 'STRING', true, (r) => r.invocation.exception ?? null),
  col('cut_reason', 'STRING', true, (r) => r.invocation.cut?.reason ?? null),
  col('n_events', 'INT32', false, (r) => r.invocation.events.length),
  col('events_json', 'STRING', false, (r) => JSON.stringify(r.invocation.events)),
  col('replay', 'STRING', true, (r) => r.invocation.replay?.status ?? null),
  col('cwm', 'STRING', false, (r) => formatCwmTrace(buildCwmTrace(r.invocation, r.index))),
];

function selfContained(row: TraceRow): Record<string, unknown> {
  const { type: _type, id: _id, ...invocation } = row.invocation;
  return { id: row.id, task: row.task, variant: row.variant, image_id: row.image_id, python: row.python, source: row.source, source_line: row.source_line, ...invocation };
}

function rowsOf(file: TraceFile): TraceRow[] {
  const index = indexTrace(file.functions, file.invocations);
  return file.invocations.map((inv) => {
    const fn = file.functions.get(inv.function);
    return {
      id: `${file.header.trace_id}/${inv.id}`, task: file.header.task.id, variant: file.header.variant ?? null, image_id: file.header.image.id, python: file.header.python,
      function: inv.function, file: inv.file, qualname: inv.qualname, source: fn?.source ?? null, source_line: fn?.source_line ?? inv.firstlineno, test: inv.test, invocation: inv, index,
    };
  });
}

/** Whether the replay check disagreed with the invocation, or with any call a CWM trace of it steps into. */
function mismatched(invocation: Invocation, index: TraceIndex, nested: boolean): boolean {
  if (invocation.replay?.status === 'mismatch') return true;
  return nested && (index.children.get(invocation.id) ?? []).some((child) => mismatched(child, index, true));
}

/** A `--format cwm` row: the invocation's CWM trace as text (and as token ids with `tokens`). */
function cwmRow(row: TraceRow, trace: CwmTrace, tokens: boolean): Record<string, unknown> {
  return {
    id: row.id, task: row.task, variant: row.variant, function: row.function, test: row.test, replay: row.invocation.replay?.status ?? null,
    complete: trace.complete, frames: trace.frames.length, text: formatCwmTrace(trace), ...(tokens ? { tokens: cwmTraceTokens(trace) } : {}),
  };
}

/**
 * Export trace files to one output: `cwm` (JSONL rows with CWM's trace text), `jsonl`
 * (self-contained invocations) or `parquet`; near-duplicates (same function source, same
 * argument reprs) are dropped unless `keepDuplicates`, and so are invocations the replay
 * check disagreed with unless `keepMismatched`. Files are read one at a time.
 */
export async function exportTraces(paths: string[], out: string, options: TraceExportOptions): Promise<TraceExportResult> {
  if (!TRACE_EXPORT_FORMATS.includes(options.format)) throw new TaskError('TRACE_EXPORT_FORMAT', `--format: expected one of ${TRACE_EXPORT_FORMATS.join(', ')}, got "${options.format}"`);
  await mkdir(dirname(out), { recursive: true });
  const dedup = new Deduplicator();
  const result: TraceExportResult = { files: 0, rows: 0, duplicates: 0, replayMismatches: 0 };
  const table = options.format === 'parquet' ? new ParquetTable<TraceRow>(out, TRACE_COLUMNS) : undefined;
  const stream = table ? undefined : createWriteStream(out);
  try {
    for (const path of paths) {
      const file = await readTraceFile(path);
      result.files += 1;
      for (const row of rowsOf(file)) {
        if (!options.keepMismatched && mismatched(row.invocation, row.index, options.format !== 'jsonl')) {
          result.replayMismatches += 1;
          continue;
        }
        if (!options.keepDuplicates && !dedup.isNew(file.functions.get(row.function), row.invocation)) continue;
        result.rows += 1;
        if (table) {
          await table.add(row);
          continue;
        }
        const value = options.format === 'cwm' ? cwmRow(row, buildCwmTrace(row.invocation, row.index), options.tokens === true) : selfContained(row);
        if (!stream!.write(`${JSON.stringify(value)}\n`)) await once(stream!, 'drain');
      }
    }
  } finally {
    if (table) await table.close();
    if (stream) {
      stream.end();
      await once(stream, 'finish');
    }
  }
  result.duplicates = dedup.dropped;
  return result;
}
