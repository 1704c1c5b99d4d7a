import { basename, dirname, extname, join } from 'node:path';
import { openChatSink, openJsonlSink } from './formats/jsonl.js';
import { openParquetSink } from './formats/parquet.js';
import { openHfSink } from './formats/hf/index.js';
import { openAtifSink } from './formats/atif/index.js';
import type { ChatOptions } from './formats/chat.js';
import type { TrajectorySink } from './formats/sink.js';

export type ExportFormat = 'jsonl' | 'chat' | 'parquet' | 'hf' | 'atif';

/**
 * Where one split goes. JSONL and chat: `--out data.jsonl` is the file, and a split named
 * S goes to `data.S.jsonl`. Parquet: `--out` is a folder holding `trajectories.parquet`
 * and `steps.parquet`, and a split S goes to the subfolder `S/`. hf: `--out` is the
 * dataset folder for every split (the split is in the shard names). atif: `--out` is a
 * folder of `<trajectory_id>.json` documents, a split S in the subfolder `S/`.
 */
export function outputPath(format: ExportFormat, out: string, split: string): string {
  if (split === 'all' || format === 'hf') return out;
  if (format === 'parquet' || format === 'atif') return join(out, split);
  const ext = extname(out) || '.jsonl';
  return join(dirname(out), `${basename(out, extname(out))}.${split}${ext}`);
}

export interface SinkOptions {
  chat: ChatOptions;
  /** hf: shard size in bytes. */
  shardBytes?: number;
}

export async function openSink(format: ExportFormat, path: string, split: string, options: SinkOptions): Promise<TrajectorySink> {
  if (format === 'hf') return openHfSink(path, split, { chat: options.chat, shardBytes: options.shardBytes });
  if (format === 'parquet') return openParquetSink(path);
  if (format === 'atif') return openAtifSink(path);
  if (format === 'chat') return openChatSink(path, options.chat);
  return openJsonlSink(path);
}
