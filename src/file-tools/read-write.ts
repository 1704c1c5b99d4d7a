import { ForagerError, InfrastructureError, type AgentCode } from '../core/errors.js';
import type { Sandbox, ToolRunResult } from '../core/contracts.js';
import { FILE_LIMITS } from './limits.js';
import { ToolRefusal, type ReadOutcome } from './outcome.js';
import { OUTCOME, READ_SCRIPT, safePath, WRITE_SCRIPT } from './scripts.js';

export interface FileIoOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** What a script's failure says, for the agent: its stderr, trimmed. */
export function describeFailure(result: ToolRunResult): string {
  if (result.timedOut) return 'timed out';
  const text = result.stderr.toString('utf8').trim().slice(0, 500);
  return text || `exit code ${result.exitCode}`;
}

/**
 * A regular file's bytes, at most `cap` of them: the size is checked in the container
 * before a byte moves, and the transfer itself is cut at cap+1, so a file that grows
 * meanwhile is refused too. Tool names the caller (`view`, `edit`) in the refusals.
 */
export async function readBounded(sandbox: Sandbox, path: string, cap: number, tool: string, options: FileIoOptions): Promise<ReadOutcome> {
  const result = await sandbox.runTool(READ_SCRIPT, [safePath(path), String(cap)], { maxStdoutBytes: cap + 1, ...options });
  const refuse = (code: AgentCode, why: string) => ({ refusal: new ToolRefusal(code, `${tool}: ${path}: ${why}`, result.timedOut) });
  if (result.timedOut) return refuse('TOOL_TIMEOUT', `reading the file timed out after ${Math.round(options.timeoutMs / 1000)} s`);
  switch (result.exitCode) {
    case OUTCOME.ok:
      if (result.stdout.length > cap) return refuse('FILE_TOO_LARGE', `the file is over the ${cap}-byte limit of ${tool}; no change made (use bash: sed, python…)`);
      return { bytes: result.stdout };
    case OUTCOME.missing: return refuse('FILE_NOT_FOUND', 'no such file');
    case OUTCOME.directory: return refuse('IS_A_DIRECTORY', 'is a directory');
    case OUTCOME.special: return refuse('NOT_A_REGULAR_FILE', 'not a regular file (a device, FIFO or socket)');
    case OUTCOME.tooLarge:
      return refuse('FILE_TOO_LARGE', `the file is ${result.stdout.toString('utf8')} bytes, over the ${cap}-byte limit of ${tool}; no change made (use bash: sed, python…)`);
    default: return refuse('FILE_UNREADABLE', `cannot read: ${describeFailure(result)}`);
  }
}

/** Write `data` as the file's exact bytes; null when done, else why not. */
export async function writeExact(sandbox: Sandbox, path: string, data: Buffer, mode: 'new' | 'overwrite' | 'edit', tool: string, options: FileIoOptions): Promise<ToolRefusal | null> {
  const result = await sandbox.runTool(WRITE_SCRIPT, [safePath(path), mode], { stdin: data, maxStdoutBytes: 64, ...options });
  const refuse = (code: AgentCode, why: string) => new ToolRefusal(code, `${tool}: ${path}: ${why}`, result.timedOut);
  if (result.timedOut) return refuse('TOOL_TIMEOUT', `writing the file timed out after ${Math.round(options.timeoutMs / 1000)} s`);
  switch (result.exitCode) {
    case OUTCOME.ok: {
      const written = Number(result.stdout.toString('utf8').trim());
      return written === data.length ? null : refuse('TOOL_WRITE_FAILED', `wrote ${written} of ${data.length} bytes`);
    }
    case OUTCOME.directory: return refuse('IS_A_DIRECTORY', 'is a directory');
    case OUTCOME.exists: return refuse('FILE_EXISTS', 'already exists (edit it, or create with overwrite)');
    case OUTCOME.special: return refuse('NOT_A_REGULAR_FILE', 'not a regular file');
    case OUTCOME.noParent: return refuse('TOOL_WRITE_FAILED', `cannot make its folder: ${describeFailure(result)}`);
    default: return refuse('TOOL_WRITE_FAILED', `cannot write: ${describeFailure(result)}`);
  }
}

/** A file too large for the harvester to take in (Sandbox.readFile). */
export class FileTooLargeError extends ForagerError {
  constructor(message: string, path: string) {
    super('FILE_TOO_LARGE', 'agent', message, { context: { path } });
  }
}

/** Sandbox.readFile over the tool exec: null when missing, throws when over the cap or unreadable. */
export async function readSandboxFile(sandbox: Sandbox, path: string, options: FileIoOptions & { maxBytes?: number }): Promise<Buffer | null> {
  const outcome = await readBounded(sandbox, path, options.maxBytes ?? FILE_LIMITS.readBytes, 'read', options);
  if ('bytes' in outcome) return outcome.bytes;
  if (outcome.refusal.code === 'FILE_NOT_FOUND') return null;
  if (outcome.refusal.code === 'FILE_TOO_LARGE') throw new FileTooLargeError(outcome.refusal.message, path);
  throw new InfrastructureError('READ_FAILED', `could not read ${outcome.refusal.message}`, { context: { path } });
}
