import type { Agent, AgentContext, AgentDecision, FormatProblem, Sandbox, StepOutcome } from '../core/contracts.js';
import type { Action, ForkAgentDescription, ModelTurn, Observation } from '../trajectory/schema.js';
import { renderProblem } from './formats/index.js';
import type { ReplayAgent } from './replay.js';

/**
 * Two agents in turn: `prefix` (a replay of recorded steps) until it stops, then
 * `successor`, started at that moment and handed the outcome of the last replayed step
 * as its `previous`. A stop of the prefix other than running out of steps ends the run.
 */
export class ForkAgent implements Agent {
  private context: AgentContext | undefined;
  private current: Agent;
  private handedOver = false;
  /** The prefix's steps as played, each with the recorded model turn it replayed (what a successor resumes from). */
  private history: (StepOutcome & { model?: ModelTurn })[] = [];
  private lastModel: ModelTurn | undefined;

  constructor(
    private readonly prefix: ReplayAgent,
    private readonly successor: Agent,
  ) {
    this.current = prefix;
  }

  describe(): ForkAgentDescription {
    return { type: 'fork', replay: this.prefix.describe(), then: this.successor.describe() };
  }

  async start(context: AgentContext): Promise<void> {
    this.context = context;
    this.current = this.prefix;
    this.handedOver = false;
    this.history = [];
    this.lastModel = undefined;
    await this.prefix.start(context);
  }

  async next(previous: StepOutcome | undefined, signal: AbortSignal): Promise<AgentDecision> {
    if (!this.handedOver) {
      if (previous) this.history.push({ ...previous, ...(this.lastModel ? { model: this.lastModel } : {}) });
      const decision = await this.prefix.next(previous, signal);
      this.lastModel = decision.model;
      if (decision.type !== 'stop' || decision.exitStatus !== 'agent_finished') return decision;
      this.handedOver = true;
      this.current = this.successor;
      await this.successor.start({ ...this.context!, signal });
      // The successor learns what was done before it, as if it had done it itself.
      this.successor.resume?.(this.history);
    }
    return this.successor.next(previous, signal);
  }

  /** Whoever acts now carries the action out with its own tool rules (CWM's edit, create, submit). */
  perform(sandbox: Sandbox, action: Action, options: { timeoutMs: number; signal?: AbortSignal }) {
    return this.current.perform?.(sandbox, action, options) ?? Promise.resolve(undefined);
  }

  /** Whether a submit leaves the run going (CWM: until the final answer) is the acting agent's rule. */
  get continuesAfterSubmit(): boolean {
    return this.current.continuesAfterSubmit === true;
  }

  render(action: Action, observation: Observation): string {
    return this.current.render(action, observation);
  }

  renderInvalid(problem: FormatProblem): string {
    return this.current.renderInvalid?.(problem) ?? renderProblem(problem);
  }
}
