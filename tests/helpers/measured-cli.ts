import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliResult } from './cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));
const PROBE = fileURLToPath(new URL('./rss-probe.ts', import.meta.url));

export interface MeasuredResult extends CliResult {
  /** The harvester's peak resident set in MB (getrusage maxrss of the child), null if it died without exiting. */
  peakRssMb: number | null;
  /** The highest VmHWM seen while polling /proc/<pid>/status, in MB (a cross-check that needs no clean exit). */
  polledHwmMb: number;
}

/** Run the CLI as a child process and measure the harvester's own memory. */
export async function runMeasuredCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<MeasuredResult> {
  const rssFile = join(tmpdir(), `forager-rss-${randomUUID()}`);
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', PROBE, ENTRY, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env, FORAGER_TEST_RSS_FILE: rssFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  let polledKb = 0;
  const poll = setInterval(() => {
    readFile(`/proc/${child.pid}/status`, 'utf8').then((status) => {
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      polledKb = Math.max(polledKb, kb);
    }, () => undefined);
  }, 50);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (c, s) => resolve({ code: c, signal: s })));
  clearInterval(poll);
  const peak = await readFile(rssFile, 'utf8').then((t) => Number(t) / 1024, () => null);
  await rm(rssFile, { force: true });
  return { code, signal, stdout, stderr, peakRssMb: peak, polledHwmMb: polledKb / 1024 };
}
