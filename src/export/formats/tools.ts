import type { Action } from '../../trajectory/schema.js';

/** The arguments of an action as a function call: every field but `tool`, JSON-encoded. */
export function actionArguments(action: Action): string {
  const { tool: _tool, ...rest } = action;
  return JSON.stringify(rest);
}
