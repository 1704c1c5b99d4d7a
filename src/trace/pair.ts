import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { SandboxProvider } from '../sandbox/index.js';
import type { LoadedTask } from '../task/index.js';
import { firstDivergences, type Divergence } from './divergence.js';
import { readTraceFile } from './read.js';
import { traceTask } from './run-trace.js';
import type { TraceFooter, TraceLimits } from './schema.js';

export interface PairResult {
  task: string;
  buggy: string;
  fixed: string;
  tests: string[];
  divergences: Divergence[];
  footers: { buggy: TraceFooter; fixed: TraceFooter };
}

/**
 * A mutate-fix pair: the task's failing tests (eval.fail_to_pass) traced on the buggy code
 * (the task's repository, with its test patch if any) and on the fixed code (the gold
 * patch applied too), written to DIR/<task>/buggy.jsonl and fixed.jsonl, with the first
 * divergence of each test in DIR/<task>/divergence.json.
 */
export async function tracePair(task: LoadedTask, out: string, options: { limits: TraceLimits; runId?: string; repository?: string; log?: Logger; signal?: AbortSignal; provider: SandboxProvider }): Promise<PairResult> {
  const spec = task.spec;
  const tests = spec.eval?.fail_to_pass ?? [];
  if (!spec.gold_patch || tests.length === 0) {
    throw new TaskError('TRACE_PAIR_INVALID', `${task.source}: field gold_patch / eval.fail_to_pass: expected a mutate-fix task with a gold patch and failing tests, found ${spec.gold_patch ? 'no failing tests' : 'no gold patch'}`);
  }
  const dir = join(out, spec.id);
  const testPatch = spec.eval?.test_patch ? [spec.eval.test_patch] : [];
  const common = { limits: options.limits, select: tests, runId: options.runId, repository: options.repository, log: options.log, signal: options.signal, provider: options.provider };
  const buggy = await traceTask(task, { ...common, out: join(dir, 'buggy.jsonl'), patches: testPatch, variant: 'buggy' });
  const fixed = await traceTask(task, { ...common, out: join(dir, 'fixed.jsonl'), patches: [...testPatch, spec.gold_patch], variant: 'fixed' });
  const divergences = firstDivergences(await readTraceFile(buggy.path), await readTraceFile(fixed.path), tests);
  const result: PairResult = { task: spec.id, buggy: buggy.path, fixed: fixed.path, tests, divergences, footers: { buggy: buggy.footer, fixed: fixed.footer } };
  await writeFile(join(dir, 'divergence.json'), `${JSON.stringify({ task: spec.id, tests, divergences }, null, 2)}\n`);
  return result;
}
