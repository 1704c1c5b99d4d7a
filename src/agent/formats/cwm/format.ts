import type { ChatCompletion, ChatMessage } from '../../../model/index.js';
import type { Action, Observation } from '../../../trajectory/schema.js';
import { renderProblem } from '../problem.js';
import type { BudgetView, FormatOptions, ParsedTurn, ToolFormat } from '../types.js';
import { exportCwmTurn } from './chat-export.js';
import { toolFeedback } from './observe.js';
import { CWM_TOOL_CALL, parseCwmToolCall, toCwmAction } from './parse.js';
import { budgetNotice, cwmSystemPrompt, fillPython, FEEDBACK_OUTPUT_PROMPT, type CwmReasoning } from './prompts.js';
import * as T from './prompt-texts.js';
import { formatCwmCall } from './call.js';

export { formatCwmCall };

/** CWM's system prompt with forager's placeholders where CWM fills in numbers. */
export function cwmSystemTemplate(reasoning: CwmReasoning = 'off', plugins = true): string {
  return cwmSystemPrompt({ contextSize: '{{context_window}}', maxTurns: '{{max_turns}}', sessionTimeoutS: '{{action_timeout_s}}', reasoning, plugins });
}
/** CWM's USER_ISSUE_SOLVING: the task's instruction is the issue, the workdir the repository root. */
export const CWM_USER_TEMPLATE = fillPython(T.USER_ISSUE_SOLVING, { issue: '{{instruction}}', repo_root: '{{workdir}}' });

/**
 * CWM's SWE environment as a tool format. Live runs go through CwmAgent (agent/cwm-agent.ts),
 * which keeps CWM's token ledger; this object serves the registry: parsing, the call syntax,
 * and the chat export of recorded turns.
 */
export function createCwmFormat(options: FormatOptions = {}): ToolFormat {
  const role = options.observationRole ?? 'tool';
  return {
    name: 'cwm',
    defaultSystemPrompt: cwmSystemTemplate(),
    defaultUserPrompt: CWM_USER_TEMPLATE,
    tools: () => undefined,
    parse(completion): ParsedTurn {
      const call = parseCwmToolCall(completion.text);
      if (!call.ok) return { calls: [], problem: call.problem };
      const action = toCwmAction(call.name, call.body);
      return 'message' in action ? { calls: [{ ok: false, name: call.name, problem: action }] } : { calls: [{ ok: true, name: call.name, action }] };
    },
    assistantMessage: (completion): ChatMessage => ({ role: 'assistant', content: completion.text }),
    replyMessages(turn, replies): ChatMessage[] {
      const call = turn.calls[0];
      const content = replies[0] ?? '';
      if (!call || role === 'user' || (!call.ok && !call.problem.tool)) return [{ role: 'user', content }];
      return [{ role: 'tool', name: call.name, content }];
    },
    renderObservation(action: Action, observation: Observation, budget: BudgetView): string {
      const output = fillPython(FEEDBACK_OUTPUT_PROMPT, { feedback: toolFeedback(action, observation).feedback });
      return `${output}\n\n${budgetNotice(budget.remainingTurns, budget.remainingTokens ?? 0)}`;
    },
    renderError: renderProblem,
    recordedCompletion: (action): ChatCompletion => ({ text: formatCwmCall(action), toolCalls: [], finishReason: 'stop', latencyMs: 0, retries: 0 }),
    prose: (text) => text.replace(CWM_TOOL_CALL, '').trim(),
    exportTurn: exportCwmTurn,
    exportTools: () => undefined,
  };
}
