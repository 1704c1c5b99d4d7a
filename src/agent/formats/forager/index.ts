import type { ChatCompletion, ChatMessage } from '../../../model/index.js';
import type { Action, Observation } from '../../../trajectory/schema.js';
import { renderObservation } from '../../render.js';
import { renderProblem } from '../problem.js';
import type { BudgetView, FormatOptions, ParsedTurn, ToolFormat } from '../types.js';
import { formatForagerCall, formatForagerObservation, stripForagerCalls } from './call.js';
import { exportForagerTurn } from './chat-export.js';
import { parseForagerCall } from './parse.js';
import { FORAGER_SYSTEM_PROMPT, FORAGER_USER_PROMPT } from './prompts.js';

/**
 * CWM's text format: one `<tool: NAME>` block per turn. Chat roles map onto the OpenAI
 * API as: `system`, `user`, `assistant` as they are; CWM's `tool: NAME` observation turn
 * as role `tool` with `name: NAME` (or role `user` when `observationRole` is `user`); a
 * format error as a `user` message, as CWM sends it.
 */
export function createForagerFormat(options: FormatOptions = {}): ToolFormat {
  const role = options.observationRole ?? 'tool';
  return {
    name: 'forager',
    defaultSystemPrompt: FORAGER_SYSTEM_PROMPT,
    defaultUserPrompt: FORAGER_USER_PROMPT,
    tools: () => undefined,
    parse(completion): ParsedTurn {
      const parsed = parseForagerCall(completion.text);
      return parsed.ok ? { calls: [{ ok: true, name: parsed.toolName, action: parsed.action }] } : { calls: [], problem: parsed.problem };
    },
    assistantMessage: (completion): ChatMessage => ({ role: 'assistant', content: completion.text }),
    replyMessages(turn, replies): ChatMessage[] {
      const call = turn.calls[0];
      const content = replies[0] ?? '';
      if (!call || role === 'user') return [{ role: 'user', content }];
      return [{ role: 'tool', name: call.name, content }];
    },
    renderObservation: (action: Action, observation: Observation, budget: BudgetView) => formatForagerObservation(renderObservation(action, observation), budget),
    renderError: renderProblem,
    recordedCompletion: (action): ChatCompletion => ({ text: formatForagerCall(action), toolCalls: [], finishReason: 'stop', latencyMs: 0, retries: 0 }),
    prose: stripForagerCalls,
    exportTurn: exportForagerTurn,
    exportTools: () => undefined,
  };
}

export { formatForagerCall, formatForagerObservation } from './call.js';
export { parseForagerCall, CWM_TOOL_CALL } from './parse.js';
