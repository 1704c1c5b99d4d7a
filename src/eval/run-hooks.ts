import type { Sandbox } from '../core/contracts.js';
import type { SandboxProvider } from '../sandbox/index.js';
import { toForagerError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import type { LoadedTask } from '../task/load.js';
import type { Failure, Footer } from '../trajectory/schema.js';
import { evaluatePatch } from './evaluate.js';
import { extractPatch } from './extract-patch.js';

/** The patch a run left, or why there is none. */
export type PatchCapture = { patch: string } | { failure: Failure };

/** The image facts a graded run needs: its ID and, for repository tasks, the repository. */
export interface RunImage {
  id: string;
  repo?: { root: string; commit: string };
}

/** Take the run's patch before its sandbox stops (repository tasks only; undefined otherwise). */
export async function capturePatch(sandbox: Sandbox, task: LoadedTask, image: RunImage | undefined, log: Logger = silentLogger): Promise<PatchCapture | undefined> {
  if (!image?.repo) return undefined;
  try {
    // A fresh timeout, not the run's signal: a run stopped by its wall limit still leaves its patch.
    const patch = await extractPatch(sandbox, { root: image.repo.root, base: image.repo.commit, exclude: task.spec.patch_exclude, timeoutMs: 300_000 });
    return { patch };
  } catch (error) {
    const failure = toForagerError(error);
    log.warn({ err: error }, 'could not take the patch');
    return { failure: { kind: failure.kind, code: failure.code, message: failure.message } };
  }
}

/**
 * What grading adds to a run's footer: the patch, and for tasks with `eval` (unless the
 * run failed for task or infrastructure reasons) the evaluation and a 1/0 reward. A
 * harness failure during evaluation makes the attempt an infrastructure failure, so it is retried.
 */
export async function gradeRun(
  task: LoadedTask,
  image: RunImage,
  capture: PatchCapture,
  footer: Footer,
  options: { runId?: string; signal?: AbortSignal; log?: Logger; provider: SandboxProvider },
): Promise<Partial<Footer>> {
  if ('failure' in capture) {
    if (capture.failure.kind === 'infrastructure' || footer.failure_kind !== null && footer.failure_kind !== 'agent') return {};
    // The agent broke the repository (e.g. removed .git): no patch, nothing to grade, reward 0.
    return task.spec.eval ? { reward: 0, evaluation: unextractable(image.id, capture.failure) } : {};
  }
  const added: Partial<Footer> = { patch: capture.patch };
  if (!task.spec.eval || (footer.failure_kind !== null && footer.failure_kind !== 'agent') || options.signal?.aborted) return added;
  const evaluation = await evaluatePatch(task, image.id, capture.patch, options);
  added.evaluation = evaluation;
  if (evaluation.status !== 'error') added.reward = evaluation.resolved ? 1 : 0;
  else if (evaluation.error?.kind === 'infrastructure' && footer.failure_kind === null) {
    added.failure_kind = 'infrastructure';
    added.error = { ...evaluation.error, message: `evaluation: ${evaluation.error.message}` };
  }
  return added;
}

function unextractable(imageId: string, failure: Failure): NonNullable<Footer['evaluation']> {
  return {
    status: 'patch_failed',
    resolved: false,
    image_id: imageId,
    patch: { method: null, bytes: 0, log_tail: failure.message },
    results: {},
    fail_to_pass: { success: [], failure: [] },
    pass_to_pass: { success: [], failure: [] },
    duration_ms: 0,
  };
}
