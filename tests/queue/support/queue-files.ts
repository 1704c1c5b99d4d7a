import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { BatchEvent } from '../../../src/scheduler/index.js';
import { spawnCli, waitCli, type CliResult } from '../../helpers/cli.js';

/** Every file under a folder, relative to it (empty when the folder is missing). */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

/** `finished` events each worker recorded for a batch, by worker id. */
export async function finishedByWorker(batchDir: string): Promise<Record<string, string[]>> {
  const root = join(batchDir, 'workers');
  const out: Record<string, string[]> = {};
  for (const worker of await readdir(root).catch(() => [] as string[])) {
    const text = await readFile(join(root, worker, 'batch.jsonl'), 'utf8');
    const events = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as BatchEvent);
    out[worker] = events.flatMap((e) => (e.type === 'finished' ? [e.key] : []));
  }
  return out;
}

export interface SpawnedWorker {
  child: ChildProcess;
  exited: Promise<CliResult>;
  runId: string;
  /** Resolves once the worker says it is taking attempts from the queue. */
  ready: Promise<void>;
}

/**
 * A `forager worker` child process from source. It looks for stalled jobs every second, so a
 * dead worker's jobs are taken over within seconds of their lock's end; its own locks last
 * the default 30 s: a short lock lapses while a loaded machine delays its renewal, and a job
 * whose lock lapsed is run again (its earlier run kept as a try file). A test whose worker
 * is meant to die gives it a short lock (`--lock-duration`).
 */
export function spawnWorker(url: string, out: string, runId: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): SpawnedWorker {
  const child = spawnCli(['worker', '--queue', url, '--out', out, '--run-id', runId, '--stalled-interval', '1000', '--log-level', 'warn', ...extra], { env });
  const exited = waitCli(child);
  let said = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('taking attempts from the queue')) resolve();
    });
    void exited.then((result) => reject(new Error(`worker exited before it was ready: ${result.stderr}`)));
  });
  ready.catch(() => undefined);
  return { child, exited, runId, ready };
}
