import { BUDGET_NOTICE_TEMPLATE, FEEDBACK_OUTPUT_PROMPT, assistantPrefix, budgetNotice, fillPython, type CwmReasoning } from './prompts.js';
import { countMessage, truncateMessage, type CwmMessage } from './template.js';
import type { TokenCounter } from './tokens.js';

export interface CwmLedgerSettings {
  contextSize: number;
  maxTurns: number;
  reasoning: CwmReasoning;
  /** The user prompt is cut from its start to this many tokens (SWERLConfig.max_prompt_len). */
  maxPromptTokens: number;
  /** Tool results and feedback are cut at their end to this many tokens (SWERLConfig.max_user_turn_len). */
  maxResultTokens: number;
}

export const CWM_DEFAULTS = { contextSize: 131_072, maxTurns: 128, maxPromptTokens: 8192, maxResultTokens: 32_768, sessionTimeoutS: 120 } as const;

/** A tool result as CWM builds it: the message (cut to its cap) and the budget it showed. */
export interface CwmToolReply {
  message: CwmMessage;
  remainingTurns: number;
  remainingTokens: number;
}

/**
 * CWM's episode bookkeeping (SWERLToolEnv.start/step): the turn counter and the tokens of
 * the whole token stream so far, the model's answers and the environment's messages with
 * their headers, end tokens and the assistant prefix that follows each. Pure: the caller
 * feeds it texts, it answers with messages and budgets.
 */
export class CwmLedger {
  /** state.num_tokens: every token of the episode so far. */
  tokens = 0;
  /** state.step_id: answers taken so far. */
  step = 0;
  private lastAnswerEnded = true;

  constructor(
    readonly settings: CwmLedgerSettings,
    readonly counter: TokenCounter,
  ) {}

  /** The opening: `<|begin_of_text|>`, system, user (cut from its start), the open assistant turn. */
  start(system: string, user: string): { system: CwmMessage; user: CwmMessage } {
    const systemMessage: CwmMessage = { role: 'system', body: system };
    const userMessage = truncateMessage({ role: 'user', body: user }, this.counter, this.settings.maxPromptTokens, 'left');
    this.tokens = 1 + countMessage(systemMessage, this.counter) + countMessage(userMessage, this.counter) + this.openAssistantTokens();
    this.step = 0;
    return { system: systemMessage, user: userMessage };
  }

  /**
   * The model answered: `generated` is the tokens it generated (the server's completion
   * count, end token included), else the answer's tokens plus the end token.
   */
  answer(text: string, options: { generated?: number; ended?: boolean } = {}): void {
    const ended = options.ended ?? true;
    this.step += 1;
    this.tokens += options.generated ?? countMessage({ role: 'assistant', body: text }, this.counter, false) - this.headerOfAssistant() + (ended ? 1 : 0);
    this.lastAnswerEnded = ended;
  }

  /** Why the episode ends before the answer is carried out (context first, then turns), if it does. */
  limitReached(): { reason: 'context' | 'turns'; message: string } | undefined {
    if (this.tokens > this.settings.contextSize) return { reason: 'context', message: `Context size exceeded: ${this.tokens} > ${this.settings.contextSize}` };
    if (this.step >= this.settings.maxTurns) return { reason: 'turns', message: 'Max turns reached' };
    return undefined;
  }

  /**
   * A tool's result: `<output>` around the feedback, the budget block after it (remaining
   * tokens: the context size minus the tokens so far minus this message's own, estimated
   * with the budget template's unfilled text and capped), then cut to its cap.
   */
  toolReply(tool: string, feedback: string): CwmToolReply {
    const wrapped = fillPython(FEEDBACK_OUTPUT_PROMPT, { feedback });
    const estimate = Math.min(countMessage({ role: 'tool', tool, body: `${wrapped}\n\n${BUDGET_NOTICE_TEMPLATE}` }, this.counter), this.settings.maxResultTokens);
    const remainingTokens = this.settings.contextSize - this.tokens - estimate;
    const remainingTurns = this.settings.maxTurns - this.step;
    const body = `${wrapped}\n\n${budgetNotice(remainingTurns, remainingTokens)}`;
    const message = truncateMessage({ role: 'tool', tool, body }, this.counter, this.settings.maxResultTokens, 'right');
    this.observe(message);
    return { message, remainingTurns, remainingTokens };
  }

  /** A format error, as the user says it (no budget block), cut to its cap. */
  userReply(text: string): CwmMessage {
    const message = truncateMessage({ role: 'user', body: text }, this.counter, this.settings.maxResultTokens, 'right');
    this.observe(message);
    return message;
  }

  /** The environment's message joins the stream: a missing end token, the message, the open assistant turn. */
  private observe(message: CwmMessage): void {
    this.tokens += (this.lastAnswerEnded ? 0 : 1) + countMessage(message, this.counter) + this.openAssistantTokens();
    this.lastAnswerEnded = true;
  }

  /** The assistant header and prefix a turn opens with, and the reasoning token in token mode. */
  private openAssistantTokens(): number {
    const open = countMessage({ role: 'assistant', body: assistantPrefix(this.settings.reasoning) }, this.counter, false);
    return open + (this.settings.reasoning === 'token' ? 1 : 0);
  }

  private headerOfAssistant(): number {
    return countMessage({ role: 'assistant', body: '' }, this.counter, false);
  }
}
