import type { Command } from 'commander';
import { computeStats, type DatasetStats, type Distribution, type GroupStats } from '../export/index.js';

/** `forager stats`: what a set of trajectories holds. */
export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description('Counts, success rates, exit statuses, failure kinds and distributions of trajectories, per repository')
    .argument('<inputs...>', 'batch folders (searched recursively) or trajectory files')
    .option('--include-partial', 'count trajectories without a footer')
    .option('--include-tries', 'also count retried tries and staging files of batch folders (default: one trajectory per attempt)')
    .option('--json', 'print JSON')
    .action(async (inputs: string[], flags: { includePartial?: boolean; includeTries?: boolean; json?: boolean }) => {
      const stats = await computeStats(inputs, { includePartial: flags.includePartial, includeTries: flags.includeTries });
      process.stdout.write(flags.json ? `${JSON.stringify(stats, null, 2)}\n` : renderStats(stats));
    });
}

function renderStats(stats: DatasetStats): string {
  const lines = [
    `files ${stats.read.files}, partial ${stats.read.partial}${stats.read.partial ? ' (not counted below unless --include-partial)' : ''}, invalid ${stats.read.invalid}`,
    ...renderGroup('all', stats),
  ];
  for (const [repo, group] of Object.entries(stats.repos)) lines.push('', ...renderGroup(repo, group));
  return `${lines.join('\n')}\n`;
}

function renderGroup(name: string, group: GroupStats): string[] {
  const rate = group.resolved_rate === null ? 'n/a' : `${(group.resolved_rate * 100).toFixed(1)}%`;
  return [
    `${name}: ${group.trajectories} trajectories, ${group.submitted} submitted, resolved ${group.resolved}/${group.evaluated} evaluated (${rate})`,
    `  exit statuses: ${renderCounts(group.exit_statuses)}`,
    `  failure kinds: ${renderCounts(group.failure_kinds)}`,
    `  steps:       ${renderDistribution(group.steps)}`,
    `  tokens:      ${renderDistribution(group.tokens)}`,
    `  duration ms: ${renderDistribution(group.duration_ms)}`,
    ...(group.cost_usd === null ? [] : [`  cost:        ${group.cost_usd} USD`]),
  ];
}

function renderCounts(counts: Record<string, number>): string {
  return Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([key, n]) => `${key} ${n}`).join(', ') || '-';
}

function renderDistribution(d: Distribution): string {
  if (d.count === 0) return 'none recorded';
  const f = (x: number | null) => (x === null ? '-' : Number.isInteger(x) ? String(x) : x.toFixed(1));
  return `min ${f(d.min)}  p50 ${f(d.p50)}  p95 ${f(d.p95)}  max ${f(d.max)}  (n=${d.count})`;
}
