import type { Action } from '../../../trajectory/schema.js';

/** An action as a CWM call; `view`, which CWM does not have, as its path (CWM answers NoSuchToolError). */
export function formatCwmCall(action: Action): string {
  switch (action.tool) {
    case 'bash':
      return `<tool: bash>\n${action.command}\n</tool>`;
    case 'edit':
      return `<tool: edit>\n${action.path}\n<<<<<<< SEARCH\n${action.search}\n=======\n${action.replace}\n>>>>>>> REPLACE\n</tool>`;
    case 'create':
      return `<tool: create>\n${action.path}\n${action.content}\n</tool>`;
    case 'submit':
      return `<tool: submit>\n${action.result ?? ''}\n</tool>`;
    case 'view':
      return `<tool: view>\n${action.path}\n</tool>`;
  }
}
