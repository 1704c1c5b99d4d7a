import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { VERSION } from '../../../core/version.js';
import { TaskError } from '../../../core/errors.js';
import type { DatasetTrajectory as Trajectory } from '../../../trajectory/dataset-reader.js';
import type { ChatOptions } from '../chat.js';
import { conversationOf } from '../jsonl.js';
import type { TrajectorySink } from '../sink.js';
import { HF_CHAT_COLUMNS, HF_STEP_COLUMNS, HF_TRAJECTORY_COLUMNS, type ChatRow } from './columns.js';
import type { Field } from './fields.js';
import { ShardedTable, type HfColumn } from './sharded-table.js';
import { InThreadEncoder, type ShardEncoder } from './encoder.js';
import type { StepRow } from '../parquet-columns.js';

export const HF_CONFIGS = ['trajectories', 'steps', 'chat'] as const;
export type HfConfig = (typeof HF_CONFIGS)[number];

/** What one config wrote for one split; the card is made from these. */
export interface HfTableOutput {
  config: HfConfig;
  split: string;
  files: string[];
  rows: number;
  bytes: number;
  fields: Field[];
}

export interface HfSink extends TrajectorySink {
  readonly tables: HfTableOutput[];
}

export interface HfOptions {
  chat: ChatOptions;
  /** Shard size in bytes of values; default 500 MB as `datasets`' push_to_hub. */
  shardBytes?: number;
}

/** `datasets` split names: words joined by dots. */
const SPLIT_NAME = /^\w+(\.\w+)*$/;

/**
 * One split of a Hugging Face dataset folder: `data/<config>/<split>-NNNNN-of-MMMMM.parquet`
 * for the configs `trajectories`, `steps` and `chat`. The split `all` (no --split) is `train`.
 */
export async function openHfSink(dir: string, split: string, options: HfOptions): Promise<HfSink> {
  const name = split === 'all' ? 'train' : split;
  if (!SPLIT_NAME.test(name)) throw new TaskError('EXPORT_BAD_SPLIT', `--split: a Hugging Face split name is words joined by dots (e.g. validation), found ${JSON.stringify(name)}`);
  const shardBytes = options.shardBytes ?? 500_000_000;
  const createdBy = `forager version ${VERSION}`;
  const encoder: ShardEncoder = new InThreadEncoder();
  const open = async <T>(config: HfConfig, columns: HfColumn<T>[], groupRows: number) => {
    const folder = join(dir, 'data', config);
    await mkdir(folder, { recursive: true });
    // Row groups of at most 2 MB of values: with 4 MB the export peaked near 300 MB at 100k trajectories, for no gain in time.
    return new ShardedTable<T>(folder, name, columns, { shardBytes, groupRows, groupBytes: 2 << 20 }, createdBy, encoder);
  };
  const trajectories = await open<Trajectory>('trajectories', HF_TRAJECTORY_COLUMNS, 500);
  const steps = await open<StepRow>('steps', HF_STEP_COLUMNS, 5_000);
  const chat = await open<ChatRow>('chat', HF_CHAT_COLUMNS, 500);
  const chatOptions = options.chat;
  const files: string[] = [];
  const tables: HfTableOutput[] = [];
  return {
    files,
    tables,
    async write(trajectory: Trajectory) {
      await trajectories.add(trajectory);
      const id = trajectory.header.trajectory_id;
      for (const step of trajectory.steps) {
        const writing = steps.add({ trajectory_id: id, step });
        if (writing) await writing;
      }
      await chat.add({
        openai: conversationOf(trajectory, { ...chatOptions, toolFormat: 'openai' }),
        cwm: conversationOf(trajectory, { ...chatOptions, toolFormat: 'cwm' }),
      });
    },
    async close() {
      const all: [HfConfig, ShardedTable<never>, HfColumn<never>[]][] = [
        ['trajectories', trajectories as ShardedTable<never>, HF_TRAJECTORY_COLUMNS as HfColumn<never>[]],
        ['steps', steps as ShardedTable<never>, HF_STEP_COLUMNS as HfColumn<never>[]],
        ['chat', chat as ShardedTable<never>, HF_CHAT_COLUMNS as HfColumn<never>[]],
      ];
      try {
        for (const [config, table, columns] of all) {
          const written = await table.close();
          files.push(...written);
          tables.push({ config, split: name, files: written, rows: table.rows, bytes: table.bytes, fields: columns.map((c) => c.field) });
        }
      } finally {
        await encoder.close();
      }
    },
  };
}
