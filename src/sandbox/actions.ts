import type { Sandbox } from '../core/contracts.js';
import type { Action } from '../trajectory/schema.js';
import { emptyCapture, textCapture } from '../core/capture.js';
import { createFile, editFile, viewFile, type ToolResult } from '../file-tools/index.js';

export interface ActionOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  maxOutputBytes?: number;
}

/** What an action did; `failure` (kind `agent`) when the agent misused a file tool. */
export type ActionResult = ToolResult;

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_OUTPUT_BYTES = 480 * 1024;

/**
 * Carry out one action in the sandbox. Tool misuse (a missing file, a device, a file
 * over a cap, an edit whose search text matches zero or several times) is an
 * observation with a non-zero exit code, the reason on stderr and an `agent` failure,
 * never a throw. File tools run outside the agent's shell (Sandbox.runTool), so what
 * the agent did to its PATH or functions cannot break them.
 */
export async function performAction(sandbox: Sandbox, action: Action, options: ActionOptions = {}): Promise<ActionResult> {
  const io = { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal: options.signal };
  switch (action.tool) {
    case 'bash':
      return sandbox.exec(action.command, {
        timeoutMs: action.timeout_s !== undefined ? action.timeout_s * 1000 : options.timeoutMs,
        signal: options.signal,
      });
    case 'view':
      return viewFile(sandbox, action, { ...io, maxOutputBytes: options.maxOutputBytes ?? DEFAULT_OUTPUT_BYTES });
    case 'create':
      return createFile(sandbox, action, io);
    case 'edit':
      return editFile(sandbox, action, io);
    case 'submit':
      return {
        observation: { stdout: action.result ? textCapture(action.result) : emptyCapture(), stderr: emptyCapture(), exit_code: 0, signal: null, timed_out: false, duration_ms: 0, session_restarted: false },
        state: null,
      };
  }
}
