import type { Sandbox } from '../core/contracts.js';
import type { TaskFile } from '../task/load.js';
import type { Header, Limits } from '../trajectory/schema.js';
import { shellQuote } from '../core/quote.js';

/** Write the task's files into the sandbox, then set the modes that differ from 0644. */
export async function placeFiles(sandbox: Sandbox, files: TaskFile[], signal: AbortSignal): Promise<void> {
  for (const file of files) await sandbox.writeFile(file.path, file.content, { signal });
  const modes = files.filter((f) => f.mode !== 0o644).map((f) => `chmod ${f.mode.toString(8)} ${shellQuote(f.path)}`);
  if (modes.length) await sandbox.exec(modes.join(' && '), { signal, trackState: false });
}

/** Run setup commands in order, stopping at the first failure; none of it is an agent step. */
export async function runSetup(sandbox: Sandbox, commands: string[], limits: Limits, signal: AbortSignal): Promise<Header['setup']> {
  const results: Header['setup'] = [];
  for (const command of commands) {
    const { observation } = await sandbox.exec(command, { signal, trackState: false, timeoutMs: limits.wall_time_s * 1000 });
    results.push({ command, exit_code: observation.exit_code, duration_ms: observation.duration_ms });
    if (observation.exit_code !== 0) break;
  }
  // The baseline for per-step file changes: everything placed so far counts as "before".
  await sandbox.exec(':', { signal });
  return results;
}
