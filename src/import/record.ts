import { createHash } from 'node:crypto';
import { VERSION } from '../core/version.js';
import { normaliseRepo } from '../export/facts.js';
import {
  TRAJECTORY_FORMAT, TRAJECTORY_VERSION,
  type Action, type AgentDescription, type ExitStatus, type ImportedFooter, type ImportedHeader, type ImportedStep, type ImportSource,
} from '../trajectory/schema.js';

/** One model turn of a peer's trajectory and what came back, as much as the source recorded. */
export interface Turn {
  /** The model's text (content), '' when it wrote none. */
  text: string;
  reasoning?: string;
  calls?: { id: string; name: string; arguments: string }[];
  action: Action | null;
  /** What the agent was shown after the action ('' when nothing). */
  shown: string;
  exitCode?: number | null;
  timestamp?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; cache_read_tokens?: number };
  /** USD this model call cost, when the source priced it. */
  costUsd?: number;
  actionMs?: number;
  /** Forager step fields the source carried through (an ATIF document written by forager): laid over the step. */
  restore?: Record<string, unknown>;
  /** The model's tool call this turn's action carried out (function calling). */
  toolCallId?: string;
  /** More actions the same answer ran (parallel tool calls): one step each, joined to this turn as forager joins its own. */
  more?: FollowingAction[];
  /** The source refused the answer (a format error): what it told the model. The step has no action. */
  formatError?: string;
}

/** One more action of a turn that ran several, and what came back for it. */
export interface FollowingAction {
  action: Action | null;
  shown: string;
  exitCode?: number | null;
  toolCallId?: string;
}

/** A peer's trajectory before it is written: the fields forager keeps, nothing filled in. */
export interface ImportedRecord {
  source: ImportSource;
  taskId: string;
  instruction: string;
  repo?: string;
  /** More task fields the source had (base_commit, problem_statement…), kept in `task.spec`. */
  spec?: Record<string, unknown>;
  /** A model agent described as forager describes its own; the harness's name and version are model settings. */
  agent: AgentDescription;
  startedAt?: string;
  turns: Turn[];
  exitStatus?: ExitStatus;
  submission?: string;
  patch?: string;
  resolved?: boolean;
  tokens?: { prompt?: number; completion?: number };
  /** USD the run cost, when the source priced it. */
  costUsd?: number;
  /** A stable id from the source (its trajectory or session id), else one is derived from the file and record. */
  id?: string;
  /** Forager header and footer fields the source carried through (ATIF written by forager): laid over what is built. */
  restoreHeader?: Record<string, unknown>;
  restoreFooter?: Record<string, unknown>;
}

/** The header, steps and footer of an imported trajectory, ready to write one per line. */
export function buildLines(record: ImportedRecord): { header: ImportedHeader; steps: ImportedStep[]; footer: ImportedFooter } {
  const trajectoryId = record.id ?? `${record.source.format}-${createHash('sha256').update(`${record.source.path}\0${record.source.record ?? ''}\0${record.taskId}`).digest('hex').slice(0, 16)}`;
  const spec: Record<string, unknown> = { id: record.taskId, ...(record.spec ?? {}) };
  const repo = record.repo ?? repoOfInstanceId(record.taskId);
  if (repo) spec['metadata'] = { repo: normaliseRepo(repo) };
  const header: ImportedHeader = {
    type: 'header', format: TRAJECTORY_FORMAT, version: TRAJECTORY_VERSION, forager_version: VERSION,
    trajectory_id: trajectoryId, run_id: `import-${record.source.format}`, attempt: 0,
    task: { id: record.taskId, hash: createHash('sha256').update(JSON.stringify({ id: record.taskId, instruction: record.instruction })).digest('hex'), instruction: record.instruction, spec },
    agent: record.agent,
    source: record.source,
  };
  if (record.startedAt) header.started_at = record.startedAt;
  if (record.restoreHeader) Object.assign(header, record.restoreHeader, { type: 'header', source: record.source, agent: record.agent, trajectory_id: trajectoryId });
  const steps: ImportedStep[] = [];
  for (const turn of record.turns) {
    steps.push(buildStep(turn, steps.length));
    // A step without a model turn and with a call id of the previous answer belongs to that answer (agent/formats/turns.ts).
    for (const more of turn.more ?? []) steps.push(followingStep(more, steps.length));
  }
  const footer: ImportedFooter = { type: 'footer', steps: steps.length };
  if (record.exitStatus) footer.exit_status = record.exitStatus;
  if (record.submission !== undefined) footer.submission = record.submission;
  if (record.patch !== undefined) footer.patch = record.patch;
  if (record.resolved !== undefined) footer.evaluation = { resolved: record.resolved };
  const totals = {
    ...(record.tokens?.prompt !== undefined ? { prompt_tokens: record.tokens.prompt } : {}),
    ...(record.tokens?.completion !== undefined ? { completion_tokens: record.tokens.completion } : {}),
    ...(record.costUsd !== undefined ? { cost_usd: record.costUsd } : {}),
  };
  if (Object.keys(totals).length > 0) footer.totals = totals;
  const last = record.turns.at(-1)?.timestamp;
  if (last) footer.ended_at = last;
  if (record.restoreFooter) Object.assign(footer, record.restoreFooter, { type: 'footer' });
  return { header, steps, footer };
}

function buildStep(turn: Turn, index: number): ImportedStep {
  const step: ImportedStep = {
    type: 'step', index, action: turn.action,
    observation: turn.exitCode === undefined ? null : { exit_code: turn.exitCode },
    shown: turn.shown, state: null,
  };
  if (turn.timestamp) step.started_at = turn.timestamp;
  if (turn.actionMs !== undefined) step.timing = { action_ms: turn.actionMs };
  step.model = { raw_text: turn.text };
  if (turn.reasoning) step.model.reasoning = turn.reasoning;
  if (turn.calls && turn.calls.length > 0) step.model.tool_calls = turn.calls;
  if (turn.usage) step.model.usage = { ...turn.usage, total_tokens: turn.usage.prompt_tokens + turn.usage.completion_tokens };
  if (turn.costUsd !== undefined) step.model.cost_usd = turn.costUsd;
  if (turn.formatError !== undefined) step.model.format_error = turn.formatError;
  if (turn.toolCallId !== undefined) step.tool_call_id = turn.toolCallId;
  if (turn.restore) {
    const { model, ...rest } = turn.restore as { model?: Record<string, unknown> };
    Object.assign(step, rest, { type: 'step' });
    if (model) Object.assign(step.model, model);
    // Carried-through forager steps say whether there was a model turn at all (scripted agents have none).
    else if (turn.text === '' && !turn.calls && !turn.usage && !turn.reasoning) delete step.model;
  }
  return step;
}

function followingStep(more: FollowingAction, index: number): ImportedStep {
  return {
    type: 'step', index, action: more.action,
    observation: more.exitCode === undefined ? null : { exit_code: more.exitCode },
    shown: more.shown, state: null,
    ...(more.toolCallId !== undefined ? { tool_call_id: more.toolCallId } : {}),
  };
}

/**
 * The repository a SWE-bench-style instance id names (`django__django-11099`,
 * SWE-smith's `getmoto__moto.694ce1f4.pr_5753` → `owner/name`), so imported trajectories
 * share a repository with forager's SWE-bench tasks (whose metadata.repo is `owner/name`)
 * for dedup and splits. Other ids name no repository: the export then uses the id, as for any task.
 */
export function repoOfInstanceId(id: string): string | undefined {
  const match = /^([\w.-]+?)__([\w.-]+)-\d+$/.exec(id) ?? /^([\w.-]+?)__([\w-]+)\.[0-9a-f]{8}\.[\w.-]+$/.exec(id);
  return match ? `${match[1]}/${match[2]}` : undefined;
}
