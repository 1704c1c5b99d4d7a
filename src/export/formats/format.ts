import type { ChatOptions } from './chat.js';
import type { TrajectorySink } from './sink.js';

/** What every format is handed to open its outputs. */
export interface FormatOptions {
  chat: ChatOptions;
  /** hf: shard size in bytes. */
  shardBytes?: number;
}

/** One export into a format: its outputs per split, and what is written once every split is done. */
export interface FormatWriter {
  /** The sink of one split (`all` when the export is not split). */
  open(split: string): Promise<TrajectorySink>;
  /** The split's name in the report (hf names the unsplit export `train`). */
  splitName(split: string): string;
  /** After every sink closed: what spans them (hf: the dataset card), as fields of the report. */
  finish(facts: CardFacts): Promise<{ card?: string }>;
}

/** An export format: its folder's description of itself, and one line in registry.ts. */
export interface ExportFormatDefinition {
  /** For `--format`'s help. */
  description: string;
  /** Where the export's report goes when `--report` is not given. */
  reportPath(out: string): string;
  /** Start an export to `out` (a file or a folder, as the format wants). */
  start(out: string, options: FormatOptions): FormatWriter;
}

/** A writer whose splits each open a sink and that writes nothing at the end. */
export function plainWriter(open: (split: string) => Promise<TrajectorySink>): FormatWriter {
  return { open, splitName: (split) => split, finish: async () => ({}) };
}

/** What the card says beyond the tables: provenance, filters and dedup, licence, languages. */
export interface CardFacts {
  /** Trajectories per task source (a task file's `source`, an importer's format, else `forager`). */
  sources: Record<string, number>;
  /** Trajectories per model (`unknown` when the agent recorded none, e.g. scripted). */
  models: Record<string, number>;
  /** The filters applied, one human-readable line each. */
  filters: string[];
  dedup: { threshold: number; dropped: number } | null;
  excludedNearDuplicates: { sets: string[]; threshold: number; dropped: number } | null;
  split: { name: string; fraction: number; seed: number } | null;
  license: string;
  languages: string[];
  prettyName?: string;
}
