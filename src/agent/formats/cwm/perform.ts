import { posix } from 'node:path';
import type { ExecResult, Sandbox } from '../../../core/contracts.js';
import { FILE_LIMITS, readBounded, writeExact } from '../../../file-tools/index.js';
import { toolObservation } from '../../../file-tools/observation.js';
import type { Action, Failure } from '../../../trajectory/schema.js';
import { decodeTraceback, directoryTraceback, utf8DecodeError } from './edit-errors.js';
import { applyCwmEdit, createMessage, readAsPython } from './edit-tool.js';
import { pyStrip } from './template.js';

export interface CwmToolOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export type CwmToolResult = ExecResult & { failure?: Failure };

/** $1 path: whether it exists (following links, as os.path.exists), then the physical working directory. */
const FACTS_SCRIPT = `if [ -e "$1" ]; then echo 1; else echo 0; fi
pwd -P`;

/**
 * CWM's edit, create and submit against a sandbox, with CWM's rules and answers: the edit
 * and create plugins print one message and exit 0 or 1 (here the message is the step's
 * stdout and the exit code its own, as CWM's session reads them), submit runs `cat PATH` in
 * the agent's session. Paths are taken as written and resolved from the session's working
 * directory, as the plugins, which run in the session, resolve them.
 */
export async function performCwmTool(sandbox: Sandbox, action: Action, options: CwmToolOptions): Promise<CwmToolResult | undefined> {
  switch (action.tool) {
    case 'edit':
      return editInSandbox(sandbox, action, options);
    case 'create':
      return createInSandbox(sandbox, action, options);
    case 'submit':
      // submit_diff_file: `cat {path}` in the session, the path unquoted as CWM sends it.
      return sandbox.exec(`cat ${pyStrip(action.result ?? '')}`, { timeoutMs: options.timeoutMs, signal: options.signal });
    default:
      return undefined;
  }
}

async function editInSandbox(sandbox: Sandbox, action: Extract<Action, { tool: 'edit' }>, options: CwmToolOptions): Promise<CwmToolResult> {
  const started = performance.now();
  const read = await readBounded(sandbox, action.path, FILE_LIMITS.editBytes, 'edit', options);
  if ('refusal' in read) {
    const { code } = read.refusal;
    // What the plugin prints: its own message for a missing path, Python's traceback for a directory;
    // forager's refusal where CWM's plugin would read what forager will not (a device, a FIFO, a file over the cap).
    if (code === 'FILE_NOT_FOUND') return answered(1, `The path ${action.path} does not exist. Please provide a valid path.`, started, read.refusal.failure);
    if (code === 'IS_A_DIRECTORY') return crashed(directoryTraceback(action.path), started, read.refusal.failure);
    return answered(1, read.refusal.message, started, read.refusal.failure);
  }
  const undecodable = utf8DecodeError(read.bytes);
  if (undecodable !== undefined) {
    return crashed(decodeTraceback(undecodable), started, { kind: 'agent', code: 'FILE_NOT_TEXT', message: `edit: ${action.path} is not UTF-8 text (${undecodable})` });
  }
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(read.bytes);
  const outcome = applyCwmEdit(readAsPython(text), action.path, action.search, action.replace);
  if (!outcome.ok) {
    const code = outcome.message.includes('Multiple occurrences') ? 'EDIT_AMBIGUOUS' : 'EDIT_NO_MATCH';
    return answered(1, outcome.message, started, { kind: 'agent', code, message: `edit: ${outcome.message}` });
  }
  const refusal = await writeExact(sandbox, action.path, Buffer.from(outcome.content, 'utf8'), 'edit', 'edit', options);
  if (refusal) return answered(1, refusal.message, started, refusal.failure);
  return withState(sandbox, answered(0, outcome.message, started), options);
}

async function createInSandbox(sandbox: Sandbox, action: Extract<Action, { tool: 'create' }>, options: CwmToolOptions): Promise<CwmToolResult> {
  const started = performance.now();
  const facts = await sandbox.runTool(FACTS_SCRIPT, [action.path], { maxStdoutBytes: 8192, ...options });
  const [exists, cwd = sandbox.workdir] = facts.stdout.toString('utf8').split('\n');
  // os.path.dirname(os.path.abspath(path)): lexical, from the process's working directory.
  const parent = posix.dirname(posix.resolve(cwd, action.path));
  const parentFacts = await sandbox.runTool(FACTS_SCRIPT, [parent], { maxStdoutBytes: 8192, ...options });
  const answer = createMessage(action.path, { exists: exists === '1', parent, parentExists: parentFacts.stdout.toString('utf8').startsWith('1') }, action.content);
  if (!answer.ok) return answered(1, answer.message, started, { kind: 'agent', code: exists === '1' ? 'FILE_EXISTS' : 'NO_PARENT_FOLDER', message: `create: ${answer.message}` });
  const refusal = await writeExact(sandbox, action.path, Buffer.from(action.content, 'utf8'), 'new', 'create', options);
  if (refusal) return answered(1, refusal.message, started, refusal.failure);
  return withState(sandbox, answered(0, answer.message, started), options);
}

/** Python's traceback on stderr and exit code 1: the plugin died before printing its answer. */
function crashed(traceback: string, started: number, failure?: Failure): CwmToolResult {
  return { observation: toolObservation(1, '', traceback, started), state: null, ...(failure ? { failure } : {}) };
}

/** The plugin's printed line (print adds the newline) and exit code. */
function answered(exitCode: number, message: string, started: number, failure?: Failure): CwmToolResult {
  return { observation: toolObservation(exitCode, `${message}\n`, '', started), state: null, ...(failure ? { failure } : {}) };
}

/** A change to the sandbox: the step's state from the sandbox's own probe, as for a shell command. */
async function withState(sandbox: Sandbox, result: CwmToolResult, options: CwmToolOptions): Promise<CwmToolResult> {
  const { state } = await sandbox.exec('', { trackState: true, timeoutMs: options.timeoutMs, signal: options.signal });
  return { ...result, state };
}
