import type { Observation, StreamCapture } from '../trajectory/schema.js';
import { emptyCapture, OutputCapture, textCapture } from '../core/capture.js';

/** An observation made by the harvester for a tool (not a shell command's output). */
export function toolObservation(exitCode: number | null, stdout: Buffer | string | StreamCapture, stderr: string, started: number, options: { cap?: number; timedOut?: boolean } = {}): Observation {
  let out = emptyCapture();
  if (typeof stdout === 'object' && !Buffer.isBuffer(stdout)) out = stdout;
  else if (stdout.length > 0) {
    const capture = new OutputCapture(options.cap ?? Number.MAX_SAFE_INTEGER);
    capture.push(typeof stdout === 'string' ? Buffer.from(stdout, 'utf8') : stdout);
    out = capture.finish();
  }
  return {
    stdout: out,
    stderr: stderr ? textCapture(stderr) : emptyCapture(),
    exit_code: exitCode,
    signal: null,
    timed_out: options.timedOut ?? false,
    duration_ms: started ? Math.round((performance.now() - started) * 1000) / 1000 : 0,
    session_restarted: false,
  };
}
