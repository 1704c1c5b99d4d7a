import { basename, dirname, extname, join } from 'node:path';
import { openChatSink, openJsonlSink } from './formats/jsonl.js';
import { openParquetSink } from './formats/parquet.js';
import type { ChatOptions } from './formats/chat.js';
import type { TrajectorySink } from './formats/sink.js';

export type ExportFormat = 'jsonl' | 'chat' | 'parquet';

/**
 * Where one split goes. JSONL and chat: `--out data.jsonl` is the file, and a split named
 * S goes to `data.S.jsonl`. Parquet: `--out` is a folder holding `trajectories.parquet`
 * and `steps.parquet`, and a split S goes to the subfolder `S/`.
 */
export function outputPath(format: ExportFormat, out: string, split: string): string {
  if (split === 'all') return out;
  if (format === 'parquet') return join(out, split);
  const ext = extname(out) || '.jsonl';
  return join(dirname(out), `${basename(out, extname(out))}.${split}${ext}`);
}

export async function openSink(format: ExportFormat, path: string, chat: ChatOptions): Promise<TrajectorySink> {
  if (format === 'parquet') return openParquetSink(path);
  if (format === 'chat') return openChatSink(path, chat);
  return openJsonlSink(path);
}
