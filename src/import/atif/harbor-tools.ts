import type { Action } from '../../trajectory/schema.js';
import { actionOfCall } from '../actions.js';
import type { Json } from '../errors.js';

/**
 * The action a tool call in an ATIF document was, for the tool names Harbor's agents write
 * (checked against Harbor's docs and the calls its agents make): terminus-2's
 * `bash_command {keystrokes, duration}` (keystrokes typed into its tmux terminal, recorded
 * as typed: a trailing newline, or a key name such as `C-c`, stays as it is),
 * mini-swe-agent's and others' `bash_command {command}`, navigator's
 * `terminal_run_command {command}`, and `mark_task_complete` (the agent declaring the task
 * done). Other names go to the shared mapping (bash, str_replace_editor, finish…); a call
 * forager has no tool for is null, its call kept with its arguments.
 */
export function actionOfAtifCall(name: string, args: Json): Action | null {
  switch (name) {
    case 'bash_command': case 'terminal_run_command': {
      const typed = typeof args['keystrokes'] === 'string' ? args['keystrokes'] : typeof args['command'] === 'string' ? args['command'] : undefined;
      return typed === undefined ? null : { tool: 'bash', command: typed };
    }
    case 'mark_task_complete': return { tool: 'submit' };
    default: return actionOfCall(name, args);
  }
}
