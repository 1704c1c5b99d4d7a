import type { DatasetTrajectory as Trajectory } from '../trajectory/dataset-reader.js';
import { importSourceOf } from '../trajectory/dataset-reader.js';
import { actionsText, repoOf } from './facts.js';
import { NearDuplicateIndex } from './dedup.js';
import { describeFilters, rejectReason, type FilterSpec } from './filters.js';
import type { ToolFormat } from './formats/chat.js';
import { modelOf } from './formats/record.js';
import type { TrajectorySink } from './formats/sink.js';
import { getExportFormat, type ExportFormat } from './formats/registry.js';
import { emptySourceCounts, readTrajectories, type SourceCounts } from './source.js';
import { assignSplit, type SplitSpec } from './split.js';
import type { ExistingSetIndex } from './exclude-from.js';

export interface ExportOptions {
  format: ExportFormat;
  /** A file for jsonl/chat, a folder for parquet and hf (see outputPath). */
  out: string;
  toolFormat?: ToolFormat;
  /** chat: also render each conversation in CWM's chat template (`text`); cwm tool format only. */
  chatTemplate?: 'cwm';
  /** Share of observations masked out of the loss in chat exports; default 0.5. */
  maskObservations?: number;
  seed?: number;
  includePartial?: boolean;
  /** Also read try and staging files of batch folders (forensics); default one trajectory per attempt. */
  includeTries?: boolean;
  filters?: FilterSpec;
  /** Near-duplicate removal within each repository; off when undefined. */
  dedup?: { threshold: number };
  /** Drop near-duplicates of an existing set (see indexExistingSet). */
  excludeFrom?: ExistingSetIndex;
  split?: SplitSpec;
  /** hf: shard size in bytes (default 500 MB). */
  shardBytes?: number;
  /** hf: the card's `license` and `language` fields. */
  license?: string;
  languages?: string[];
  /** Called after each trajectory read (kept or not), for progress displays. */
  onProgress?: (progress: ExportProgress) => void;
}

export interface ExportProgress {
  /** Trajectories read so far, and the last one's file. */
  read: number;
  exported: number;
  path: string;
}

export interface DroppedDuplicate {
  trajectory_id: string;
  instance_id: string;
  repo: string;
  path: string;
  duplicate_of: string;
  similarity: number;
}

export interface ExportReport {
  format: ExportFormat;
  read: SourceCounts;
  /** Trajectories left out by a filter, by reason. */
  filtered: Record<string, number>;
  /** The filters applied, one line each. */
  filters: string[];
  dedup: { threshold: number; dropped: DroppedDuplicate[] } | null;
  /** Near-duplicates of an existing set (`--exclude-from`) that were dropped. */
  excluded_near_duplicates: { sets: string[]; indexed: number; threshold: number; dropped: DroppedDuplicate[] } | null;
  /** Exported trajectories per task source and per model. */
  sources: Record<string, number>;
  models: Record<string, number>;
  outputs: { split: string; files: string[]; trajectories: number; steps: number; repos: number }[];
  /** hf: the dataset card. */
  card?: string;
  exported: number;
}

/** Stream the trajectories under `inputs` through filters, dedup and split into the chosen format. */
export async function exportTrajectories(inputs: readonly string[], options: ExportOptions): Promise<ExportReport> {
  const splits = options.split ? ['train', options.split.name] : ['all'];
  const chat = { toolFormat: options.toolFormat ?? 'openai', maskObservations: options.maskObservations ?? 0.5, seed: options.seed ?? 0, ...(options.chatTemplate ? { template: options.chatTemplate } : {}) } as const;
  const writer = getExportFormat(options.format).start(options.out, { chat, shardBytes: options.shardBytes });
  const sinks = new Map<string, { sink: TrajectorySink; trajectories: number; steps: number; repos: Set<string> }>();
  for (const split of splits) sinks.set(split, { sink: await writer.open(split), trajectories: 0, steps: 0, repos: new Set() });
  const read = emptySourceCounts();
  const filtered: Record<string, number> = {};
  const index = options.dedup ? new NearDuplicateIndex({ threshold: options.dedup.threshold }) : undefined;
  const dropped: DroppedDuplicate[] = [];
  const excluded: DroppedDuplicate[] = [];
  const sources: Record<string, number> = {};
  const models: Record<string, number> = {};
  let seen = 0;
  let exported = 0;
  try {
    for await (const trajectory of readTrajectories(inputs, { includePartial: options.includePartial, includeTries: options.includeTries }, read)) {
      seen += 1;
      const kept = await offer(trajectory);
      if (kept) exported += 1;
      options.onProgress?.({ read: seen, exported, path: trajectory.path });
    }
  } finally {
    for (const { sink } of sinks.values()) await sink.close();
  }

  async function offer(trajectory: Trajectory): Promise<boolean> {
    const reason = rejectReason(trajectory, options.filters ?? {});
    if (reason) {
      filtered[reason] = (filtered[reason] ?? 0) + 1;
      return false;
    }
    const repo = repoOf(trajectory);
    if (options.excludeFrom || index) {
      // The near-duplicate checks compare the actions as text.
      const text = actionsText(trajectory);
      const match = options.excludeFrom?.match(text);
      if (match) {
        excluded.push(describeDrop(trajectory, repo, match.id, match.similarity));
        return false;
      }
      const verdict = index?.offer(trajectory.header.trajectory_id, repo, text);
      if (verdict && !verdict.kept) {
        dropped.push(describeDrop(trajectory, repo, verdict.duplicateOf, verdict.similarity));
        return false;
      }
    }
    const output = sinks.get(assignSplit(repo, options.split)) as NonNullable<ReturnType<typeof sinks.get>>;
    await output.sink.write(trajectory);
    output.trajectories += 1;
    output.steps += trajectory.steps.length;
    output.repos.add(repo);
    const source = trajectory.header.task.source ?? importSourceOf(trajectory)?.format ?? 'forager';
    sources[source] = (sources[source] ?? 0) + 1;
    const model = modelOf(trajectory.header.agent) ?? 'unknown';
    models[model] = (models[model] ?? 0) + 1;
    return true;
  }

  const outputs = [...sinks].map(([split, o]) => ({ split: writer.splitName(split), files: [...o.sink.files], trajectories: o.trajectories, steps: o.steps, repos: o.repos.size }));
  const report: ExportReport = {
    format: options.format,
    read,
    filtered,
    filters: describeFilters(options.filters ?? {}),
    dedup: options.dedup ? { threshold: options.dedup.threshold, dropped } : null,
    excluded_near_duplicates: options.excludeFrom ? { sets: options.excludeFrom.sets, indexed: options.excludeFrom.size, threshold: options.excludeFrom.threshold, dropped: excluded } : null,
    sources,
    models,
    outputs,
    exported: outputs.reduce((sum, o) => sum + o.trajectories, 0),
  };
  const { card } = await writer.finish({
    sources, models, filters: report.filters,
    dedup: options.dedup ? { threshold: options.dedup.threshold, dropped: dropped.length } : null,
    excludedNearDuplicates: options.excludeFrom ? { sets: options.excludeFrom.sets, threshold: options.excludeFrom.threshold, dropped: excluded.length } : null,
    split: options.split ?? null,
    license: options.license ?? 'other',
    languages: options.languages ?? ['en'],
  });
  if (card !== undefined) report.card = card;
  return report;
}

function describeDrop(trajectory: Trajectory, repo: string, duplicateOf: string, similarity: number): DroppedDuplicate {
  return { trajectory_id: trajectory.header.trajectory_id, instance_id: trajectory.header.task.id, repo, path: trajectory.path, duplicate_of: duplicateOf, similarity };
}
