import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { TaskError } from '../core/errors.js';
import type { Action } from '../trajectory/schema.js';
import { NearDuplicateIndex } from './dedup.js';
import { actionsText, describeAction } from './facts.js';
import { computeSignature } from './minhash.js';
import { emptySourceCounts, readTrajectories } from './source.js';

/** The MinHash index of an existing dataset, asked whether a new trajectory nearly copies one of its members. */
export interface ExistingSetIndex {
  sets: string[];
  /** Trajectories indexed. */
  size: number;
  threshold: number;
  match(text: string): { id: string; similarity: number } | undefined;
}

/** All repositories share one bucket: an existing set may name repositories differently from the new one. */
const ANY_REPO = '*';

/**
 * Index the action texts of an existing set: folders or files of trajectories (harvested
 * or imported), or the folder of an `hf` export (its `data/steps/` shards are read). A
 * trajectory without actions is not indexed and never matches: an empty text says nothing.
 */
export async function indexExistingSet(paths: readonly string[], threshold = 0.5): Promise<ExistingSetIndex> {
  const index = new NearDuplicateIndex({ threshold });
  let size = 0;
  const add = (id: string, text: string) => {
    if (text.trim() === '') return;
    index.insert(id, ANY_REPO, computeSignature(text));
    size += 1;
  };
  for (const path of paths) {
    const steps = await hfStepsFolder(path);
    if (steps) await indexHfSteps(steps, add);
    else for await (const trajectory of readTrajectories([path], { includePartial: true }, emptySourceCounts())) add(trajectory.header.trajectory_id, actionsText(trajectory));
  }
  return {
    sets: [...paths],
    get size() { return size; },
    threshold,
    match: (text) => (text.trim() === '' ? undefined : index.find(ANY_REPO, computeSignature(text))),
  };
}

/** `DIR/data/steps` when DIR is an hf export (a README.md card beside data/). */
async function hfStepsFolder(path: string): Promise<string | undefined> {
  const info = await stat(path).catch((cause: unknown) => {
    throw new TaskError('EXPORT_INPUT_MISSING', `--exclude-from ${path}: no such file or folder`, { cause });
  });
  if (!info.isDirectory()) return undefined;
  const steps = join(path, 'data', 'steps');
  const card = await stat(join(path, 'README.md')).catch(() => null);
  const folder = await stat(steps).catch(() => null);
  return card && folder?.isDirectory() ? steps : undefined;
}

/** Rebuild each trajectory's action text from the steps shards (trajectory_id, step_index, action_json), a row group at a time. */
async function indexHfSteps(folder: string, add: (id: string, text: string) => void): Promise<void> {
  const texts = new Map<string, { index: number; text: string }[]>();
  for (const name of (await readdir(folder)).filter((n) => n.endsWith('.parquet')).sort()) {
    const file = await asyncBufferFromFile(join(folder, name));
    const metadata = await parquetMetadataAsync(file);
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      const rows = await parquetReadObjects({ file, metadata, columns: ['trajectory_id', 'step_index', 'action_json', 'model_json'], rowStart, rowEnd });
      for (const row of rows) {
        const text = stepText(row['action_json'], row['model_json']);
        if (text === undefined) continue;
        const id = String(row['trajectory_id']);
        let list = texts.get(id);
        if (!list) texts.set(id, (list = []));
        list.push({ index: Number(row['step_index']), text });
      }
      rowStart = rowEnd;
    }
  }
  for (const [id, list] of texts) add(id, list.sort((a, b) => a.index - b.index).map((s) => s.text).join('\n'));
}

/** A step's contribution to the action text, as actionsText makes it from a trajectory. */
function stepText(actionJson: unknown, modelJson: unknown): string | undefined {
  if (typeof actionJson === 'string') return describeAction(JSON.parse(actionJson) as Action);
  if (typeof modelJson !== 'string') return undefined;
  const model = JSON.parse(modelJson) as { format_error?: string; tool_calls?: { name: string; arguments: string }[] };
  const call = model.format_error === undefined ? model.tool_calls?.[0] : undefined;
  return call ? `${call.name} ${call.arguments}` : undefined;
}
