import { toForagerError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { SandboxProvider } from '../sandbox/index.js';
import type { LoadedTask } from '../task/load.js';
import type { Evaluation } from '../trajectory/schema.js';
import { evaluatePatch } from './evaluate.js';

/** Whether a task is sound: its gold patch resolves it and the empty patch does not. */
export interface TaskProof {
  id: string;
  source: string;
  /** The parser the task's tests are read with (its runner kind), when it has eval. */
  parser?: string;
  sound: boolean;
  /** Why not, when it is not sound (or `no eval` when there was nothing to prove). */
  reason: string | null;
  gold?: Evaluation;
  empty?: Evaluation;
}

/** Build the task's image, then grade its gold patch and the empty patch, both at once. */
export async function proveTask(task: LoadedTask, options: { runId?: string; signal?: AbortSignal; log?: Logger; repository?: string; provider: SandboxProvider }): Promise<TaskProof> {
  const base = { id: task.spec.id, source: task.source, ...(task.spec.eval ? { parser: task.spec.eval.parser } : {}) };
  if (!task.spec.eval) return { ...base, sound: true, reason: 'no eval' };
  if (task.spec.gold_patch === undefined) return { ...base, sound: false, reason: 'no gold_patch to prove it with' };
  const provider = options.provider;
  let imageId: string;
  try {
    imageId = (await provider.prepareImage(task, { signal: options.signal, log: options.log, repository: options.repository })).id;
  } catch (error) {
    const failure = toForagerError(error);
    return { ...base, sound: false, reason: `image: ${failure.code}: ${failure.message.split('\n')[0]}` };
  }
  const [gold, empty] = await Promise.all([
    evaluatePatch(task, imageId, task.spec.gold_patch, { ...options, provider }),
    evaluatePatch(task, imageId, '', { ...options, provider }),
  ]);
  return { ...base, gold, empty, ...judge(gold, empty) };
}

function judge(gold: Evaluation, empty: Evaluation): { sound: boolean; reason: string | null } {
  if (gold.status === 'error') return { sound: false, reason: `gold: ${gold.error?.code}: ${gold.error?.message}` };
  if (gold.status === 'patch_failed') return { sound: false, reason: 'gold patch does not apply' };
  // A log the parser cannot read is never a pass or a fail: say so.
  if (gold.tests?.invalid) return { sound: false, reason: gold.tests.invalid };
  if (!gold.resolved) return { sound: false, reason: `gold patch fails ${[...gold.fail_to_pass.failure, ...gold.pass_to_pass.failure].join(', ')}` };
  if (empty.status === 'error') return { sound: false, reason: `empty: ${empty.error?.code}: ${empty.error?.message}` };
  if (empty.resolved) return { sound: false, reason: 'the empty patch resolves it too (FAIL_TO_PASS tests pass without a fix)' };
  return { sound: true, reason: null };
}
