import type { Sandbox } from '../core/contracts.js';
import { TaskError } from '../core/errors.js';
import { runIn } from '../eval/index.js';
import { shellQuote } from '../core/quote.js';

/**
 * A file of the sandbox, read only when it is no larger than `maxBytes` (what a container
 * wrote is untrusted: its size is checked before a byte of it is buffered). Null when the
 * file does not exist.
 */
export async function readBounded(sandbox: Sandbox, path: string, maxBytes: number, signal?: AbortSignal): Promise<Buffer | null> {
  const size = await runIn(sandbox, '/', `stat -c %s ${shellQuote(path)} 2>/dev/null || echo missing`, { timeoutMs: 30_000, signal });
  const text = size.output.trim();
  if (text === 'missing' || size.exitCode !== 0) return null;
  const bytes = Number(text);
  if (!Number.isInteger(bytes)) throw new TaskError('ENV_FILE_UNREADABLE', `${path}: stat answered ${JSON.stringify(text.slice(0, 100))}`);
  if (bytes > maxBytes) throw new TaskError('ENV_FILE_TOO_LARGE', `${path}: ${bytes} bytes, more than the ${maxBytes} read from a container`, { context: { path, bytes, maxBytes } });
  return sandbox.readFile(path, { signal });
}
