import type { Action } from '../trajectory/schema.js';
import { isObject, type Json } from './errors.js';

/**
 * The forager action a peer's tool call was, when forager has one that does the same:
 * shell calls are `bash`, an editor's view/create/str_replace are `view`/`create`/`edit`,
 * finish/submit is `submit`. Anything else (think, insert, undo, browse) is null; the
 * call itself stays in the step's model turn.
 */
export function actionOfCall(name: string, args: Json): Action | null {
  const str = (key: string) => (typeof args[key] === 'string' ? (args[key] as string) : undefined);
  switch (name) {
    case 'bash': case 'execute_bash': case 'run': case 'shell': case 'terminal': case 'run_command': case 'execute_command': {
      const command = str('command') ?? str('cmd');
      return command === undefined ? null : { tool: 'bash', command };
    }
    case 'str_replace_editor': case 'str_replace_based_edit_tool': case 'file_editor': case 'edit': case 'editor':
      return editorAction(args);
    case 'view': case 'read': case 'read_file': {
      const path = str('path');
      return path ? viewAction(path, args['view_range']) : null;
    }
    case 'submit': case 'finish': {
      const result = str('message') ?? str('result') ?? str('final_thought');
      return result === undefined ? { tool: 'submit' } : { tool: 'submit', result };
    }
    default:
      return null;
  }
}

function editorAction(args: Json): Action | null {
  const path = typeof args['path'] === 'string' && args['path'] !== '' ? args['path'] : undefined;
  if (!path) return null;
  switch (args['command']) {
    case 'view': return viewAction(path, args['view_range']);
    case 'create': return typeof args['file_text'] === 'string' ? { tool: 'create', path, content: args['file_text'] } : null;
    case 'str_replace': {
      const search = args['old_str'];
      if (typeof search !== 'string' || search === '') return null;
      return { tool: 'edit', path, search, replace: typeof args['new_str'] === 'string' ? args['new_str'] : '' };
    }
    default: return null;
  }
}

function viewAction(path: string, range: unknown): Action {
  if (Array.isArray(range) && range.length === 2 && range.every((n) => Number.isInteger(n) && (n as number) > 0)) {
    return { tool: 'view', path, start_line: range[0] as number, end_line: range[1] as number };
  }
  return { tool: 'view', path };
}

/** A call's arguments as an object: OpenAI sends a JSON string, others an object; anything unreadable is empty. */
export function parseArguments(value: unknown): Json {
  if (isObject(value)) return value;
  if (typeof value !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * The shell command in a text-mode turn as SWE-agent's ThoughtActionParser takes it
 * (sweagent/tools/parsing.py): the last fenced block not nested in another, a fence being
 * a line starting ```` ```lang ```` (opens) or a bare ```` ``` ```` line (closes); the
 * command is everything between the opening line's end and the closing fence, its final
 * newline included, as SWE-agent ran it. Undefined when there is no such block.
 */
export function commandInText(text: string): string | undefined {
  const stack: RegExpExecArray[] = [];
  let last: [RegExpExecArray, RegExpExecArray] | undefined;
  FENCE.lastIndex = 0;
  for (let match = FENCE.exec(text); match !== null; match = FENCE.exec(text)) {
    if (stack.length > 0 && !match[1]) {
      const start = stack.pop()!;
      if (stack.length === 0) last = [start, match];
    } else if (match[1] !== undefined) stack.push(match);
  }
  if (!last) return undefined;
  const [start, end] = last;
  return text.slice(start.index + start[0].length, end.index);
}

/** Python's whitespace (str.isspace), for `\s`/`\S` as Python's re reads them. */
const PY_S = '[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
/**
 * SWE-agent's `^```(\\S*)\\s*\\n|^```\\s*$` under re.MULTILINE, in JavaScript: Python's `^`
 * follows only `\\n` and its `$` comes only before `\\n` or at the end (JavaScript's /m also
 * takes `\\r`, U+2028 and U+2029 as line ends), and its `\\s` is str.isspace.
 */
const FENCE = new RegExp(`(?<![^\\n])\`\`\`((?:(?!${PY_S})[^])*)${PY_S}*\\n|(?<![^\\n])\`\`\`${PY_S}*?(?=\\n|$)`, 'g');
