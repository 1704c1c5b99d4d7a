import type { ExecResult, Sandbox } from '../core/contracts.js';
import type { Action, Failure } from '../trajectory/schema.js';
import { FILE_LIMITS } from './limits.js';
import { toolObservation } from './observation.js';
import type { ToolRefusal } from './outcome.js';
import { readBounded, writeExact, type FileIoOptions } from './read-write.js';
import { findOnce, spliceBytes } from './splice.js';

export type EditAction = Extract<Action, { tool: 'edit' }>;
export type CreateAction = Extract<Action, { tool: 'create' }>;
export type ToolResult = ExecResult & { failure?: Failure };

/**
 * Replace the one occurrence of the search text. Works on bytes: the search text is
 * matched as its UTF-8 bytes and only that span is replaced, so every other byte (invalid
 * UTF-8, CRLF, NUL) stays exactly as it was. A file over the edit cap is refused.
 */
export async function editFile(sandbox: Sandbox, action: EditAction, options: FileIoOptions): Promise<ToolResult> {
  const started = performance.now();
  const read = await readBounded(sandbox, action.path, FILE_LIMITS.editBytes, 'edit', options);
  if ('refusal' in read) return refused(read.refusal, started);
  const search = Buffer.from(action.search, 'utf8');
  const found = findOnce(read.bytes, search);
  if ('matches' in found) {
    const why = found.matches === 0
      ? `edit: the search text was not found in ${action.path}; no change made`
      : `edit: the search text matches ${found.matches} places in ${action.path}; it must match exactly one (add surrounding lines); no change made`;
    return refused({ code: found.matches === 0 ? 'EDIT_NO_MATCH' : 'EDIT_AMBIGUOUS', message: why, timedOut: false }, started);
  }
  const updated = spliceBytes(read.bytes, found.at, search.length, Buffer.from(action.replace, 'utf8'));
  if (updated.length > FILE_LIMITS.editBytes) {
    return refused({ code: 'FILE_TOO_LARGE', message: `edit: ${action.path}: the edited file would be ${updated.length} bytes, over the ${FILE_LIMITS.editBytes}-byte limit of edit; no change made`, timedOut: false }, started);
  }
  const refusal = await writeExact(sandbox, action.path, updated, 'edit', 'edit', options);
  if (refusal) return refused(refusal, started);
  return done(sandbox, started, options);
}

/** Write a new file (or overwrite one when asked), parent folders made; the content's UTF-8 bytes exactly. */
export async function createFile(sandbox: Sandbox, action: CreateAction, options: FileIoOptions): Promise<ToolResult> {
  const started = performance.now();
  const content = Buffer.from(action.content, 'utf8');
  if (content.length > FILE_LIMITS.editBytes) {
    return refused({ code: 'FILE_TOO_LARGE', message: `create: ${action.path}: the content is ${content.length} bytes, over the ${FILE_LIMITS.editBytes}-byte limit of create`, timedOut: false }, started);
  }
  const refusal = await writeExact(sandbox, action.path, content, action.overwrite ? 'overwrite' : 'new', 'create', options);
  if (refusal) return refused(refusal, started);
  return done(sandbox, started, options);
}

/** Success: the step's state comes from the sandbox's own probe, as for a shell command. */
async function done(sandbox: Sandbox, started: number, options: FileIoOptions): Promise<ToolResult> {
  const observation = toolObservation(0, '', '', started);
  const { state } = await sandbox.exec('', { trackState: true, timeoutMs: options.timeoutMs, signal: options.signal });
  return { observation, state };
}

function refused(refusal: Pick<ToolRefusal, 'code' | 'message' | 'timedOut'>, started: number): ToolResult {
  return {
    observation: toolObservation(refusal.timedOut ? null : 1, '', `${refusal.message}\n`, started, { timedOut: refusal.timedOut }),
    state: null,
    failure: { kind: 'agent', code: refusal.code, message: refusal.message },
  };
}
