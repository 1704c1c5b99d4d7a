import { stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { walkJsonlFiles, type WalkOptions } from '../scheduler/index.js';
import { agentLabel, AgentDescriptionSchema } from '../trajectory/schema.js';
import { LineTooLongError } from '../lines/index.js';
import { readFirstLine, readLastLine } from './lines.js';

/** What the list page shows of one trajectory, read from its first and last lines only. */
export interface TrajectorySummary {
  /** Path relative to the viewer's root (the file name when the root is a file). */
  id: string;
  trajectory_id: string | null;
  task_id: string | null;
  run_id: string | null;
  attempt: number | null;
  started_at: string | null;
  agent: string | null;
  exit_status: string | null;
  failure_kind: string | null;
  error: string | null;
  reward: number | null;
  steps: number | null;
  duration_ms: number | null;
  /** No footer: the run crashed or is still going. */
  partial: boolean;
  parent: { trajectory_id: string; step: number } | null;
}

/**
 * Every *.jsonl file under `root` (or `root` itself when it is a file), sorted by path:
 * in a batch folder one per attempt, tries and staging files only with `includeTries`
 * (the batch layout's walk, scheduler/layout.ts).
 */
export async function findTrajectories(root: string, options: WalkOptions = {}): Promise<string[]> {
  const info = await stat(root);
  if (!info.isDirectory()) return [resolve(root)];
  const out: string[] = [];
  for await (const path of walkJsonlFiles(resolve(root), options)) out.push(path);
  return out.sort();
}

/** Summaries of the trajectories under root; files that are not trajectories are left out. */
export async function listTrajectories(root: string, options: WalkOptions = {}): Promise<TrajectorySummary[]> {
  const base = (await stat(root)).isDirectory() ? resolve(root) : resolve(root, '..');
  const files = await findTrajectories(root, options);
  const out: TrajectorySummary[] = [];
  for (const file of files) {
    const id = relative(base, file).split(sep).join('/');
    const summary = await summarise(file, id).catch((error: unknown) => {
      // A file too long to read is listed with why, not left out; one unreadable otherwise is no trajectory.
      if (error instanceof LineTooLongError) return unreadable(id, error);
      return null;
    });
    if (summary) out.push(summary);
  }
  return out;
}

async function summarise(path: string, id: string): Promise<TrajectorySummary | null> {
  const header = parse(await readFirstLine(path));
  if (header?.type !== 'header' || header.format !== 'forager.trajectory') return null;
  const last = parse((await readLastLine(path)) ?? '');
  const footer = last?.type === 'footer' ? last : null;
  const task = header.task as Record<string, unknown> | undefined;
  const agent = AgentDescriptionSchema.safeParse(header.agent);
  const parent = header.parent as { trajectory_id: string; step: number } | undefined;
  const error = footer?.error as { code?: string; message?: string } | undefined;
  return {
    id,
    trajectory_id: str(header.trajectory_id),
    task_id: str(task?.id),
    run_id: str(header.run_id),
    attempt: num(header.attempt),
    started_at: str(header.started_at),
    agent: agent.success ? agentLabel(agent.data) : null,
    exit_status: str(footer?.exit_status),
    failure_kind: str(footer?.failure_kind),
    error: error ? `${error.code ?? ''}: ${error.message ?? ''}` : null,
    reward: num(footer?.reward),
    steps: num(footer?.steps),
    duration_ms: num(footer?.duration_ms),
    partial: footer === null,
    parent: parent ? { trajectory_id: parent.trajectory_id, step: parent.step } : null,
  };
}

function unreadable(id: string, error: LineTooLongError): TrajectorySummary {
  return {
    id, trajectory_id: null, task_id: null, run_id: null, attempt: null, started_at: null, agent: null, exit_status: null,
    failure_kind: null, error: `${error.code}: ${error.message}`, reward: null, steps: null, duration_ms: null, partial: true, parent: null,
  };
}

function parse(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}
