import type { ChatCompletion, ChatMessage, ToolDefinition } from '../../model/index.js';
import type { Action, Observation } from '../../trajectory/schema.js';

/** One model answer read as an action, or as the format error to answer it with. */
export type ParsedTurn =
  | { ok: true; action: Action; toolName: string; callId?: string; ignoredCallIds: string[] }
  | { ok: false; error: string; callIds: string[] };

/** What remains of a run's budgets, shown to the model by protocols that show it. */
export interface BudgetView {
  remainingTurns: number;
  /** null when neither a token budget nor a context window is known. */
  remainingTokens: number | null;
}

/**
 * A tool protocol: how actions are offered to a model, read from its answers, and how
 * their results are sent back. Implementations are pure: no I/O, no clock.
 */
export interface ToolProtocol {
  readonly format: 'openai' | 'cwm';
  readonly defaultSystemPrompt: string;
  readonly defaultUserPrompt: string;
  /** The `tools` request field, when the protocol uses function calling. */
  tools(): ToolDefinition[] | undefined;
  parse(completion: ChatCompletion): ParsedTurn;
  /** The assistant message to keep in the conversation for this answer. */
  assistantMessage(completion: ChatCompletion): ChatMessage;
  /** The messages that answer `turn`; `shown` is its rendered observation or format error. */
  replyMessages(turn: ParsedTurn, shown: string): ChatMessage[];
  render(action: Action, observation: Observation, budget: BudgetView): string;
  /** The answer this protocol's model would have given to take `action` (for recorded history). */
  recordedCompletion(action: Action, callId: string): ChatCompletion;
}
