import type { ExecResult, Sandbox } from '../core/contracts.js';
import type { Action, Observation } from '../trajectory/schema.js';
import { emptyCapture, textCapture } from './capture.js';
import { shellQuote } from './quote.js';

export interface ActionOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  maxOutputBytes?: number;
}

/**
 * Carry out one action in the sandbox. Tool misuse (a missing file, an edit whose
 * search text matches zero or several times) is an observation with exit code 1 and
 * the reason on stderr, never a throw.
 */
export async function performAction(sandbox: Sandbox, action: Action, options: ActionOptions = {}): Promise<ExecResult> {
  switch (action.tool) {
    case 'bash':
      return sandbox.exec(action.command, {
        timeoutMs: action.timeout_s !== undefined ? action.timeout_s * 1000 : options.timeoutMs,
        signal: options.signal,
      });
    case 'view':
      return viewFile(sandbox, action, options);
    case 'create':
      return createFile(sandbox, action, options);
    case 'edit':
      return editFile(sandbox, action, options);
    case 'submit':
      return { observation: synthetic(0, action.result ?? '', '', 0), state: null };
  }
}

async function viewFile(sandbox: Sandbox, action: Extract<Action, { tool: 'view' }>, options: ActionOptions): Promise<ExecResult> {
  const started = performance.now();
  const p = shellQuote(action.path);
  // A directory is listed two levels deep, hidden entries left out, as SWE-agent's viewer does.
  const listing = await sandbox.exec(
    `if [ -d ${p} ]; then find ${p} -maxdepth 2 -not -path '*/.*' | sort; else __forager_return 45; fi`,
    { ...options, trackState: false },
  );
  if (listing.observation.exit_code !== 45) return listing;
  const bytes = await sandbox.readFile(action.path, options);
  if (bytes === null) return { observation: synthetic(1, '', `view: ${action.path}: no such file or directory\n`, started), state: null };
  const lines = bytes.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const first = action.start_line ?? 1;
  const last = Math.min(action.end_line ?? lines.length, lines.length);
  if (first > Math.max(lines.length, 1) || last < first) {
    return { observation: synthetic(1, '', `view: ${action.path}: line range ${first}-${last} is outside the file's ${lines.length} lines\n`, started), state: null };
  }
  const numbered = lines.slice(first - 1, last).map((line, i) => `${String(first + i).padStart(6)}\t${line}`);
  return { observation: synthetic(0, numbered.length ? `${numbered.join('\n')}\n` : '', '', started, options.maxOutputBytes), state: null };
}

async function createFile(sandbox: Sandbox, action: Extract<Action, { tool: 'create' }>, options: ActionOptions): Promise<ExecResult> {
  const p = shellQuote(action.path);
  const b64 = Buffer.from(action.content, 'utf8').toString('base64');
  const guard = action.overwrite
    ? `if [ -d ${p} ]; then printf 'create: %s is a directory\\n' ${p} >&2; __forager_return 1`
    : `if [ -e ${p} ]; then printf 'create: %s already exists (edit it, or create with overwrite)\\n' ${p} >&2; __forager_return 1`;
  return sandbox.exec(
    `${guard}; else mkdir -p -- "$(dirname -- ${p})" && base64 -d > ${p} <<'__FORAGER_EOF__'\n${b64}\n__FORAGER_EOF__\nfi`,
    { timeoutMs: options.timeoutMs, signal: options.signal },
  );
}

async function editFile(sandbox: Sandbox, action: Extract<Action, { tool: 'edit' }>, options: ActionOptions): Promise<ExecResult> {
  const started = performance.now();
  const bytes = await sandbox.readFile(action.path, options);
  if (bytes === null) return { observation: synthetic(1, '', `edit: ${action.path}: no such file\n`, started), state: null };
  const text = bytes.toString('utf8');
  const matches = countOccurrences(text, action.search);
  if (matches !== 1) {
    const why = matches === 0
      ? `edit: the search text was not found in ${action.path}; no change made\n`
      : `edit: the search text matches ${matches} places in ${action.path}; it must match exactly one (add surrounding lines); no change made\n`;
    return { observation: synthetic(1, '', why, started), state: null };
  }
  const at = text.indexOf(action.search);
  const updated = text.slice(0, at) + action.replace + text.slice(at + action.search.length);
  const p = shellQuote(action.path);
  const b64 = Buffer.from(updated, 'utf8').toString('base64');
  return sandbox.exec(`base64 -d > ${p} <<'__FORAGER_EOF__'\n${b64}\n__FORAGER_EOF__`, {
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
}

export function countOccurrences(text: string, search: string): number {
  let count = 0;
  for (let at = text.indexOf(search); at >= 0; at = text.indexOf(search, at + 1)) count += 1;
  return count;
}

function synthetic(exitCode: number, stdout: string, stderr: string, started: number, cap?: number): Observation {
  return {
    stdout: stdout ? textCapture(stdout, cap) : emptyCapture(),
    stderr: stderr ? textCapture(stderr) : emptyCapture(),
    exit_code: exitCode,
    signal: null,
    timed_out: false,
    duration_ms: started ? Math.round((performance.now() - started) * 1000) / 1000 : 0,
    session_restarted: false,
  };
}
