import type { Agent, AgentContext, AgentDecision, FormatProblem } from '../core/contracts.js';
import type { Action, AgentDescription, Observation, ReplayAgentDescription, Step } from '../trajectory/schema.js';
import { readProblem, renderProblem } from './formats/index.js';
import { renderObservation } from './render.js';

export interface ReplayAgentOptions {
  /** The recorded steps, in order. */
  steps: Step[];
  /** The recorded trajectory, named in `describe()`. */
  source: { trajectory_id: string; path?: string; agent?: AgentDescription };
  /** Play recorded steps up to this index (inclusive); default all of them. */
  until?: number;
  /**
   * Steps without an action (format errors): `skip` them (plain replay) or `replay` them
   * as the same format error, which keeps step indices equal to the recorded ones (forks).
   */
  formatErrors?: 'skip' | 'replay';
}

/**
 * Plays the actions of a recorded trajectory, one per turn, whatever it observes. Each
 * decision names the recorded step it replays and carries that step's model turn, so the
 * new trajectory keeps the model text. Ends as `agent_finished` when the record runs out.
 */
export class ReplayAgent implements Agent {
  private readonly queue: Step[];
  private cursor = 0;

  constructor(private readonly options: ReplayAgentOptions) {
    const until = options.until ?? Number.POSITIVE_INFINITY;
    const keepInvalid = options.formatErrors === 'replay';
    this.queue = options.steps.filter((s) => s.index <= until && (s.action !== null || keepInvalid));
  }

  /** How many decisions this agent will make before it stops. */
  get length(): number {
    return this.queue.length;
  }

  describe(): ReplayAgentDescription {
    const { source } = this.options;
    return {
      type: 'replay',
      trajectory_id: source.trajectory_id,
      ...(source.path ? { path: source.path } : {}),
      ...(this.options.until !== undefined ? { until: this.options.until } : {}),
      steps: this.queue.length,
      ...(source.agent ? { recorded: source.agent } : {}),
    };
  }

  async start(_context: AgentContext): Promise<void> {
    this.cursor = 0;
  }

  async next(_previous?: unknown, _signal?: AbortSignal): Promise<AgentDecision> {
    const step = this.queue[this.cursor];
    if (!step) return { type: 'stop', exitStatus: 'agent_finished', reason: 'every recorded action was replayed' };
    this.cursor += 1;
    const model = step.model ? { model: step.model } : {};
    const call = step.tool_call_id !== undefined ? { toolCallId: step.tool_call_id } : {};
    // A recorded refusal ended its run: replayed, it ends this one the same way.
    if (step.action === null && step.model?.refusal !== undefined && step.model.format_error === undefined) return { type: 'stop', exitStatus: 'refused', reason: 'the recorded model refused', ...model };
    if (step.action === null) return { type: 'invalid', problem: recordedProblem(step), replayOf: step.index, ...call, ...model };
    return { type: 'action', action: step.action, replayOf: step.index, ...call, ...model };
  }

  render(action: Action, observation: Observation): string {
    return renderObservation(action, observation);
  }

  renderInvalid(problem: FormatProblem): string {
    return renderProblem(problem);
  }
}

/** The problem a recorded step showed, read from the text it was shown, so it shows the same again. */
function recordedProblem(step: Step): FormatProblem {
  return readProblem(step.shown || step.model?.format_error || '');
}
