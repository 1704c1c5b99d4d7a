import type { Trajectory } from '../trajectory/reader.js';
import { actionsText, repoOf } from './facts.js';
import { NearDuplicateIndex } from './dedup.js';
import { rejectReason, type FilterSpec } from './filters.js';
import type { ToolFormat } from './formats/chat.js';
import type { TrajectorySink } from './formats/sink.js';
import { openSink, outputPath, type ExportFormat } from './outputs.js';
import { emptySourceCounts, readTrajectories, type SourceCounts } from './source.js';
import { assignSplit, type SplitSpec } from './split.js';

export interface ExportOptions {
  format: ExportFormat;
  /** A file for jsonl/chat, a folder for parquet (see outputPath). */
  out: string;
  toolFormat?: ToolFormat;
  /** Share of observations masked out of the loss in chat exports; default 0.5. */
  maskObservations?: number;
  seed?: number;
  includePartial?: boolean;
  /** Also read try and staging files of batch folders (forensics); default one trajectory per attempt. */
  includeTries?: boolean;
  filters?: FilterSpec;
  /** Near-duplicate removal within each repository; off when undefined. */
  dedup?: { threshold: number };
  split?: SplitSpec;
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
  dedup: { threshold: number; dropped: DroppedDuplicate[] } | null;
  outputs: { split: string; files: string[]; trajectories: number; steps: number; repos: number }[];
  exported: number;
}

/** Stream the trajectories under `inputs` through filters, dedup and split into the chosen format. */
export async function exportTrajectories(inputs: readonly string[], options: ExportOptions): Promise<ExportReport> {
  const splits = options.split ? ['train', options.split.name] : ['all'];
  const chat = { toolFormat: options.toolFormat ?? 'openai', maskObservations: options.maskObservations ?? 0.5, seed: options.seed ?? 0 } as const;
  const sinks = new Map<string, { sink: TrajectorySink; trajectories: number; steps: number; repos: Set<string> }>();
  for (const split of splits) {
    sinks.set(split, { sink: await openSink(options.format, outputPath(options.format, options.out, split), chat), trajectories: 0, steps: 0, repos: new Set() });
  }
  const read = emptySourceCounts();
  const filtered: Record<string, number> = {};
  const index = options.dedup ? new NearDuplicateIndex({ threshold: options.dedup.threshold }) : undefined;
  const dropped: DroppedDuplicate[] = [];
  try {
    for await (const trajectory of readTrajectories(inputs, { includePartial: options.includePartial, includeTries: options.includeTries }, read)) {
      const reason = rejectReason(trajectory, options.filters ?? {});
      if (reason) {
        filtered[reason] = (filtered[reason] ?? 0) + 1;
        continue;
      }
      const repo = repoOf(trajectory);
      if (index) {
        const verdict = index.offer(trajectory.header.trajectory_id, repo, actionsText(trajectory));
        if (!verdict.kept) {
          dropped.push(describeDrop(trajectory, repo, verdict.duplicateOf, verdict.similarity));
          continue;
        }
      }
      const output = sinks.get(assignSplit(repo, options.split)) as NonNullable<ReturnType<typeof sinks.get>>;
      await output.sink.write(trajectory);
      output.trajectories += 1;
      output.steps += trajectory.steps.length;
      output.repos.add(repo);
    }
  } finally {
    for (const { sink } of sinks.values()) await sink.close();
  }
  const outputs = [...sinks].map(([split, o]) => ({ split, files: [...o.sink.files], trajectories: o.trajectories, steps: o.steps, repos: o.repos.size }));
  return {
    format: options.format,
    read,
    filtered,
    dedup: options.dedup ? { threshold: options.dedup.threshold, dropped } : null,
    outputs,
    exported: outputs.reduce((sum, o) => sum + o.trajectories, 0),
  };
}

function describeDrop(trajectory: Trajectory, repo: string, duplicateOf: string, similarity: number): DroppedDuplicate {
  return { trajectory_id: trajectory.header.trajectory_id, instance_id: trajectory.header.task.id, repo, path: trajectory.path, duplicate_of: duplicateOf, similarity };
}
