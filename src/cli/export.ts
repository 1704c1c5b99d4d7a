import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { TOOL_FORMAT_NAMES, type ToolFormatName } from '../agent/index.js';
import { TaskError } from '../core/errors.js';
import { createExportProgress } from './export-progress.js';
import {
  EXPORT_FORMAT_NAMES, EXPORT_FORMATS, exportTrajectories, getExportFormat, globToRegExp, indexExistingSet, normaliseRepo, parseSplit, readExcludedRepos, readExcludedTasks,
  type ExportFormat, type ExportReport, type FilterSpec,
} from '../export/index.js';

interface ExportFlags {
  format: ExportFormat;
  out: string;
  toolFormat: ToolFormatName;
  chatTemplate?: 'cwm';
  maskObservations: number;
  seed: number;
  includePartial?: boolean;
  includeTries?: boolean;
  exitStatus?: string;
  failureKind?: string;
  resolved?: boolean;
  minReward?: number;
  task?: string[];
  repo?: string[];
  minSteps?: number;
  maxSteps?: number;
  maxTokens?: number;
  dedup?: boolean;
  jaccard: number;
  excludeTasks?: string;
  excludeRepos?: string;
  split?: string;
  report?: string;
  excludeFrom?: string[];
  shardSize: number;
  license: string;
  language: string[];
  progress: boolean;
}

/** `forager export`: turn trajectory files into a training dataset. */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('Export trajectories (batch folders, files, imported ones) as jsonl, chat/SFT, Parquet or a Hugging Face dataset folder, with filters, dedup and splits')
    .argument('<inputs...>', 'batch folders (searched recursively) or trajectory files')
    .addOption(new Option('--format <format>', `output format: ${EXPORT_FORMAT_NAMES.map((n) => `${n} (${EXPORT_FORMATS[n].description})`).join('; ')}`).choices(EXPORT_FORMAT_NAMES).makeOptionMandatory())
    .requiredOption('--out <path>', 'output file (jsonl, chat) or folder (parquet: trajectories.parquet + steps.parquet; hf: README.md card + data/<config>/<split>-NNNNN-of-MMMMM.parquet; atif: one <trajectory_id>.json per trajectory)')
    .addOption(new Option('--tool-format <format>', 'chat tool format').choices(TOOL_FORMAT_NAMES).default('openai'))
    .addOption(new Option('--chat-template <name>', 'chat with --tool-format cwm: also write each conversation as CWM\'s chat template renders it (record field `text`)').choices(['cwm']))
    .option('--mask-observations <rate>', 'share of observations masked out of the loss (chat)', parseUnit, 0.5)
    .option('--seed <n>', 'seed for masking and splits', parseInteger, 0)
    .option('--include-partial', 'keep trajectories without a footer')
    .option('--include-tries', 'also read retried tries and staging files of batch folders (default: one trajectory per attempt)')
    .option('--exit-status <list>', 'keep these exit statuses (comma-separated)')
    .option('--failure-kind <list>', 'keep these failure kinds: agent, task, infrastructure, none (comma-separated)')
    .option('--resolved', 'keep resolved trajectories only')
    .option('--unresolved', 'keep unresolved trajectories only')
    .option('--min-reward <x>', 'keep trajectories with reward >= x', parseNumber)
    .option('--task <glob>', 'keep task ids matching the glob (repeatable)', collect)
    .option('--repo <glob>', 'keep repositories matching the glob (repeatable)', collect)
    .option('--min-steps <n>', 'keep trajectories with at least n steps', parseInteger)
    .option('--max-steps <n>', 'keep trajectories with at most n steps', parseInteger)
    .option('--max-tokens <n>', 'keep trajectories that spent at most n model tokens', parseInteger)
    .option('--dedup', 'remove near-duplicates within each repository (MinHash over actions)')
    .option('--jaccard <x>', 'dedup threshold: kept pairs end below this similarity', parseUnit, 0.5)
    .option('--exclude-tasks <file>', 'drop these task ids (one per line)')
    .option('--exclude-repos <file>', 'drop these repositories (one per line)')
    .option('--split <name=fraction>', 'split by repository, e.g. validation=0.1 (the rest is train)')
    .option('--exclude-from <dataset>', 'drop near-duplicates (--jaccard) of an existing set: trajectory folders/files or an hf export folder (repeatable)', collect)
    .option('--shard-size <size>', 'hf: shard size, e.g. 500MB, 1GB', parseSize, 500_000_000)
    .option('--license <id>', 'hf: the card\'s license field', 'other')
    .option('--language <code>', 'hf: the card\'s language field (repeatable)', collect)
    .option('--no-progress', 'no progress bar on a terminal')
    .option('--report <file>', 'where to write the JSON report (default: beside the output; hf: OUT/forager-report.json)')
    .action(async (inputs: string[], flags: ExportFlags & { unresolved?: boolean }) => {
      if (flags.resolved && flags.unresolved) throw new TaskError('EXPORT_BAD_FLAGS', '--resolved and --unresolved: expected at most one, found both');
      if (flags.chatTemplate && (flags.format !== 'chat' || flags.toolFormat !== 'cwm')) {
        throw new TaskError('EXPORT_BAD_FLAGS', `--chat-template cwm: expected --format chat --tool-format cwm, got --format ${flags.format} --tool-format ${flags.toolFormat}`);
      }
      const excludeFrom = flags.excludeFrom ? await indexExistingSet(flags.excludeFrom, flags.jaccard) : undefined;
      const progress = await createExportProgress(inputs, flags.progress && process.stderr.isTTY === true, { includeTries: flags.includeTries });
      const report = await exportTrajectories(inputs, {
        format: flags.format,
        out: flags.out,
        toolFormat: flags.toolFormat,
        chatTemplate: flags.chatTemplate,
        maskObservations: flags.maskObservations,
        seed: flags.seed,
        includePartial: flags.includePartial,
        includeTries: flags.includeTries,
        filters: await buildFilters({ ...flags, resolved: flags.resolved ? true : flags.unresolved ? false : undefined }),
        dedup: flags.dedup ? { threshold: flags.jaccard } : undefined,
        split: flags.split ? parseSplit(flags.split, flags.seed) : undefined,
        excludeFrom,
        shardBytes: flags.shardSize,
        license: flags.license,
        languages: flags.language,
        onProgress: progress.onProgress,
      }).finally(() => progress.stop());
      const reportPath = flags.report ?? getExportFormat(flags.format).reportPath(flags.out);
      await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
      process.stdout.write(renderSummary(report, reportPath));
    });
}

async function buildFilters(flags: ExportFlags): Promise<FilterSpec> {
  return {
    exitStatuses: splitList(flags.exitStatus),
    failureKinds: splitList(flags.failureKind),
    resolved: flags.resolved,
    minReward: flags.minReward,
    tasks: flags.task?.map(globToRegExp),
    repos: flags.repo?.map((glob) => globToRegExp(normaliseRepo(glob))),
    minSteps: flags.minSteps,
    maxSteps: flags.maxSteps,
    maxTokens: flags.maxTokens,
    excludeTasks: flags.excludeTasks ? await readExcludedTasks(flags.excludeTasks) : undefined,
    excludeRepos: flags.excludeRepos ? await readExcludedRepos(flags.excludeRepos) : undefined,
  };
}

function renderSummary(report: ExportReport, reportPath: string): string {
  const lines = [`read ${report.read.files} files: ${report.read.partial} partial${report.read.partial ? ' (skipped unless --include-partial)' : ''}, ${report.read.invalid} invalid`];
  const filtered = Object.entries(report.filtered).map(([reason, n]) => `${reason} ${n}`).join(', ');
  if (filtered) lines.push(`filtered out: ${filtered}`);
  if (report.dedup) lines.push(`near-duplicates dropped: ${report.dedup.dropped.length} (Jaccard >= ${report.dedup.threshold})`);
  const excluded = report.excluded_near_duplicates;
  if (excluded) lines.push(`near-duplicates of ${excluded.sets.join(', ')} (${excluded.indexed} indexed) dropped: ${excluded.dropped.length} (Jaccard >= ${excluded.threshold})`);
  for (const output of report.outputs) {
    lines.push(`${output.split === 'all' ? 'exported' : output.split}: ${output.trajectories} trajectories, ${output.steps} steps, ${output.repos} repos -> ${output.files.join(', ')}`);
  }
  if (report.card) lines.push(`dataset card: ${report.card}`);
  lines.push(`report: ${reportPath}`);
  return `${lines.join('\n')}\n`;
}

function splitList(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function parseInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected an integer, found ${JSON.stringify(value)}`);
  return n;
}

function parseNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, found ${JSON.stringify(value)}`);
  return n;
}

/** `500MB`, `1.5GB`, `200KB` or a number of bytes (decimal units, as `datasets`' max_shard_size). */
export function parseSize(value: string): number {
  const match = /^\s*([0-9.]+)\s*(B|KB|MB|GB|TB)?\s*$/i.exec(value);
  const units: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };
  const n = match ? Number(match[1]) * (units[(match[2] ?? 'B').toUpperCase()] as number) : Number.NaN;
  if (!(n >= 1)) throw new InvalidArgumentError(`expected a size such as 500MB or 1GB, found ${JSON.stringify(value)}`);
  return Math.floor(n);
}

function parseUnit(value: string): number {
  const n = parseNumber(value);
  if (n < 0 || n > 1) throw new InvalidArgumentError(`expected a number between 0 and 1, found ${value}`);
  return n;
}
