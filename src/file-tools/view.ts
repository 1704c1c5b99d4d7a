import type { AgentCode } from '../core/errors.js';
import type { ExecResult, Sandbox } from '../core/contracts.js';
import type { Action, Failure, StreamCapture } from '../trajectory/schema.js';
import { OutputCapture } from '../core/capture.js';
import { FILE_LIMITS } from './limits.js';
import { toolObservation } from './observation.js';
import { describeFailure, type FileIoOptions } from './read-write.js';
import { COUNT_LINES_SCRIPT, OUTCOME, safePath, VIEW_SCRIPT } from './scripts.js';

export type ViewAction = Extract<Action, { tool: 'view' }>;

/**
 * Show a file with line numbers, or list a folder. The range is cut in the container
 * and at most `maxOutputBytes` of the file cross into the harvester, whatever its size;
 * a whole-file view of a file over the view cap is refused with a hint to use a range.
 */
export async function viewFile(sandbox: Sandbox, action: ViewAction, options: FileIoOptions & { maxOutputBytes: number }): Promise<ExecResult & { failure?: Failure }> {
  const started = performance.now();
  const fail = (code: AgentCode, message: string, timedOut = false) => ({
    observation: toolObservation(timedOut ? null : 1, '', `${message}\n`, started, { timedOut }),
    state: null,
    failure: { kind: 'agent' as const, code, message },
  });
  const first = action.start_line ?? 1;
  const last = action.end_line ?? 0;
  if (last !== 0 && last < first) return fail('LINE_RANGE', `view: ${action.path}: end_line ${last} is before start_line ${first}`);
  const outcap = options.maxOutputBytes;
  const args = [safePath(action.path), String(FILE_LIMITS.viewBytes), String(first), String(last), String(outcap)];
  const result = await sandbox.runTool(VIEW_SCRIPT, args, { maxStdoutBytes: outcap, timeoutMs: options.timeoutMs, signal: options.signal });
  if (result.timedOut) return fail('TOOL_TIMEOUT', `view: ${action.path}: timed out after ${Math.round(options.timeoutMs / 1000)} s`, true);
  const cut = result.stdout.length >= outcap ? `\n[view stopped after ${outcap} bytes; view a narrower line range (start_line, end_line)]\n` : '';
  switch (result.exitCode) {
    case OUTCOME.directory:
      return { observation: toolObservation(0, Buffer.concat([result.stdout, Buffer.from(cut)]), '', started), state: null };
    case OUTCOME.missing: return fail('FILE_NOT_FOUND', `view: ${action.path}: no such file or directory`);
    case OUTCOME.special: return fail('NOT_A_REGULAR_FILE', `view: ${action.path}: not a regular file (a device, FIFO or socket)`);
    case OUTCOME.tooLarge:
      return fail('FILE_TOO_LARGE', `view: ${action.path}: the file is ${result.stdout.toString('utf8')} bytes, over the ${FILE_LIMITS.viewBytes}-byte limit of a whole-file view; view a line range (start_line, end_line) or search it with bash (grep -n)`);
    case OUTCOME.ok:
      // sed's read error (an unreadable /proc file) is hidden by the pipe's status: its stderr tells.
      if (result.stdout.length === 0 && result.stderr.length > 0) return fail('FILE_UNREADABLE', `view: ${action.path}: cannot read: ${describeFailure(result)}`);
      break;
    default: return fail('FILE_UNREADABLE', `view: ${action.path}: cannot read: ${describeFailure(result)}`);
  }
  if (result.stdout.length === 0 && first > 1) {
    const count = await sandbox.runTool(COUNT_LINES_SCRIPT, [safePath(action.path)], { maxStdoutBytes: 32, timeoutMs: options.timeoutMs, signal: options.signal });
    const lines = Number(count.stdout.toString('utf8')) || 0;
    if (first > Math.max(lines, 1)) return fail('LINE_RANGE', `view: ${action.path}: line range ${first}-${last || lines} is outside the file's ${lines} lines`);
  }
  return { observation: toolObservation(0, numberLines(result.stdout, first, outcap, cut), '', started), state: null };
}

/** `     N\t` before each line, bytes kept as they are; a last line without a newline gets one. */
export function numberLines(bytes: Buffer, first: number, cap: number, suffix = ''): StreamCapture {
  const capture = new OutputCapture(cap);
  let n = first;
  for (let start = 0; start < bytes.length; n += 1) {
    const end = bytes.indexOf(10, start);
    const stop = end < 0 ? bytes.length : end;
    capture.push(Buffer.from(`${String(n).padStart(6)}\t`));
    capture.push(bytes.subarray(start, stop));
    capture.push(Buffer.from('\n'));
    start = stop + 1;
  }
  if (suffix) capture.push(Buffer.from(suffix));
  return capture.finish();
}
