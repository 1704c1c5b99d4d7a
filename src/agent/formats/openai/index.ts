import type { ChatCompletion, ChatMessage } from '../../../model/index.js';
import type { Action, Observation } from '../../../trajectory/schema.js';
import { renderObservation } from '../../render.js';
import { renderProblem } from '../problem.js';
import type { ParsedTurn, ToolFormat } from '../types.js';
import { exportOpenaiTurn } from './chat-export.js';
import { parseToolCalls } from './parse.js';
import { OPENAI_SYSTEM_PROMPT, OPENAI_USER_PROMPT } from './prompts.js';
import { OPENAI_TOOLS } from './tools.js';

/**
 * OpenAI function calling. Every tool call of an answer is read; every call id gets an
 * answer (the API requires one). An answer with no tool call is a format error, answered
 * with a user message; a call with bad arguments is answered on its id.
 */
export function createOpenaiFormat(): ToolFormat {
  return {
    name: 'openai',
    defaultSystemPrompt: OPENAI_SYSTEM_PROMPT,
    defaultUserPrompt: OPENAI_USER_PROMPT,
    tools: () => OPENAI_TOOLS,
    parse: parseToolCalls,
    assistantMessage: (completion): ChatMessage => ({
      role: 'assistant',
      content: completion.text === '' && completion.toolCalls.length ? null : completion.text,
      ...(completion.toolCalls.length ? { tool_calls: completion.toolCalls } : {}),
    }),
    replyMessages(turn: ParsedTurn, replies: string[]): ChatMessage[] {
      const ids = turn.calls.map((c) => c.id);
      if (ids.length === 0 || ids.some((id) => id === undefined)) return [{ role: 'user', content: replies[0] ?? '' }];
      return ids.map((id, i) => ({ role: 'tool', tool_call_id: id!, content: replies[i] ?? '' }));
    },
    renderObservation: (action: Action, observation: Observation) => renderObservation(action, observation) || '[no output]',
    renderError: renderProblem,
    recordedCompletion(action, callId): ChatCompletion {
      const { tool, ...args } = action;
      return { text: '', toolCalls: [{ id: callId, type: 'function', function: { name: tool, arguments: JSON.stringify(args) } }], finishReason: 'tool_calls', latencyMs: 0, retries: 0 };
    },
    prose: (text) => text,
    exportTurn: exportOpenaiTurn,
    exportTools: (recorded) => (Array.isArray(recorded) && recorded.length > 0 ? recorded : OPENAI_TOOLS),
  };
}

export { OPENAI_TOOLS } from './tools.js';
export { parseArguments } from './parse.js';
