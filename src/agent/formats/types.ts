import type { FormatProblem } from '../../core/contracts.js';
import type { ChatCompletion, ChatMessage, ToolDefinition } from '../../model/index.js';
import type { Action, ModelTurn, Observation, Step } from '../../trajectory/schema.js';

export type { FormatProblem };

/** One tool call of an answer, read as an action or as the problem that explains why not. */
export type ParsedCall =
  | { ok: true; id?: string; name: string; action: Action }
  | { ok: false; id?: string; name: string; problem: FormatProblem };

/**
 * One model answer: its tool calls in order, or, when no call could be read at all, the
 * problem of the whole answer (then `calls` is empty).
 */
export interface ParsedTurn {
  calls: ParsedCall[];
  problem?: FormatProblem;
}

/** What remains of a run's budgets, shown to the model by formats that show it. */
export interface BudgetView {
  remainingTurns: number;
  /** null when neither a token budget nor a context window is known. */
  remainingTokens: number | null;
}

/** A recorded model answer and the steps that carried out its calls (several in `run` mode). */
export interface RecordedTurn {
  /** The model turn, on the first step; absent for scripted or replayed steps without one. */
  model?: ModelTurn;
  steps: Step[];
}

/** A message of a chat export: `train` says whether it counts in the loss, `loss_mask` the same as 0/1. */
export interface ChatExportMessage {
  role: string;
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  name?: string;
  reasoning_content?: string;
  train: boolean;
  loss_mask: 0 | 1;
}

export interface ExportTurnContext {
  /** Whether an observation counts in the loss; `key` names it (a step index, or step:call id). */
  observationTrained(key: string): boolean;
  /** The model's words without the call syntax of the format it answered in. */
  prose(text: string): string;
  /** The tool format the trajectory was recorded in, when known. */
  source?: string;
  /** The conversation's opening as exported, and its budgets (formats that count tokens from the start). */
  opening?: { system: string; user: string; maxTurns: number; contextWindow?: number };
  /** Per-trajectory state a format keeps across the turns of one export. */
  scratch?: Record<string, unknown>;
  /** A recorded step the target format cannot express exactly: left out, and said so in the record. */
  refuse?(step: number, reason: string): void;
  /** What the recording agent opened each of its turns with (CWM's `<think>\n` in tag reasoning), which the model's recorded text does not repeat. */
  assistantPrefix?: string;
}

export interface FormatOptions {
  /** CWM format: the chat role observations are sent with (`tool` with a name, or `user`). */
  observationRole?: 'tool' | 'user';
}

/**
 * A tool format: how actions are offered to a model, read from its answers, how their
 * results and format errors are shown to it, and how a recorded turn reads as chat
 * messages in a training export. Implementations are pure: no I/O, no clock.
 */
export interface ToolFormat {
  readonly name: string;
  readonly defaultSystemPrompt: string;
  readonly defaultUserPrompt: string;
  /** The `tools` request field, when the format uses function calling. */
  tools(): ToolDefinition[] | undefined;
  parse(completion: ChatCompletion): ParsedTurn;
  /** The assistant message to keep in the conversation for this answer. */
  assistantMessage(completion: ChatCompletion): ChatMessage;
  /**
   * The messages that answer `turn`: `replies[i]` answers `turn.calls[i]`, or, for an
   * answer with no readable call, `replies[0]` answers the whole turn.
   */
  replyMessages(turn: ParsedTurn, replies: string[]): ChatMessage[];
  renderObservation(action: Action, observation: Observation, budget: BudgetView): string;
  /** The text a format problem is shown as: `NAME: message`. */
  renderError(problem: FormatProblem): string;
  /** The answer this format's model would have given to take `action` (for recorded history). */
  recordedCompletion(action: Action, callId: string): ChatCompletion;
  /** `text` without this format's call syntax (what the model said around its call). */
  prose(text: string): string;
  /** A recorded turn as chat-export messages in this format. */
  exportTurn(turn: RecordedTurn, context: ExportTurnContext): ChatExportMessage[];
  /** The `tools` field of a chat export record (the tools the agent was offered, when recorded). */
  exportTools(recorded: unknown[] | null | undefined): unknown[] | undefined;
}

export type ToolFormatFactory = (options?: FormatOptions) => ToolFormat;
