import type { Agent, AgentContext, AgentDecision, FormatProblem, Sandbox, StepOutcome } from '../core/contracts.js';
import { silentLogger, type Logger } from '../core/log.js';
import { costOfUsage, roundUsd, type ChatCompletion, type ChatMessage } from '../model/index.js';
import type { Action, ModelAgentDescription, ModelTurn, Observation } from '../trajectory/schema.js';
import { isDeepStrictEqual } from 'node:util';
import {
  answerAfterReasoning, assistantPrefix, CWM_DEFAULTS, CwmLedger, cwmSystemPrompt, cwmUserPrompt, formatCwmCall, getTokenCounter, parseCwmToolCall,
  performCwmTool, toCwmAction, toolFeedback, cwmSystemTemplate, CWM_USER_TEMPLATE, type CwmMessage,
} from './formats/cwm/index.js';
import { readProblem, renderProblem } from './formats/index.js';
import type { ModelAgentOptions } from './model-agent.js';
import { CwmSettingsSchema, type CwmSettings, type ModelAgentSpec } from './model-spec.js';
import { renderTemplate } from './prompt.js';

/** A step another agent played before this one took over, with the model's turn when it had one. */
export type ResumedStep = StepOutcome & { model?: ModelTurn };

/**
 * A model agent in CWM's SWE environment (facebookresearch/cwm cwm/rl/envs/envs/swerl_tool.py),
 * step for step: one `<tool: NAME>` call per answer, parsed after the end of reasoning; bash,
 * edit, create and submit with CWM's rules and answers; every tool result in `<output>` with
 * the budget block; a format error ends the episode (strict) or is answered by the user; a
 * successful submit shows the patch and the episode ends on an answer with no call; the
 * context size and the turn limit end it before the answer is carried out.
 */
export class CwmAgent implements Agent {
  readonly continuesAfterSubmit = true;
  private readonly settings: CwmSettings;
  private readonly log: Logger;
  private ledger!: CwmLedger;
  private messages: ChatMessage[] = [];
  /** The last patch submitted successfully (state.pred_patch). */
  private patch: string | undefined;
  private costUsed = 0;
  private tokensUsed = 0;
  private startedAt = 0;

  constructor(
    private readonly spec: ModelAgentSpec,
    private readonly options: ModelAgentOptions,
  ) {
    this.settings = spec.cwm ?? CwmSettingsSchema.parse({});
    this.log = options.log ?? silentLogger;
  }

  describe(): ModelAgentDescription {
    const { type: _type, ...settings } = this.spec;
    return {
      type: 'model',
      model: settings,
      system_prompt: this.spec.system_prompt ?? cwmSystemTemplate(this.settings.reasoning, this.settings.plugins),
      user_prompt: this.spec.user_prompt ?? CWM_USER_TEMPLATE,
      tools: null,
    };
  }

  async start(context: AgentContext): Promise<void> {
    const maxTurns = this.spec.budgets.max_turns ?? context.maxSteps;
    const contextSize = this.spec.context_window ?? CWM_DEFAULTS.contextSize;
    this.ledger = new CwmLedger(
      { contextSize, maxTurns, reasoning: this.settings.reasoning, maxPromptTokens: this.settings.max_prompt_tokens, maxResultTokens: this.settings.max_result_tokens },
      getTokenCounter(this.settings.tokenizer),
    );
    const variables = { instruction: context.instruction, workdir: context.workdir, max_turns: maxTurns, context_window: contextSize, task_id: context.taskId };
    const system = this.spec.system_prompt
      ? renderTemplate(this.spec.system_prompt, variables)
      : cwmSystemPrompt({ contextSize, maxTurns, sessionTimeoutS: context.actionTimeoutS ?? CWM_DEFAULTS.sessionTimeoutS, reasoning: this.settings.reasoning, plugins: this.settings.plugins });
    const user = this.spec.user_prompt ? renderTemplate(this.spec.user_prompt, variables) : cwmUserPrompt(context.instruction, context.workdir);
    const opening = this.ledger.start(system, user);
    this.messages = [this.chat(opening.system), this.chat(opening.user)];
    Object.assign(this, { patch: undefined, costUsed: 0, tokensUsed: 0, startedAt: performance.now() });
  }

  async next(_previous: StepOutcome | undefined, signal: AbortSignal): Promise<AgentDecision> {
    const stop = this.checkForagerBudgets();
    if (stop) return stop;
    const prefix = assistantPrefix(this.settings.reasoning);
    const completion = await this.options.client.complete(
      {
        messages: prefix ? [...this.messages, { role: 'assistant', content: prefix }] : this.messages,
        temperature: this.spec.temperature,
        top_p: this.spec.top_p,
        max_tokens: this.spec.max_tokens,
        seed: this.spec.seed,
        stop: this.spec.stop,
        reasoning_effort: this.spec.reasoning_effort,
        // The open assistant turn is continued, not answered (vLLM's chat-template flags).
        extra_body: prefix ? { continue_final_message: true, add_generation_prompt: false, ...this.spec.extra_body } : this.spec.extra_body,
      },
      signal,
    );
    this.account(completion);
    const text = actionText(completion, this.settings.reasoning === 'tag' ? '</think>' : undefined);
    const ended = completion.finishReason !== 'length';
    this.ledger.answer(text, { ended });
    this.messages.push({ role: 'assistant', content: prefix + text });
    const model = this.modelTurn(completion, text);
    const limit = this.ledger.limitReached();
    if (limit) return { type: 'stop', exitStatus: limit.reason === 'context' ? 'max_tokens' : 'max_steps', reason: limit.message, model };
    const reasoning = answerAfterReasoning(text, this.settings.reasoning);
    const call = reasoning.problem ? undefined : parseCwmToolCall(reasoning.answer);
    const parsed: Action | FormatProblem = reasoning.problem ?? (call!.ok ? toCwmAction(call!.name, call!.body) : call!.problem);
    if (!('message' in parsed)) return { type: 'action', action: parsed, model };
    if (parsed.tool) return { type: 'invalid', problem: parsed, model };
    // An answer without a valid call after a successful submit is the final answer (strict: it must hold "##").
    if (this.patch !== undefined && reasoning.endings === 1 && (!this.settings.strict || reasoning.answer.includes('##'))) {
      return { type: 'stop', exitStatus: 'submitted', reason: 'final answer after a submission', model, submission: this.patch };
    }
    const shown = renderProblem(parsed);
    if (this.settings.strict) return { type: 'stop', exitStatus: 'format_errors', reason: `Tool call format error: ${shown}`, model: { ...model, format_error: shown } };
    return { type: 'invalid', problem: parsed, model: { ...model, format_error: shown } };
  }

  /**
   * A recorded answer joins the conversation as if the model had just given it (the text
   * after the turn's `<think>\n` opening, as `model.raw_text` records it): replays and forks.
   */
  replayAnswer(text: string): void {
    this.ledger.answer(text, { ended: true });
    this.messages.push({ role: 'assistant', content: assistantPrefix(this.settings.reasoning) + text });
  }

  /**
   * A fork: the replayed steps become this agent's own earlier turns, each answer as the
   * model wrote it when that reads as the same CWM call (else the call written in CWM's
   * syntax), each result and format error answered as CWM answers them, the token ledger
   * and a submitted patch carried on, so the conversation continues where the parent's was.
   */
  resume(history: ResumedStep[]): void {
    for (const step of history) {
      this.replayAnswer(this.answerOf(step));
      if (step.action && step.observation) this.render(step.action, step.observation);
      else this.renderInvalid(readProblem(step.shown || step.model?.format_error || ''));
    }
  }

  private answerOf(step: ResumedStep): string {
    const raw = step.model?.raw_text;
    if (!step.action) return raw ?? '';
    if (raw !== undefined) {
      const reasoning = answerAfterReasoning(raw, this.settings.reasoning);
      const call = reasoning.problem ? undefined : parseCwmToolCall(reasoning.answer);
      if (call?.ok && isDeepStrictEqual(toCwmAction(call.name, call.body), step.action)) return raw;
    }
    return formatCwmCall(step.action);
  }

  perform(sandbox: Sandbox, action: Action, options: { timeoutMs: number; signal?: AbortSignal }) {
    return performCwmTool(sandbox, action, options);
  }

  render(action: Action, observation: Observation): string {
    const { feedback, patch } = toolFeedback(action, observation);
    if (patch !== undefined) this.patch = patch;
    return this.reply(this.ledger.toolReply(action.tool, feedback).message);
  }

  renderInvalid(problem: FormatProblem): string {
    // A tool's own refusal is its printed line as the tool's result; a format error is the user's word.
    const message = problem.tool ? this.ledger.toolReply(problem.tool, `${problem.message}\n`).message : this.ledger.userReply(renderProblem(problem));
    return this.reply(message);
  }

  private reply(message: CwmMessage): string {
    this.messages.push(this.chat(message));
    return message.body;
  }

  /** A CWM message as a chat message: `tool: NAME` as role `tool` with its name, or as `user` (observation_role). */
  private chat(message: CwmMessage): ChatMessage {
    if (message.role !== 'tool') return { role: message.role, content: message.body };
    return this.spec.observation_role === 'user' ? { role: 'user', content: message.body } : { role: 'tool', name: message.tool, content: message.body };
  }

  /** forager's own ceilings (tokens summed over calls, cost, wall time), checked before each call. */
  private checkForagerBudgets(): AgentDecision | undefined {
    const { budgets } = this.spec;
    if (budgets.max_tokens !== undefined && this.tokensUsed >= budgets.max_tokens) return { type: 'stop', exitStatus: 'max_tokens', reason: `the model used ${this.tokensUsed} tokens of its ${budgets.max_tokens}` };
    if (budgets.max_cost_usd !== undefined && this.costUsed >= budgets.max_cost_usd) return { type: 'stop', exitStatus: 'max_cost', reason: `the model cost ${this.costUsed.toFixed(6)} USD of its ${budgets.max_cost_usd}` };
    const elapsedS = (performance.now() - this.startedAt) / 1000;
    if (budgets.max_wall_time_s !== undefined && elapsedS >= budgets.max_wall_time_s) return { type: 'stop', exitStatus: 'wall_time', reason: `the agent ran ${elapsedS.toFixed(1)} s of its ${budgets.max_wall_time_s} s` };
    return undefined;
  }

  private account(completion: ChatCompletion): void {
    const usage = completion.usage;
    if (!usage) return;
    this.tokensUsed += usage.prompt_tokens + usage.completion_tokens;
    if (this.options.price) this.costUsed = roundUsd(this.costUsed + costOfUsage(usage, this.options.price));
  }

  private modelTurn(completion: ChatCompletion, text: string): ModelTurn {
    const turn: ModelTurn = { raw_text: text, latency_ms: completion.latencyMs, finish_reason: completion.finishReason, retries: completion.retries };
    if (completion.reasoning !== undefined) turn.reasoning = completion.reasoning;
    if (completion.usage) turn.usage = completion.usage;
    if (completion.usage && this.options.price) turn.cost_usd = costOfUsage(completion.usage, this.options.price);
    if (completion.timeToFirstTokenMs !== undefined) turn.ttft_ms = completion.timeToFirstTokenMs;
    if (completion.id) turn.response_id = completion.id;
    return turn;
  }
}

/**
 * The model's answer as CWM's environment decodes it. A server that split the reasoning off
 * (`reasoning_content`) gets it put back before the answer, closed by the end tag, so the
 * answer is parsed and counted as the model wrote it.
 */
function actionText(completion: ChatCompletion, endTag: string | undefined): string {
  if (endTag === undefined || completion.reasoning === undefined || completion.text.includes(endTag)) return completion.text;
  return `${completion.reasoning}\n${endTag}\n${completion.text}`;
}
