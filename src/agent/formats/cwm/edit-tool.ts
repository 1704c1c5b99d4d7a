import { pyLstrip } from './template.js';

/** Lines shown on each side of an edit (the edit plugin's SNIPPET_LINES). */
const SNIPPET_LINES = 8;

export type CwmEditOutcome = { ok: true; message: string; content: string } | { ok: false; message: string };

/** Every start of `needle` in `text`, overlapping ones included (find_all_occurrences). */
function findAll(text: string, needle: string): number[] {
  const at: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1)) at.push(i);
  return at;
}

function countNewlines(text: string, end = text.length): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}

/**
 * CWM's edit on a file's text (cwm/rl/swerl/plugins/edit.py): the search lines must match
 * from a line start, exactly once; the answer names the line, the new line count and the
 * lines around the edit, numbered. `content` is the file as Python read it (universal
 * newlines: CRLF and CR became LF, and are written back so).
 */
export function applyCwmEdit(content: string, path: string, search: string, replace: string): CwmEditOutcome {
  const file = `\n${content}`;
  const needle = `\n${search}`;
  const occurrences = findAll(file, needle);
  if (occurrences.length === 0) {
    let message = `No replacement was performed, the search lines did not appear verbatim in ${path}.`;
    const firstEnd = needle.indexOf('\n', 1);
    const firstLine = firstEnd !== -1 ? needle.slice(1, firstEnd) : needle.slice(1);
    if (file.includes(pyLstrip(firstLine))) message += ' The search lines must exactly match one or more consecutive lines from the file, with indentations preserved.';
    return { ok: false, message };
  }
  if (occurrences.length > 1) {
    const lines = findAll(file, '\n').flatMap((at, i) => (file.startsWith(needle, at) ? [i + 1] : []));
    return { ok: false, message: `No replacement was performed. Multiple occurrences of the search text in lines [${lines.join(', ')}] of ${path}. Please ensure it is unique.` };
  }
  const at = occurrences[0]!;
  const replacement = `\n${replace}`;
  const updated = (file.slice(0, at) + replacement + file.slice(at + needle.length)).slice(1);
  const line = countNewlines(file, at) + 1;
  const total = countNewlines(updated) + 1;
  const start = Math.max(1, line - SNIPPET_LINES);
  const end = line + SNIPPET_LINES + countNewlines(replacement) - 1;
  const snippet = updated.split('\n').slice(start - 1, end).map((text, i) => `${String(start + i).padStart(6)}\t${text}`).join('\n');
  const message = `File ${path} has been successfully updated at line ${line} and now contains ${total} lines. The surrounding lines after the edit are shown below:\n${snippet}\nReview the changes and make sure they are as expected.`;
  return { ok: true, message, content: updated };
}

/** Python's universal newlines on reading a text file: CRLF and lone CR become LF. */
export function readAsPython(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** CWM's create answers (cwm/rl/swerl/plugins/create.py), in its order of checks. */
export function createMessage(path: string, facts: { exists: boolean; parent: string; parentExists: boolean }, content: string): { ok: boolean; message: string } {
  if (facts.exists) return { ok: false, message: `${path} already exists. Cannot create a new file at an existing path.` };
  if (path === '') return { ok: false, message: 'Path is empty. Please provide a valid path.' };
  if (!facts.parentExists) return { ok: false, message: `File creation failed. The parent directory ${facts.parent} does not exist.` };
  return { ok: true, message: `File created successfully at: ${path} (${countNewlines(content) + 1} lines).` };
}
