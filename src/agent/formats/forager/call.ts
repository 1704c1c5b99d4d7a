import type { Action } from '../../../trajectory/schema.js';
import type { BudgetView } from '../types.js';

/** An action written as a CWM tool call; `view`, which CWM lacks, as PATH then START:END. */
export function formatForagerCall(action: Action): string {
  switch (action.tool) {
    case 'bash':
      return `<tool: bash>\n${action.command}\n</tool>`;
    case 'edit':
      return `<tool: edit>\n${action.path}\n<<<<<<< SEARCH\n${action.search}\n=======\n${action.replace}\n>>>>>>> REPLACE\n</tool>`;
    case 'create':
      return `<tool: create>\n${action.path}\n${action.content}\n</tool>`;
    case 'submit':
      return `<tool: submit>\n${action.result ?? ''}\n</tool>`;
    case 'view': {
      const range = action.start_line === undefined && action.end_line === undefined ? '' : `\n${action.start_line ?? 1}:${action.end_line ?? ''}`;
      return `<tool: view>\n${action.path}${range}\n</tool>`;
    }
  }
}

/** CWM's observation message: the output, then the budget block. */
export function formatForagerObservation(output: string, budget: BudgetView): string {
  const tokens = budget.remainingTokens === null ? 'unlimited' : String(budget.remainingTokens);
  return `<output>\n${output}\n</output>\n\n<budget>\n* Remaining turns: ${budget.remainingTurns}\n* Remaining tokens: ${tokens}\n</budget>`;
}

/** An observation as CWM shows it, unless it was already rendered that way. */
export function wrapForagerOutput(shown: string): string {
  return shown.startsWith('<output>\n') ? shown : `<output>\n${shown}\n</output>`;
}

/** The text with its CWM tool calls removed (what the model said around the call). */
export function stripForagerCalls(text: string): string {
  return text.replace(/<tool:\s[a-zA-Z_]+>\n[\s\S]*?\n<\/tool>/g, '').trim();
}
