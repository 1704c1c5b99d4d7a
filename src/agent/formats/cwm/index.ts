import type { ChatCompletion, ChatMessage } from '../../../model/index.js';
import type { Action, Observation } from '../../../trajectory/schema.js';
import { renderObservation } from '../../render.js';
import { renderProblem } from '../problem.js';
import type { BudgetView, FormatOptions, ParsedTurn, ToolFormat } from '../types.js';
import { formatCwmCall, formatCwmObservation, stripCwmCalls } from './call.js';
import { exportCwmTurn } from './chat-export.js';
import { parseCwmCall } from './parse.js';
import { CWM_SYSTEM_PROMPT, CWM_USER_PROMPT } from './prompts.js';

/**
 * CWM's text format: one `<tool: NAME>` block per turn. Chat roles map onto the OpenAI
 * API as: `system`, `user`, `assistant` as they are; CWM's `tool: NAME` observation turn
 * as role `tool` with `name: NAME` (or role `user` when `observationRole` is `user`); a
 * format error as a `user` message, as CWM sends it.
 */
export function createCwmFormat(options: FormatOptions = {}): ToolFormat {
  const role = options.observationRole ?? 'tool';
  return {
    name: 'cwm',
    defaultSystemPrompt: CWM_SYSTEM_PROMPT,
    defaultUserPrompt: CWM_USER_PROMPT,
    tools: () => undefined,
    parse(completion): ParsedTurn {
      const parsed = parseCwmCall(completion.text);
      return parsed.ok ? { calls: [{ ok: true, name: parsed.toolName, action: parsed.action }] } : { calls: [], problem: parsed.problem };
    },
    assistantMessage: (completion): ChatMessage => ({ role: 'assistant', content: completion.text }),
    replyMessages(turn, replies): ChatMessage[] {
      const call = turn.calls[0];
      const content = replies[0] ?? '';
      if (!call || role === 'user') return [{ role: 'user', content }];
      return [{ role: 'tool', name: call.name, content }];
    },
    renderObservation: (action: Action, observation: Observation, budget: BudgetView) => formatCwmObservation(renderObservation(action, observation), budget),
    renderError: renderProblem,
    recordedCompletion: (action): ChatCompletion => ({ text: formatCwmCall(action), toolCalls: [], finishReason: 'stop', latencyMs: 0, retries: 0 }),
    prose: stripCwmCalls,
    exportTurn: exportCwmTurn,
    exportTools: () => undefined,
  };
}

export { formatCwmCall, formatCwmObservation } from './call.js';
export { parseCwmCall, CWM_TOOL_CALL } from './parse.js';
