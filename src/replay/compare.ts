import { captureText } from '../core/capture.js';
import type { Action, FileChange, Observation, State, Step, StreamCapture } from '../trajectory/schema.js';
import { normalizeText, type NormalizeRule } from './normalize.js';

/** One field whose recorded and replayed values differ; texts are what a diff is made of. */
export interface FieldDifference {
  field: 'action' | 'missing' | 'exit_code' | 'signal' | 'timed_out' | 'session_restarted' | 'stdout' | 'stderr' | 'cwd' | 'changes' | 'shown';
  /** One-line account, e.g. `exit code 0 → 1` or `sha256 ab12… (12 bytes) → cd34… (13 bytes)`. */
  summary: string;
  recorded: string;
  replayed: string;
}

export interface StepDivergence {
  /** The recorded step's index. */
  recordedIndex: number;
  /** The replayed step's index, or null when the replay never got there. */
  replayedIndex: number | null;
  action: Action | null;
  differences: FieldDifference[];
}

export interface Comparison {
  /** Recorded steps that were compared: those with an action, and replayed format errors. */
  compared: number;
  divergent: StepDivergence[];
  /** Whether normalisation rules were applied (text compared instead of hashes). */
  normalized: boolean;
}

/**
 * Compare each recorded step that has an action with the replayed step that replays it
 * (by `replay_of`, else in order). Without rules, streams are compared by sha256 and
 * byte count, so the comparison covers bytes the trajectory did not keep; with rules,
 * the kept text is compared after both sides are normalised. A format error that was
 * replayed (a fork's prefix) is compared by the text the agent was shown: it has no
 * observation, that text is all it is.
 */
export function compareTrajectories(recorded: Step[], replayed: Step[], rules: readonly NormalizeRule[] = []): Comparison {
  const played = recorded.filter((s) => s.action !== null);
  const byOrigin = new Map<number, Step>();
  const unmarked = replayed.filter((s) => s.action !== null && s.replay_of === undefined);
  for (const s of replayed) if (s.replay_of !== undefined) byOrigin.set(s.replay_of, s);
  const divergent: StepDivergence[] = [];
  let compared = played.length;
  for (const step of recorded) {
    if (step.action !== null) {
      const twin = byOrigin.get(step.index) ?? (byOrigin.size === 0 ? unmarked[played.indexOf(step)] : undefined);
      const differences = twin ? compareStep(step, twin, rules) : [missing(step)];
      if (differences.length) divergent.push({ recordedIndex: step.index, replayedIndex: twin?.index ?? null, action: step.action, differences });
      continue;
    }
    const twin = byOrigin.get(step.index);
    if (!twin) continue;
    compared += 1;
    const differences = compareShown(step, twin);
    if (differences.length) divergent.push({ recordedIndex: step.index, replayedIndex: twin.index, action: null, differences });
  }
  return { compared, divergent, normalized: rules.length > 0 };
}

/** The differences between one recorded step and its replay. */
export function compareStep(recorded: Step, replayed: Step, rules: readonly NormalizeRule[] = []): FieldDifference[] {
  if (recorded.action === null) return compareShown(recorded, replayed);
  const out: FieldDifference[] = [];
  const ra = JSON.stringify(recorded.action);
  const pa = JSON.stringify(replayed.action);
  if (ra !== pa) out.push({ field: 'action', summary: 'a different action was replayed', recorded: ra, replayed: pa });
  const ro = recorded.observation;
  const po = replayed.observation;
  if (!ro || !po) {
    if (ro !== po) out.push({ field: 'missing', summary: `observation ${ro ? 'recorded' : 'missing'} → ${po ? 'present' : 'missing'}`, recorded: ro ? 'observation' : describeFailure(recorded), replayed: po ? 'observation' : describeFailure(replayed) });
  } else {
    out.push(...compareScalars(ro, po));
    for (const stream of ['stdout', 'stderr'] as const) {
      const difference = compareStream(stream, ro[stream], po[stream], rules);
      if (difference) out.push(difference);
    }
  }
  // The old in-session probe (no `state.probe`) took step 0 as its baseline and listed no changes there.
  const baselineOnly = recorded.index === 0 && recorded.state !== null && recorded.state.probe === undefined && recorded.state.changes.length === 0;
  out.push(...compareState(recorded.state, replayed.state, rules, baselineOnly));
  return out;
}

/** A format error's replay shows the agent exactly the text the record shows. */
function compareShown(recorded: Step, replayed: Step): FieldDifference[] {
  if (recorded.shown === replayed.shown) return [];
  return [{ field: 'shown', summary: 'the agent was shown a different text', recorded: recorded.shown, replayed: replayed.shown }];
}

function compareScalars(ro: Observation, po: Observation): FieldDifference[] {
  const out: FieldDifference[] = [];
  for (const field of ['exit_code', 'signal', 'timed_out', 'session_restarted'] as const) {
    if (ro[field] !== po[field]) {
      const r = String(ro[field]);
      const p = String(po[field]);
      out.push({ field, summary: `${field.replace('_', ' ')} ${r} → ${p}`, recorded: r, replayed: p });
    }
  }
  return out;
}

function compareStream(field: 'stdout' | 'stderr', r: StreamCapture, p: StreamCapture, rules: readonly NormalizeRule[]): FieldDifference | null {
  const rText = captureText(r);
  const pText = captureText(p);
  if (rules.length === 0) {
    if (r.sha256 === p.sha256 && r.bytes === p.bytes) return null;
    return { field, summary: `sha256 ${r.sha256.slice(0, 12)}… (${r.bytes} bytes) → ${p.sha256.slice(0, 12)}… (${p.bytes} bytes)`, recorded: rText, replayed: pText };
  }
  const rNorm = normalizeText(rText, field, rules);
  const pNorm = normalizeText(pText, field, rules);
  if (rNorm === pNorm) return null;
  return { field, summary: `normalised text differs (${r.bytes} bytes → ${p.bytes} bytes)`, recorded: rNorm, replayed: pNorm };
}

function compareState(r: State | null, p: State | null, rules: readonly NormalizeRule[], cwdOnly = false): FieldDifference[] {
  if (!r || !p) return [];
  const out: FieldDifference[] = [];
  const rCwd = normalizeText(r.cwd, 'cwd', rules);
  const pCwd = normalizeText(p.cwd, 'cwd', rules);
  if (rCwd !== pCwd) out.push({ field: 'cwd', summary: `cwd ${r.cwd} → ${p.cwd}`, recorded: r.cwd, replayed: p.cwd });
  if (cwdOnly) return out;
  // Sizes count only in a strict comparison: normalised noise may also change file sizes.
  const withSize = rules.length === 0;
  const rList = listChanges(r.changes, rules, withSize);
  const pList = listChanges(p.changes, rules, withSize);
  if (rList !== pList) out.push({ field: 'changes', summary: `changed files differ (${r.changes.length} → ${p.changes.length})`, recorded: rList, replayed: pList });
  return out;
}

function listChanges(changes: FileChange[], rules: readonly NormalizeRule[], withSize: boolean): string {
  return changes
    .map((c) => `${c.change} ${normalizeText(c.path, 'paths', rules)}${withSize && c.size !== undefined ? ` (${c.size} bytes)` : ''}`)
    .sort()
    .join('\n');
}

function missing(step: Step): FieldDifference {
  return { field: 'missing', summary: 'the replay ended before this step', recorded: 'step recorded', replayed: 'no such step in the replay' };
}

function describeFailure(step: Step): string {
  return step.failure ? `${step.failure.kind}: ${step.failure.code}: ${step.failure.message}` : 'no observation';
}
