import type { Agent, AgentContext, AgentDecision, StepOutcome } from '../core/contracts.js';
import { silentLogger, type Logger } from '../core/log.js';
import { costOfUsage, roundUsd, type ChatCompletion, type ChatMessage, type ModelClient, type Price } from '../model/index.js';
import type { Action, ModelTurn, Observation } from '../trajectory/schema.js';
import { elideObservations, estimateTokens } from './context.js';
import type { ModelAgentSpec } from './model-spec.js';
import { renderTemplate } from './prompt.js';
import { cwmTextProtocol } from './protocols/cwm-text.js';
import { openaiToolsProtocol } from './protocols/openai-tools.js';
import type { BudgetView, ParsedTurn, ToolProtocol } from './protocols/types.js';

export interface ModelAgentOptions {
  client: ModelClient;
  log?: Logger;
  /** The model's price: each step records its cost and `budgets.max_cost_usd` applies. */
  price?: Price;
}

/**
 * An agent whose decisions come from a model behind a chat-completions endpoint. Each
 * `next()` sends the conversation, reads one action (or a format error) from the
 * answer and keeps every detail of the answer on the decision's `model` turn. Budgets
 * are checked before each call, so a call is never made that a budget forbids.
 */
export class ModelAgent implements Agent {
  private readonly protocol: ToolProtocol;
  private readonly log: Logger;
  private messages: ChatMessage[] = [];
  private pending: ParsedTurn | undefined;
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
    this.protocol = spec.tool_format === 'cwm' ? cwmTextProtocol({ observationRole: spec.observation_role }) : openaiToolsProtocol();
    this.log = options.log ?? silentLogger;
  }

  describe(): Record<string, unknown> {
    // The spec names the key's variable, never the key.
    return {
      ...this.spec,
      system_prompt: this.spec.system_prompt ?? this.protocol.defaultSystemPrompt,
      user_prompt: this.spec.user_prompt ?? this.protocol.defaultUserPrompt,
      tools: this.protocol.tools() ?? null,
    };
  }

  async start(context: AgentContext): Promise<void> {
    this.maxTurns = this.spec.budgets.max_turns ?? context.maxSteps;
    const variables = {
      instruction: context.instruction,
      workdir: context.workdir,
      max_turns: this.maxTurns,
      context_window: this.spec.context_window ?? 'unknown',
      task_id: context.taskId,
    };
    this.messages = [
      { role: 'system', content: renderTemplate(this.spec.system_prompt ?? this.protocol.defaultSystemPrompt, variables) },
      { role: 'user', content: renderTemplate(this.spec.user_prompt ?? this.protocol.defaultUserPrompt, variables) },
    ];
    Object.assign(this, { pending: undefined, turns: 0, tokensUsed: 0, costUsed: 0, contextTokens: 0, consecutiveErrors: 0, elided: 0, calibration: 1 });
    this.startedAt = performance.now();
    if (this.spec.budgets.max_cost_usd !== undefined && !this.options.price) {
      this.log.warn({ model: this.spec.model }, 'a cost limit is set but the model has no price: no cost is counted');
    }
  }

  async next(previous: StepOutcome | undefined, signal: AbortSignal): Promise<AgentDecision> {
    if (this.pending && previous) this.messages.push(...this.protocol.replyMessages(this.pending, previous.shown));
    this.pending = undefined;
    const stop = this.checkBudgets();
    if (stop) return stop;
    this.fitContext();
    const promptEstimate = this.estimate(this.messages);
    const completion = await this.options.client.complete(
      {
        messages: this.messages,
        tools: this.protocol.tools(),
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
    this.account(completion, promptEstimate);
    this.messages.push(withThinking(this.protocol.assistantMessage(completion), completion));
    const turn = this.protocol.parse(completion);
    this.pending = turn;
    const model = this.modelTurn(completion);
    if (turn.ok) {
      this.consecutiveErrors = 0;
      return { type: 'action', action: turn.action, model };
    }
    this.consecutiveErrors += 1;
    this.log.debug({ error: turn.error, consecutive: this.consecutiveErrors }, 'model format error');
    return { type: 'invalid', error: turn.error, model: { ...model, format_error: turn.error } };
  }

  resume(history: StepOutcome[]): void {
    history.forEach((step, i) => {
      if (!step.action || !step.observation) return;
      const completion = this.protocol.recordedCompletion(step.action, `recorded_${i}`);
      this.messages.push(this.protocol.assistantMessage(completion));
      this.messages.push(...this.protocol.replyMessages(this.protocol.parse(completion), this.render(step.action, step.observation)));
    });
  }

  render(action: Action, observation: Observation): string {
    return this.protocol.render(action, observation, this.budgetView(observation));
  }

  renderInvalid(error: string): string {
    return error;
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
      const completionEstimate = Math.ceil(((completion.text.length + (completion.reasoning?.length ?? 0)) / 4) * this.calibration);
      this.tokensUsed += promptEstimate + completionEstimate;
      this.contextTokens = promptEstimate + completionEstimate;
    }
  }

  private budgetView(observation: Observation): BudgetView {
    const candidates: number[] = [];
    if (this.spec.budgets.max_tokens !== undefined) candidates.push(this.spec.budgets.max_tokens - this.tokensUsed);
    if (this.spec.context_window !== undefined) {
      // As CWM does: the window minus the conversation so far, this observation included.
      const shown = Math.ceil(((observation.stdout.bytes + observation.stderr.bytes) / 4) * this.calibration);
      candidates.push(this.spec.context_window - this.contextTokens - shown);
    }
    return { remainingTurns: Math.max(0, this.maxTurns - this.turns), remainingTokens: candidates.length ? Math.max(0, Math.min(...candidates)) : null };
  }

  private modelTurn(completion: ChatCompletion): ModelTurn {
    const turn: ModelTurn = {
      raw_text: completion.text,
      latency_ms: completion.latencyMs,
      finish_reason: completion.finishReason,
      retries: completion.retries,
    };
    if (completion.reasoning !== undefined) turn.reasoning = completion.reasoning;
    if (completion.toolCalls.length) turn.tool_calls = completion.toolCalls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
    if (completion.usage) turn.usage = completion.usage;
    if (completion.usage && this.options.price) turn.cost_usd = costOfUsage(completion.usage, this.options.price);
    if (completion.timeToFirstTokenMs !== undefined) turn.ttft_ms = completion.timeToFirstTokenMs;
    if (completion.thinkingBlocks) turn.thinking_blocks = completion.thinkingBlocks;
    if (completion.id) turn.response_id = completion.id;
    if (this.elided) turn.elided_observations = this.elided;
    return turn;
  }
}

/** Anthropic thinking blocks go back with the assistant turn that produced them. */
function withThinking(message: ChatMessage, completion: ChatCompletion): ChatMessage {
  return completion.thinkingBlocks ? { ...message, thinking_blocks: completion.thinkingBlocks } : message;
}
