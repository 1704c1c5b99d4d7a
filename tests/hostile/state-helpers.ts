import { spawn } from 'node:child_process';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Action, Footer, Header, Step } from '../../src/trajectory/schema.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { tempDir, writeTask } from '../helpers/tasks.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('../helpers/cli-entry.ts', import.meta.url));

/** The harvester's own memory, at most: a run of the CLI from source (tsx included) under this peak RSS. */
export const RSS_BOUND_MB = 250;

export interface HostileRun {
  code: number | null;
  /** Peak resident set of the harvester process (GNU time's maximum RSS). */
  peakRssMb: number;
  header: Header;
  steps: Step[];
  footer: Footer;
  stderr: string;
  runId: string;
}

/**
 * Run a scripted task through `forager run` in a child process (so a crash or a memory
 * blow-up is the child's, measured from outside), then read its trajectory back.
 */
export async function runHostile(actions: Action[], extra: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Promise<HostileRun> {
  const dir = await tempDir('forager-hostile-');
  return runTaskFile(await writeTask(actions, { id: 'hostile', ...extra }, dir), env);
}

/** `forager run` of a task file in a child process, as runHostile. */
export async function runTaskFile(task: string, env: NodeJS.ProcessEnv = {}): Promise<HostileRun> {
  const out = join(await tempDir('forager-hostile-out-'), 'out.jsonl');
  const runId = testRunId();
  const child = spawn('/usr/bin/time', ['-f', 'FORAGER_MAXRSS_KB=%M', process.execPath, '--import', 'tsx', ENTRY, 'run', task, '--out', out, '--run-id', runId], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { if (stderr.length < 1_000_000) stderr += c.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  const kb = Number(/FORAGER_MAXRSS_KB=(\d+)/.exec(stderr)?.[1] ?? NaN);
  const lines = (await readFile(out, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    code,
    peakRssMb: kb / 1024,
    header: lines[0] as unknown as Header,
    steps: lines.filter((l) => l.type === 'step') as unknown as Step[],
    footer: lines.at(-1) as unknown as Footer,
    stderr,
    runId,
  };
}

/** What every hostile run must show: the harvester lived within its memory bound and left no container. */
export async function expectHarvesterHeld(run: HostileRun, rssBoundMb = RSS_BOUND_MB): Promise<void> {
  // FORAGER_TEST_RSS_LOG=file collects every run's peak, for reports.
  if (process.env.FORAGER_TEST_RSS_LOG) await appendFile(process.env.FORAGER_TEST_RSS_LOG, `${JSON.stringify({ test: expect.getState().currentTestName, peakRssMb: Math.round(run.peakRssMb) })}\n`);
  expect(run.stderr).not.toMatch(/FATAL ERROR|heap out of memory/);
  expect(run.footer.type, run.stderr.slice(-2000)).toBe('footer');
  expect(run.peakRssMb).toBeGreaterThan(0);
  expect(run.peakRssMb).toBeLessThan(rssBoundMb);
  expect(await containersOf(run.runId)).toEqual([]);
}

/** The stdout text of a step, for assertions. */
export function stdoutOf(step: Step | undefined): string {
  const o = step?.observation?.stdout;
  if (!o) return '';
  return o.encoding === 'base64' ? Buffer.from(o.text, 'base64').toString('utf8') : o.text + (o.tail ?? '');
}
