import type { Evaluation } from '../trajectory/schema.js';
import { repoOf, type BatchAttempt } from './attempts.js';

/**
 * The run report the SWE-bench harness writes (reporting.py make_run_report,
 * schema_version 2), computed from forager's own grades of each task's chosen attempt.
 */
export interface RunReport {
  total_instances: number;
  submitted_instances: number;
  completed_instances: number;
  resolved_instances: number;
  unresolved_instances: number;
  infra_failure_instances: number;
  ambiguous_failure_instances: number;
  empty_patch_instances: number;
  error_instances: number;
  completed_ids: string[];
  incomplete_ids: string[];
  empty_patch_ids: string[];
  submitted_ids: string[];
  resolved_ids: string[];
  unresolved_ids: string[];
  infra_failure_ids: string[];
  ambiguous_failure_ids: string[];
  failure_reasons: Record<string, string>;
  error_ids: string[];
  schema_version: 2;
}

export type Outcome = 'resolved' | 'unresolved' | 'empty_patch' | 'error' | 'incomplete';

/**
 * Where one task lands, as the harness sorts instances: no prediction → incomplete; an
 * empty patch → empty_patch (never evaluated); a grade (tests ran, or the patch did not
 * apply) → resolved or unresolved; a patch without a grade → error.
 */
export function outcomeOf(attempt: BatchAttempt | undefined): Outcome {
  if (!attempt) return 'incomplete';
  const patch = attempt.footer?.patch ?? '';
  if (patch === '') return 'empty_patch';
  const evaluation = attempt.footer?.evaluation as Evaluation | undefined;
  if (!evaluation || evaluation.status === 'error' || typeof evaluation.resolved !== 'boolean') return 'error';
  return evaluation.resolved ? 'resolved' : 'unresolved';
}

export function makeRunReport(chosen: Map<string, BatchAttempt | undefined>): RunReport {
  const ids: Record<Outcome, string[]> = { resolved: [], unresolved: [], empty_patch: [], error: [], incomplete: [] };
  const reasons: Record<string, string> = {};
  const infra: string[] = [];
  for (const [id, attempt] of chosen) {
    const outcome = outcomeOf(attempt);
    ids[outcome].push(id);
    const failure = (attempt?.footer?.evaluation as Evaluation | undefined)?.error ?? attempt?.footer?.error;
    if (outcome === 'error' && failure) {
      reasons[id] = `${failure.code}: ${failure.message.split('\n')[0]}`;
      if (failure.kind === 'infrastructure') infra.push(id);
    }
  }
  const sorted = (list: string[]) => [...list].sort();
  const submitted = [...chosen].filter(([, a]) => a !== undefined).map(([id]) => id);
  const completed = [...ids.resolved, ...ids.unresolved];
  return {
    total_instances: chosen.size,
    submitted_instances: submitted.length,
    completed_instances: completed.length,
    resolved_instances: ids.resolved.length,
    unresolved_instances: ids.unresolved.length,
    infra_failure_instances: infra.length,
    ambiguous_failure_instances: 0,
    empty_patch_instances: ids.empty_patch.length,
    error_instances: ids.error.length,
    completed_ids: sorted(completed),
    incomplete_ids: sorted(ids.incomplete),
    empty_patch_ids: sorted(ids.empty_patch),
    submitted_ids: sorted(submitted),
    resolved_ids: sorted(ids.resolved),
    unresolved_ids: sorted(ids.unresolved),
    infra_failure_ids: sorted(infra),
    ambiguous_failure_ids: [],
    failure_reasons: Object.fromEntries(Object.entries(reasons).sort()),
    error_ids: sorted(ids.error),
    schema_version: 2,
  };
}

export interface RepoRow {
  repo: string;
  instances: number;
  resolved: number;
  unresolved: number;
  empty_patch: number;
  error: number;
  incomplete: number;
}

/** The report's counts per repository (the task's `metadata.repo`). */
export function perRepository(chosen: Map<string, BatchAttempt | undefined>, all: BatchAttempt[]): RepoRow[] {
  const repoOfTask = new Map(all.map((a) => [a.taskId, repoOf(a)]));
  const rows = new Map<string, RepoRow>();
  for (const [id, attempt] of chosen) {
    const repo = repoOfTask.get(id) ?? id;
    const row = rows.get(repo) ?? { repo, instances: 0, resolved: 0, unresolved: 0, empty_patch: 0, error: 0, incomplete: 0 };
    row.instances += 1;
    row[outcomeOf(attempt)] += 1;
    rows.set(repo, row);
  }
  return [...rows.values()].sort((a, b) => a.repo.localeCompare(b.repo));
}

/** A fixed-width table: one row per repository and a total, with the resolved share. */
export function renderRepoTable(rows: RepoRow[]): string {
  const total = rows.reduce((t, r) => ({ ...t, instances: t.instances + r.instances, resolved: t.resolved + r.resolved, unresolved: t.unresolved + r.unresolved, empty_patch: t.empty_patch + r.empty_patch, error: t.error + r.error, incomplete: t.incomplete + r.incomplete }),
    { repo: 'total', instances: 0, resolved: 0, unresolved: 0, empty_patch: 0, error: 0, incomplete: 0 });
  const line = (r: RepoRow) => [r.repo, r.instances, r.resolved, r.unresolved, r.empty_patch, r.error, r.incomplete, r.instances ? `${((100 * r.resolved) / r.instances).toFixed(1)}%` : '-'].map(String);
  const table = [['repository', 'instances', 'resolved', 'unresolved', 'empty', 'error', 'incomplete', 'resolved%'], ...rows.map(line), line(total)];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
