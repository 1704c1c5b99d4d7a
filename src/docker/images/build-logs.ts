import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where build output is kept: $FORAGER_BUILD_LOGS, else ~/.cache/forager/build-logs. */
export function buildLogDir(): string {
  if (process.env.FORAGER_BUILD_LOGS) return process.env.FORAGER_BUILD_LOGS;
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'forager', 'build-logs');
}

/** Keep one build's output as `<ref>.log` (the failed ones as `<ref>.failed.log`); returns its path. */
export async function keepBuildLog(ref: string, log: string, failed: boolean): Promise<string | null> {
  const dir = buildLogDir();
  const path = join(dir, `${ref.replace(/[^A-Za-z0-9._-]/g, '_')}${failed ? '.failed' : ''}.log`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(path, log);
    return path;
  } catch {
    return null; // a log we cannot keep must not fail the build
  }
}
