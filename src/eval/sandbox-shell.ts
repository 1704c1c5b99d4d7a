import type { Sandbox } from '../core/contracts.js';
import { captureText } from '../core/capture.js';
import { shellQuote } from '../core/quote.js';

export interface ShellOutcome {
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** stdout then stderr, as text. */
  output: string;
}

/** Run a harness command at `cwd` in a shell of its own, out of reach of the agent's functions and traps. */
export async function runIn(sandbox: Sandbox, cwd: string, script: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ShellOutcome> {
  const { observation } = await sandbox.exec(`cd ${shellQuote(cwd)} && ${script}\n`, { ...options, trackState: false, isolated: true });
  const stdout = captureText(observation.stdout);
  const stderr = captureText(observation.stderr);
  return { exitCode: observation.exit_code, timedOut: observation.timed_out, durationMs: observation.duration_ms, output: stdout + (stdout && stderr && !stdout.endsWith('\n') ? '\n' : '') + stderr };
}

/** The last `chars` characters of a log. */
export function tail(text: string, chars = 4000): string {
  return text.length <= chars ? text : `…${text.slice(-chars)}`;
}
