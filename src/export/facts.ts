import type { DatasetTrajectory as Trajectory } from '../trajectory/dataset-reader.js';
import type { Action } from '../trajectory/schema.js';

/**
 * The repository a trajectory belongs to: the task's `metadata.repo` when set, else the
 * task id without its trailing instance number (`django__django-11099` → `django__django`).
 */
export function repoOf(trajectory: Trajectory): string {
  const metadata = trajectory.header.task.spec['metadata'];
  const repo = isRecord(metadata) ? metadata['repo'] : undefined;
  if (typeof repo === 'string' && repo !== '') return normaliseRepo(repo);
  const id = trajectory.header.task.id;
  const match = /^(.+?)[-_.]\d+$/.exec(id);
  return normaliseRepo(match?.[1] ?? id);
}

/** `https://github.com/Owner/Name.git` and `owner/name` compare equal. */
export function normaliseRepo(repo: string): string {
  return repo.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/^github\.com\//, '').replace(/\.git$/, '').replace(/\/+$/, '');
}

/**
 * true/false when the evaluation says so (or the reward does), null when never evaluated.
 * An outside grade (an official harness run, see harness-grades.ts) comes first.
 */
export function resolvedOf(trajectory: Trajectory): boolean | null {
  if (typeof trajectory.grade?.resolved === 'boolean') return trajectory.grade.resolved;
  const resolved = trajectory.footer?.evaluation?.['resolved'];
  if (typeof resolved === 'boolean') return resolved;
  const reward = trajectory.footer?.reward;
  return reward === undefined ? null : reward >= 1;
}

/** The reward: an outside grade's when it has one, else the footer's. */
export function rewardOf(trajectory: Trajectory): number | null {
  if (typeof trajectory.grade?.reward === 'number') return trajectory.grade.reward;
  return trajectory.footer?.reward ?? null;
}

/** Model tokens spent (prompt + completion), from the footer totals or the steps' usage; null when none were recorded. */
export function tokensOf(trajectory: Trajectory): number | null {
  const totals = trajectory.footer?.totals;
  if (totals?.prompt_tokens !== undefined || totals?.completion_tokens !== undefined) {
    return (totals.prompt_tokens ?? 0) + (totals.completion_tokens ?? 0);
  }
  let sum = 0;
  let seen = false;
  for (const step of trajectory.steps) {
    const usage = step.model?.usage;
    if (usage) {
      sum += usage.total_tokens;
      seen = true;
    }
  }
  return seen ? sum : null;
}

/** Wall time of the run: the footer's duration, else first step start to last step end. */
export function durationOf(trajectory: Trajectory): number | null {
  if (trajectory.footer?.duration_ms !== undefined) return trajectory.footer.duration_ms;
  const first = trajectory.steps[0];
  const last = trajectory.steps.at(-1);
  // Imported steps may lack times: no duration then, rather than a made-up one.
  if (!first?.started_at || !last?.started_at) return null;
  return Date.parse(last.started_at) - Date.parse(first.started_at) + (last.timing?.agent_ms ?? 0) + (last.timing?.action_ms ?? 0);
}

/** One action as the text a model would have written: the input to near-duplicate detection. */
export function describeAction(action: Action): string {
  switch (action.tool) {
    case 'bash': return `bash ${action.command}`;
    case 'view': return `view ${action.path} ${action.start_line ?? ''} ${action.end_line ?? ''}`;
    case 'create': return `create ${action.path} ${action.content}`;
    case 'edit': return `edit ${action.path} ${action.search} ${action.replace}`;
    case 'submit': return `submit ${action.result ?? ''}`;
  }
}

/**
 * Every action of the trajectory, concatenated. Format errors contribute nothing; an
 * imported call forager has no action for contributes the call as recorded (name and arguments).
 */
export function actionsText(trajectory: Trajectory): string {
  return trajectory.steps.flatMap((step) => {
    if (step.action) return [describeAction(step.action)];
    const call = step.model?.format_error === undefined ? step.model?.tool_calls?.[0] : undefined;
    return call ? [`${call.name} ${call.arguments}`] : [];
  }).join('\n');
}

/** The exit status for filters and counts: the footer's, `unknown` when an imported one has none, `partial` without a footer. */
export function exitStatusOf(trajectory: Trajectory): string {
  if (!trajectory.footer) return 'partial';
  return trajectory.footer.exit_status ?? 'unknown';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
