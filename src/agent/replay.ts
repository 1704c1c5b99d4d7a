import type { Agent, AgentContext, AgentDecision } from '../core/contracts.js';
import type { Action, Observation, Step } from '../trajectory/schema.js';
import { renderObservation } from './render.js';

export interface ReplayAgentOptions {
  /** The recorded steps, in order. */
  steps: Step[];
  /** The recorded trajectory, named in `describe()`. */
  source: { trajectory_id: string; path?: string };
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

  describe(): Record<string, unknown> {
    return {
      type: 'replay',
      trajectory_id: this.options.source.trajectory_id,
      ...(this.options.source.path ? { path: this.options.source.path } : {}),
      ...(this.options.until !== undefined ? { until: this.options.until } : {}),
      steps: this.queue.length,
    };
  }

  async start(_context: AgentContext): Promise<void> {
    this.cursor = 0;
  }

  async next(): Promise<AgentDecision> {
    const step = this.queue[this.cursor];
    if (!step) return { type: 'stop', exitStatus: 'agent_finished', reason: 'every recorded action was replayed' };
    this.cursor += 1;
    const model = step.model ? { model: step.model } : {};
    if (step.action === null) return { type: 'invalid', error: recordedFormatError(step), replayOf: step.index, ...model };
    return { type: 'action', action: step.action, replayOf: step.index, ...model };
  }

  render(action: Action, observation: Observation): string {
    return renderObservation(action, observation);
  }

  renderInvalid(error: string): string {
    return `FormatError: ${error}`;
  }
}

function recordedFormatError(step: Step): string {
  return step.model?.format_error ?? step.shown.replace(/^FormatError: /, '');
}
