import type { Agent, AgentContext, AgentDecision, FormatProblem, StepOutcome } from '../core/contracts.js';
import { silentLogger, type Logger } from '../core/log.js';
import { estimateTokens as tokensOfChars } from '../core/tokens.js';
import { costOfUsage, roundUsd, type ChatCompletion, type ChatMessage, type ModelClient, type Price } from '../model/index.js';
import type { Action, ModelAgentDescription, ModelTurn, Observation } from '../trajectory/schema.js';
import { elideObservations, estimateTokens } from './context.js';
import { cutLongAnswer, refuseCutCalls, type CutAnswer } from './long-answer.js';
import { getToolFormat, IGNORED_CALL, type BudgetView, type ParsedCall, type ParsedTurn, type ToolFormat } from './formats/index.js';
import type { ModelAgentSpec } from './model-spec.js';
import { renderTemplate } from './prompt.js';

export interface ModelAgentOptions {
  client: ModelClient;
  log?: Logger;
  /** The model's price: each step records its cost and `budgets.max_cost_usd` applies. */
  price?: Price;
}

/** The answer being carried out: its calls, the replies so far, and the next call to hand out. */
interface PendingTurn {
  parsed: ParsedTurn;
  replies: string[];
  next: number;
}

/**
 * An agent whose decisions come from a model behind a chat-completions endpoint. Each
 * model call sends the conversation and reads the answer's action (or format error),
 * keeping every detail of the answer on the decision's `model` turn. An answer with
 * several tool calls is carried out call by call (`parallel_tool_calls: run`, one step
 * each, the model asked again once all have results) or only its first call (`first`,
 * the others answered as ignored). Budgets are checked before each model call, so a
 * call is never made that a budget forbids.
 */
export class ModelAgent implements Agent {
  private readonly format: ToolFormat;
  private readonly log: Logger;
  private messages: ChatMessage[] = [];
  private pending: PendingTurn | undefined;
  private maxTurns = 0;
  private turns = 0;
  private tokensUsed = 0;
  private costUsed = 0;
  private contextTokens = 0;
  private consecutiveErrors = 0;
  private elided = 0;
  private startedAt = 0;
  /** Real tokens per estimated token, learnt from each response's usage. */
  private calibration = 1;

  constructor(
    private readonly spec: ModelAgentSpec,
    private readonly options: ModelAgentOptions,
  ) {
    this.format = getToolFormat(spec.tool_format, { observationRole: spec.observation_role });
    this.log = options.log ?? silentLogger;
  }

  describe(): ModelAgentDescription {
    // The spec names the key's variable, never the key.
    const { type: _type, ...settings } = this.spec;
    return {
      type: 'model',
      model: settings,
      system_prompt: this.spec.system_prompt ?? this.format.defaultSystemPrompt,
      user_prompt: this.spec.user_prompt ?? this.format.defaultUserPrompt,
      tools: this.format.tools() ?? null,
    };
  }

  async start(context: AgentContext): Promise<void> {
    this.maxTurns = this.spec.budgets.max_turns ?? context.maxSteps;
    const variables = {
      instruction: context.instruction,
      workdir: context.workdir,
      max_turns: this.maxTurns,
      context_window: this.spec.context_window,
      task_id: context.taskId,
    };
    this.messages = [
      { role: 'system', content: renderTemplate(this.spec.system_prompt ?? this.format.defaultSystemPrompt, variables) },
      { role: 'user', content: renderTemplate(this.spec.user_prompt ?? this.format.defaultUserPrompt, variables) },
    ];
    Object.assign(this, { pending: undefined, turns: 0, tokensUsed: 0, costUsed: 0, contextTokens: 0, consecutiveErrors: 0, elided: 0, calibration: 1 });
    this.startedAt = performance.now();
    if (this.spec.budgets.max_cost_usd !== undefined && !this.options.price) {
      this.log.warn({ model: this.spec.model }, 'a cost limit is set but the model has no price: no cost is counted');
    }
  }

  async next(previous: StepOutcome | undefined, signal: AbortSignal): Promise<AgentDecision> {
    const pending = this.pending;
    if (pending && previous) pending.replies.push(previous.shown);
    if (pending && pending.next < pending.parsed.calls.length && this.spec.parallel_tool_calls === 'run') {
      const call = pending.parsed.calls[pending.next]!;
      pending.next += 1;
      return this.decide(call);
    }
    if (pending) this.messages.push(...this.format.replyMessages(pending.parsed, this.repliesFor(pending)));
    this.pending = undefined;
    const stop = this.checkBudgets();
    if (stop) return stop;
    this.fitContext();
    const promptEstimate = this.estimate(this.messages);
    const answer = await this.options.client.complete(
      {
        messages: this.messages,
        tools: this.format.tools(),
        temperature: this.spec.temperature,
        top_p: this.spec.top_p,
        max_tokens: this.spec.max_tokens,
        seed: this.spec.seed,
        stop: this.spec.stop,
        reasoning_effort: this.spec.reasoning_effort,
        extra_body: this.spec.extra_body,
      },
      signal,
    );
    this.account(answer, promptEstimate);
    // Parts too long to carry out are cut before anything keeps them (the record, the conversation).
    const cut = cutLongAnswer(answer, this.spec.max_tool_call_bytes);
    const completion = cut.completion;
    this.messages.push(withExtras(this.format.assistantMessage(completion), completion));
    const parsed = refuseCutCalls(this.format.parse(completion), cut, this.spec.max_tool_call_bytes, this.format.tools() === undefined);
    this.pending = { parsed, replies: [], next: 1 };
    const model = this.modelTurn(completion, cut);
    if (completion.refusal !== undefined && parsed.calls.length === 0) {
      // A refusal is the model's answer, not a malformed one: the run ends on it (never a format error).
      this.pending = undefined;
      return { type: 'stop', exitStatus: 'refused', reason: `the model refused${completion.refusal ? `: ${completion.refusal.slice(0, 500)}` : ''}`, model };
    }
    const first = parsed.calls[0];
    // A turn counts as a format error when nothing of it that will be carried out is valid.
    const valid = this.spec.parallel_tool_calls === 'run' ? parsed.calls.some((c) => c.ok) : first?.ok === true;
    this.consecutiveErrors = valid ? 0 : this.consecutiveErrors + 1;
    if (!first) {
      const problem = parsed.problem!;
      this.log.debug({ problem, consecutive: this.consecutiveErrors }, 'model format error');
      return { type: 'invalid', problem, model: { ...model, format_error: this.format.renderError(problem) } };
    }
    const decision = this.decide(first);
    decision.model = first.ok ? model : { ...model, format_error: this.format.renderError(first.problem) };
    return decision;
  }

  resume(history: StepOutcome[]): void {
    history.forEach((step, i) => {
      if (!step.action || !step.observation) return;
      const completion = this.format.recordedCompletion(step.action, `recorded_${i}`);
      this.messages.push(this.format.assistantMessage(completion));
      this.messages.push(...this.format.replyMessages(this.format.parse(completion), [this.render(step.action, step.observation)]));
    });
  }

  render(action: Action, observation: Observation): string {
    return this.format.renderObservation(action, observation, this.budgetView(observation));
  }

  renderInvalid(problem: FormatProblem): string {
    return this.format.renderError(problem);
  }

  /** One call of an answer as a decision, naming the call it carries out. */
  private decide(call: ParsedCall): Extract<AgentDecision, { type: 'action' | 'invalid' }> {
    const id = call.id !== undefined ? { toolCallId: call.id } : {};
    return call.ok ? { type: 'action', action: call.action, ...id } : { type: 'invalid', problem: call.problem, ...id };
  }

  /** The replies to every call of an answer: what each carried-out call was shown, the others ignored. */
  private repliesFor(pending: PendingTurn): string[] {
    const count = Math.max(1, pending.parsed.calls.length);
    return Array.from({ length: count }, (_, i) => pending.replies[i] ?? IGNORED_CALL);
  }

  private checkBudgets(): AgentDecision | undefined {
    const { budgets } = this.spec;
    if (this.consecutiveErrors > budgets.max_format_errors) {
      return { type: 'stop', exitStatus: 'format_errors', reason: `${this.consecutiveErrors} format errors in a row (at most ${budgets.max_format_errors} allowed)` };
    }
    if (this.turns >= this.maxTurns) return { type: 'stop', exitStatus: 'max_steps', reason: `the model used all ${this.maxTurns} turns` };
    if (budgets.max_tokens !== undefined && this.tokensUsed >= budgets.max_tokens) {
      return { type: 'stop', exitStatus: 'max_tokens', reason: `the model used ${this.tokensUsed} tokens of its ${budgets.max_tokens}` };
    }
    if (budgets.max_cost_usd !== undefined && this.costUsed >= budgets.max_cost_usd) {
      return { type: 'stop', exitStatus: 'max_cost', reason: `the model cost ${this.costUsed.toFixed(6)} USD of its ${budgets.max_cost_usd}` };
    }
    const elapsedS = (performance.now() - this.startedAt) / 1000;
    if (budgets.max_wall_time_s !== undefined && elapsedS >= budgets.max_wall_time_s) {
      return { type: 'stop', exitStatus: 'wall_time', reason: `the agent ran ${elapsedS.toFixed(1)} s of its ${budgets.max_wall_time_s} s` };
    }
    return undefined;
  }

  /** Elide old observations when the next request would not fit the context window. */
  private fitContext(): void {
    if (this.spec.context_window === undefined) return;
    const limit = this.spec.context_window - this.spec.max_tokens;
    const before = this.elided;
    this.elided += elideObservations(this.messages, limit, (m) => this.estimate(m));
    if (this.elided > before) this.log.debug({ elided: this.elided - before, limit }, 'observations elided to fit the context window');
  }

  private estimate(messages: ChatMessage[]): number {
    return Math.ceil(estimateTokens(messages) * this.calibration);
  }

  private account(completion: ChatCompletion, promptEstimate: number): void {
    this.turns += 1;
    const usage = completion.usage;
    if (usage && this.options.price) this.costUsed = roundUsd(this.costUsed + costOfUsage(usage, this.options.price));
    if (usage) {
      if (promptEstimate > 0 && usage.prompt_tokens > 0) {
        this.calibration = Math.min(4, Math.max(0.25, (this.calibration * usage.prompt_tokens) / promptEstimate));
      }
      this.tokensUsed += usage.prompt_tokens + usage.completion_tokens;
      this.contextTokens = usage.prompt_tokens + usage.completion_tokens;
    } else {
      // No usage from the server: count an estimate rather than nothing.
      const completionEstimate = tokensOfChars(completion.text.length + (completion.reasoning?.length ?? 0), this.calibration);
      this.tokensUsed += promptEstimate + completionEstimate;
      this.contextTokens = promptEstimate + completionEstimate;
    }
  }

  private budgetView(observation: Observation): BudgetView {
    const candidates: number[] = [];
    if (this.spec.budgets.max_tokens !== undefined) candidates.push(this.spec.budgets.max_tokens - this.tokensUsed);
    if (this.spec.context_window !== undefined) {
      // As CWM does: the window minus the conversation so far, this observation included.
      const shown = tokensOfChars(observation.stdout.bytes + observation.stderr.bytes, this.calibration);
      candidates.push(this.spec.context_window - this.contextTokens - shown);
    }
    return { remainingTurns: Math.max(0, this.maxTurns - this.turns), remainingTokens: candidates.length ? Math.max(0, Math.min(...candidates)) : null };
  }

  private modelTurn(completion: ChatCompletion, cut: CutAnswer): ModelTurn {
    const turn: ModelTurn = {
      raw_text: completion.text,
      latency_ms: completion.latencyMs,
      finish_reason: completion.finishReason,
      retries: completion.retries,
    };
    if (cut.text) Object.assign(turn, { raw_text_bytes: cut.text.bytes, raw_text_sha256: cut.text.sha256 });
    if (completion.reasoning !== undefined) turn.reasoning = completion.reasoning;
    if (completion.toolCalls.length) {
      turn.tool_calls = completion.toolCalls.map((c, i) => {
        const part = cut.calls.get(i);
        return { id: c.id, name: c.function.name, arguments: c.function.arguments, ...(part ? { arguments_bytes: part.bytes, arguments_sha256: part.sha256 } : {}) };
      });
    }
    if (completion.refusal !== undefined) turn.refusal = completion.refusal;
    if (completion.refusalCategory !== undefined) turn.refusal_category = completion.refusalCategory;
    if (completion.usage) turn.usage = completion.usage;
    if (completion.usage && this.options.price) turn.cost_usd = costOfUsage(completion.usage, this.options.price);
    if (completion.timeToFirstTokenMs !== undefined) turn.ttft_ms = completion.timeToFirstTokenMs;
    if (completion.thinkingBlocks) turn.thinking_blocks = completion.thinkingBlocks;
    if (completion.id) turn.response_id = completion.id;
    if (this.elided) turn.elided_observations = this.elided;
    return turn;
  }
}

/** Anthropic thinking blocks and an OpenAI refusal go back with the assistant turn that produced them. */
function withExtras(message: ChatMessage, completion: ChatCompletion): ChatMessage {
  return {
    ...message,
    ...(completion.thinkingBlocks ? { thinking_blocks: completion.thinkingBlocks } : {}),
    ...(completion.refusal ? { refusal: completion.refusal } : {}),
  };
}
