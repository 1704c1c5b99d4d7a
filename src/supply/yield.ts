import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readRecord } from '../env/index.js';
import { MINE_REPORT, type MineReport } from '../mine/index.js';
import { supplyPaths } from './layout.js';
import { MUTATE_REPORT, type TaskVerdict } from './stages.js';

/** One repository's yield: what each stage gave and what it took. */
export interface YieldRow {
  repo: string;
  env: string;
  installer: string | null;
  env_minutes: number | null;
  passing_tests: number | null;
  flaky_tests: number | null;
  scanned: number | null;
  candidates: number | null;
  mined: number | null;
  mutants: number | null;
  sound_issue_fix: number | null;
  sound_mutate_fix: number | null;
  minutes: number;
}

async function json<T>(path: string): Promise<T | null> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** The yield of every repository under a supply folder, from the stages' own files. */
export async function readYield(out: string): Promise<YieldRow[]> {
  const keys = (await readdir(join(out, 'envs')).catch(() => [] as string[])).sort();
  const rows: YieldRow[] = [];
  for (const key of keys) {
    const record = await readRecord(supplyPaths.env(out, key)).catch(() => null);
    if (!record) continue;
    const mine = await json<MineReport>(join(supplyPaths.mine(out, key), MINE_REPORT));
    const mutate = await json<{ kept: number; duration_ms: number }>(join(supplyPaths.mutants(out, key), MUTATE_REPORT));
    const validate = await json<{ tasks: TaskVerdict[]; duration_ms: number }>(supplyPaths.validate(out, key));
    const sound = (kind: TaskVerdict['kind']) => (validate ? validate.tasks.filter((t) => t.sound && t.kind === kind).length : null);
    const ms = record.timings.total_ms + (mine?.duration_ms ?? 0) + (mutate?.duration_ms ?? 0) + (validate?.duration_ms ?? 0);
    rows.push({
      repo: record.repo.name,
      env: record.status === 'verified' ? 'verified' : `failed: ${record.reason?.code ?? '?'}`,
      installer: record.installer,
      env_minutes: record.timings.total_ms ? round(record.timings.total_ms / 60000) : null,
      passing_tests: record.status === 'verified' ? record.counts.PASSED ?? 0 : null,
      flaky_tests: record.status === 'verified' ? record.flaky.length : null,
      scanned: mine?.scanned ?? null,
      candidates: mine?.candidates ?? null,
      mined: mine?.kept ?? null,
      mutants: mutate?.kept ?? null,
      sound_issue_fix: sound('issue-fix'),
      sound_mutate_fix: sound('mutate-fix'),
      minutes: round(ms / 60000),
    });
  }
  return rows;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** The yield as a Markdown table with a totals line. */
export function renderYield(rows: YieldRow[]): string {
  const header = ['repository', 'environment', 'installer', 'env min', 'passing', 'flaky', 'commits', 'candidates', 'mined', 'mutants', 'sound issue-fix', 'sound mutate-fix', 'total min'];
  const cell = (v: unknown): string => (v === null || v === undefined ? '-' : String(v));
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`];
  for (const r of rows) {
    lines.push(`| ${[r.repo, r.env, r.installer, r.env_minutes, r.passing_tests, r.flaky_tests, r.scanned, r.candidates, r.mined, r.mutants, r.sound_issue_fix, r.sound_mutate_fix, r.minutes].map(cell).join(' | ')} |`);
  }
  const verified = rows.filter((r) => r.env === 'verified');
  const sum = (f: (r: YieldRow) => number | null) => rows.reduce((a, r) => a + (f(r) ?? 0), 0);
  const envMinutes = verified.map((r) => r.env_minutes ?? 0);
  lines.push(`| **${rows.length} repositories** | ${verified.length} verified (${rows.length ? Math.round((100 * verified.length) / rows.length) : 0} %) | | ${envMinutes.length ? round(envMinutes.reduce((a, b) => a + b, 0) / envMinutes.length) : '-'} avg | ${sum((r) => r.passing_tests)} | ${sum((r) => r.flaky_tests)} | ${sum((r) => r.scanned)} | ${sum((r) => r.candidates)} | ${sum((r) => r.mined)} | ${sum((r) => r.mutants)} | ${sum((r) => r.sound_issue_fix)} | ${sum((r) => r.sound_mutate_fix)} | ${round(sum((r) => r.minutes))} |`);
  return `${lines.join('\n')}\n`;
}
