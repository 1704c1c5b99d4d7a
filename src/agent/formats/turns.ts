import type { Step } from '../../trajectory/schema.js';
import type { RecordedTurn } from './types.js';

/**
 * Group recorded steps by model answer: a step carries a new answer unless it has no
 * model turn and carries out one of the previous answer's other tool calls (the later
 * calls of a several-call answer in `run` mode).
 */
export function groupTurns(steps: Step[]): RecordedTurn[] {
  const turns: RecordedTurn[] = [];
  for (const step of steps) {
    const last = turns.at(-1);
    const ids = last?.model?.tool_calls?.map((c) => c.id) ?? [];
    if (last && !step.model && step.tool_call_id !== undefined && ids.includes(step.tool_call_id)) last.steps.push(step);
    else turns.push(step.model ? { model: step.model, steps: [step] } : { steps: [step] });
  }
  return turns;
}

/** The step that answered call `id` of a turn; old records name no id: the first step answered the first call. */
export function stepForCall(turn: RecordedTurn, id: string, position: number): Step | undefined {
  const named = turn.steps.find((s) => s.tool_call_id === id);
  if (named) return named;
  const first = turn.steps[0];
  return position === 0 && first && first.tool_call_id === undefined ? first : undefined;
}
