import type { Agent, AgentContext, AgentDecision, FormatProblem, Sandbox } from '../core/contracts.js';
import type { ModelClient } from '../model/index.js';
import type { Action, AgentDescription, Observation, ReplayAgentDescription, Step } from '../trajectory/schema.js';
import { CwmAgent } from './cwm-agent.js';
import { formatCwmCall, performCwmTool } from './formats/cwm/index.js';
import { readProblem, renderProblem } from './formats/index.js';
import { ModelAgentSpecSchema } from './model-spec.js';
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
 *
 * Each action is carried out with the tool rules it was recorded under: CWM's edit, create
 * and submit for a step a CWM agent took. When the recorded agent spoke CWM's format, the
 * replay shows each result as that agent would have (CWM's answers and budget block, from a
 * CwmAgent fed the recorded answers), and a submit does not end the replay.
 */
export class ReplayAgent implements Agent {
  private readonly queue: Step[];
  /** Recorded format errors a plain replay skips: a CWM agent's conversation still holds them. */
  private readonly skipped: Step[];
  private cursor = 0;
  private absorbed = 0;
  private current: Step | undefined;
  /** The recorded CWM agent, fed the recorded answers, to show results as it showed them. */
  private readonly cwm: CwmAgent | undefined;

  constructor(private readonly options: ReplayAgentOptions) {
    const until = options.until ?? Number.POSITIVE_INFINITY;
    const keepInvalid = options.formatErrors === 'replay';
    this.queue = options.steps.filter((s) => s.index <= until && (s.action !== null || keepInvalid));
    this.skipped = options.steps.filter((s) => s.index <= until && s.action === null && !keepInvalid && s.shown !== '');
    this.cwm = cwmAgentOf(options.source.agent);
  }

  /** A CWM run goes on after a submit (a refused one, or until the final answer). */
  get continuesAfterSubmit(): boolean {
    return this.cwm !== undefined;
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

  async start(context: AgentContext): Promise<void> {
    this.cursor = 0;
    this.absorbed = 0;
    this.current = undefined;
    await this.cwm?.start(context);
  }

  async next(_previous?: unknown, _signal?: AbortSignal): Promise<AgentDecision> {
    const step = this.queue[this.cursor];
    if (!step) return { type: 'stop', exitStatus: 'agent_finished', reason: 'every recorded action was replayed' };
    this.cursor += 1;
    this.current = step;
    if (this.cwm) {
      // Format errors skipped before this step were still turns of the recorded conversation.
      for (; this.absorbed < this.skipped.length && this.skipped[this.absorbed]!.index < step.index; this.absorbed += 1) {
        const error = this.skipped[this.absorbed]!;
        this.cwm.replayAnswer(error.model?.raw_text ?? '');
        this.cwm.renderInvalid(recordedProblem(error));
      }
      this.cwm.replayAnswer(step.model?.raw_text ?? (step.action ? formatCwmCall(step.action) : ''));
    }
    const model = step.model ? { model: step.model } : {};
    const call = step.tool_call_id !== undefined ? { toolCallId: step.tool_call_id } : {};
    // A recorded refusal ended its run: replayed, it ends this one the same way.
    if (step.action === null && step.model?.refusal !== undefined && step.model.format_error === undefined) return { type: 'stop', exitStatus: 'refused', reason: 'the recorded model refused', ...model };
    if (step.action === null) return { type: 'invalid', problem: recordedProblem(step), replayOf: step.index, ...call, ...model };
    return { type: 'action', action: step.action, replayOf: step.index, ...call, ...model };
  }

  /** CWM's rules for a step a CWM agent took; undefined leaves the action to forager's tools. */
  perform(sandbox: Sandbox, action: Action, options: { timeoutMs: number; signal?: AbortSignal }) {
    if (toolFormatOf(this.options.source.agent, this.current) !== 'cwm') return Promise.resolve(undefined);
    return performCwmTool(sandbox, action, options);
  }

  render(action: Action, observation: Observation): string {
    return this.cwm ? this.cwm.render(action, observation) : renderObservation(action, observation);
  }

  renderInvalid(problem: FormatProblem): string {
    return this.cwm ? this.cwm.renderInvalid(problem) : renderProblem(problem);
  }
}

/**
 * The tool format a recorded step was taken in: a model agent's; in a fork, the parent's for
 * the replayed prefix (`replay_of`) and the successor's after it; a replay's, its recording's.
 */
export function toolFormatOf(agent: AgentDescription | undefined, step?: Step): string | undefined {
  switch (agent?.type) {
    case 'model':
      return (agent.model.tool_format as string | undefined) ?? 'openai';
    case 'fork':
      return step?.replay_of !== undefined ? toolFormatOf(agent.replay.recorded) : toolFormatOf(agent.then);
    case 'replay':
      return toolFormatOf(agent.recorded, step);
    default:
      return undefined;
  }
}

const NO_MODEL: ModelClient = {
  complete: () => Promise.reject(new Error('a replay makes no model calls')),
};

/** The CWM agent that acted last in a recording (a fork's successor), rebuilt from its recorded settings. */
function cwmAgentOf(agent: AgentDescription | undefined): CwmAgent | undefined {
  if (agent?.type === 'fork') return cwmAgentOf(agent.then);
  if (agent?.type === 'replay') return cwmAgentOf(agent.recorded);
  if (agent?.type !== 'model' || agent.model.tool_format !== 'cwm') return undefined;
  const spec = ModelAgentSpecSchema.safeParse({ ...agent.model, type: 'model' });
  return spec.success ? new CwmAgent(spec.data, { client: NO_MODEL }) : undefined;
}

/** The problem a recorded step showed, read from the text it was shown, so it shows the same again. */
function recordedProblem(step: Step): FormatProblem {
  return readProblem(step.shown || step.model?.format_error || '');
}
