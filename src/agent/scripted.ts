import type { Agent, AgentContext, AgentDecision } from '../core/contracts.js';
import type { Action, Observation, ScriptedAgentDescription } from '../trajectory/schema.js';
import { renderObservation } from './render.js';

/**
 * Plays a fixed list of actions, one per turn, whatever it observes: the deterministic
 * stand-in for a model. When the list runs out without a submit the run ends as
 * `agent_finished`.
 */
export class ScriptedAgent implements Agent {
  private cursor = 0;

  constructor(private readonly actions: Action[]) {}

  describe(): ScriptedAgentDescription {
    return { type: 'scripted', actions: this.actions.length };
  }

  async start(_context: AgentContext): Promise<void> {
    this.cursor = 0;
  }

  async next(): Promise<AgentDecision> {
    const action = this.actions[this.cursor];
    if (!action) return { type: 'stop', exitStatus: 'agent_finished', reason: 'the script has no more actions' };
    this.cursor += 1;
    return { type: 'action', action };
  }

  render(action: Action, observation: Observation): string {
    return renderObservation(action, observation);
  }
}
