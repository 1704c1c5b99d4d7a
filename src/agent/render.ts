import { captureText } from '../core/capture.js';
import type { Action, Observation } from '../trajectory/schema.js';

/**
 * Plain-text rendering of an observation: stdout, then stderr and the exit status when
 * they say something. Model protocols wrap this in their own envelope.
 */
export function renderObservation(action: Action, observation: Observation): string {
  if (action.tool === 'submit') return '';
  const parts: string[] = [];
  const stdout = captureText(observation.stdout);
  const stderr = captureText(observation.stderr);
  if (stdout) parts.push(stdout.endsWith('\n') ? stdout.slice(0, -1) : stdout);
  if (stderr) parts.push(`[stderr]\n${stderr.endsWith('\n') ? stderr.slice(0, -1) : stderr}`);
  if (observation.timed_out) parts.push(`[timed out after ${Math.round(observation.duration_ms / 1000)} s; the command was killed]`);
  if (observation.session_restarted) parts.push('[the shell session was restarted: exported variables and functions are lost]');
  if (observation.exit_code !== 0 && !observation.timed_out) {
    parts.push(observation.signal ? `[killed by ${observation.signal}]` : `[exit code ${observation.exit_code}]`);
  }
  if (parts.length === 0 && action.tool === 'create') return `File created: ${action.path}`;
  if (parts.length === 0 && action.tool === 'edit') return `File edited: ${action.path}`;
  return parts.join('\n');
}
