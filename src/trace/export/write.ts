import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { TaskError } from '../../core/errors.js';
import type { Column } from '../../export/formats/parquet-columns.js';
import { ParquetTable } from '../../export/formats/parquet-table.js';
import { readTraceFile, type TraceFile } from '../read.js';
import type { Invocation, TraceFunction } from '../schema.js';
import { formatCwm } from './cwm.js';
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
}

export interface TraceExportResult {
  files: number;
  rows: number;
  duplicates: number;
  /** Rows left out because the replay check disagreed with the invocation (kept with `keepMismatched`). */
  replayMismatches: number;
}

export interface TraceExportOptions {
  format: TraceExportFormat;
  keepDuplicates?: boolean;
  /** Keep invocations the replay check disagreed with (a nondeterministic function, or a forged record). */
  keepMismatched?: boolean;
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
  col('cwm', 'STRING', false, (r) => formatCwm(fnOf(r), r.invocation)),
];

function fnOf(row: TraceRow): TraceFunction {
  return { type: 'function', key: row.function, file: row.file, qualname: row.qualname, firstlineno: row.invocation.firstlineno, source: row.source, source_line: row.source_line };
}

function selfContained(row: TraceRow): Record<string, unknown> {
  const { type: _type, id: _id, ...invocation } = row.invocation;
  return { id: row.id, task: row.task, variant: row.variant, image_id: row.image_id, python: row.python, source: row.source, source_line: row.source_line, ...invocation };
}

function rowsOf(file: TraceFile): TraceRow[] {
  return file.invocations.map((inv) => {
    const fn = file.functions.get(inv.function);
    return {
      id: `${file.header.trace_id}/${inv.id}`, task: file.header.task.id, variant: file.header.variant ?? null, image_id: file.header.image.id, python: file.header.python,
      function: inv.function, file: inv.file, qualname: inv.qualname, source: fn?.source ?? null, source_line: fn?.source_line ?? inv.firstlineno, test: inv.test, invocation: inv,
    };
  });
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
        if (!options.keepMismatched && row.invocation.replay?.status === 'mismatch') {
          result.replayMismatches += 1;
          continue;
        }
        if (!options.keepDuplicates && !dedup.isNew(file.functions.get(row.function), row.invocation)) continue;
        result.rows += 1;
        if (table) {
          await table.add(row);
          continue;
        }
        const value = options.format === 'cwm'
          ? { id: row.id, task: row.task, variant: row.variant, function: row.function, test: row.test, text: formatCwm(fnOf(row), row.invocation) }
          : selfContained(row);
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
