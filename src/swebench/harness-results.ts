import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ForagerError, TaskError } from '../core/errors.js';
import { readTextFile } from '../lines/index.js';
import type { BatchAttempt } from './attempts.js';

/** The sidecar a batch keeps an official harness's results in (the trajectories are never rewritten). */
export const HARNESS_SIDECAR = 'swebench-harness.json';

export interface HarnessSidecar {
  format: 'forager-swebench-harness';
  version: 1;
  /** The harness report the results came from (absolute path). */
  source: string;
  imported_at: string;
  /** Per task id: the harness's verdict, as a reward on the attempt the predictions file chose. */
  instances: Record<string, { resolved: boolean | null; reward: number | null; trajectory: string | null; patch_sha256: string | null }>;
  /** Ids the harness reported that the batch does not hold. */
  unknown_ids: string[];
}

const HarnessSidecarSchema = z.object({
  format: z.literal('forager-swebench-harness'),
  version: z.literal(1),
  source: z.string(),
  imported_at: z.string(),
  instances: z.record(z.string(), z.object({
    resolved: z.boolean().nullable(),
    reward: z.number().nullable(),
    trajectory: z.string().nullable(),
    patch_sha256: z.string().nullable(),
  })),
  unknown_ids: z.array(z.string()),
});

/** The sha256 the sidecar pins a trajectory's patch with (null when it has none). */
export function patchSha256(patch: string | undefined): string | null {
  return patch === undefined ? null : createHash('sha256').update(patch).digest('hex');
}

/** A batch's sidecar, or undefined when the batch has none; a damaged one is a task error naming the file and the field. */
export async function readHarnessSidecar(batch: string): Promise<HarnessSidecar | undefined> {
  const path = join(batch, HARNESS_SIDECAR);
  const text = await readTextFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error instanceof ForagerError) throw error;
    if (error.code === 'ENOENT') return undefined;
    throw new TaskError('HARNESS_SIDECAR_INVALID', `${path}: cannot read: ${error.code ?? error.message}`, { cause: error });
  });
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new TaskError('HARNESS_SIDECAR_INVALID', `${path}: not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = HarnessSidecarSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TaskError('HARNESS_SIDECAR_INVALID', `${path}: field "${issue.path.join('.')}": ${issue.message} (written by forager swebench report --from-harness; run it again)`);
  }
  return parsed.data;
}

/**
 * The harness's verdict per instance from either of its reports: the run report
 * (`<model>.<run_id>.json`: resolved_ids, unresolved_ids, empty_patch_ids, error_ids…) or
 * an instance report (`report.json`: `{ <id>: { resolved: bool, … } }`, one or many).
 * resolved → true, unresolved or empty patch → false, error → null (no grade).
 */
export function harnessVerdicts(report: unknown, source: string): Map<string, boolean | null> {
  const verdicts = new Map<string, boolean | null>();
  if (report === null || typeof report !== 'object' || Array.isArray(report)) throw new TaskError('HARNESS_REPORT_INVALID', `${source}: expected a JSON object (a harness run report or instance report)`);
  const value = report as Record<string, unknown>;
  if ('resolved_ids' in value || 'submitted_ids' in value) {
    const list = (key: string): string[] => {
      const v = value[key] ?? [];
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new TaskError('HARNESS_REPORT_INVALID', `${source}: field "${key}": expected a list of instance ids`);
      return v;
    };
    for (const id of list('error_ids')) verdicts.set(id, null);
    for (const id of [...list('unresolved_ids'), ...list('empty_patch_ids')]) verdicts.set(id, false);
    for (const id of list('resolved_ids')) verdicts.set(id, true);
    return verdicts;
  }
  for (const [id, entry] of Object.entries(value)) {
    const resolved = (entry as { resolved?: unknown } | null)?.resolved;
    if (typeof resolved !== 'boolean') throw new TaskError('HARNESS_REPORT_INVALID', `${source}: field "${id}.resolved": expected true or false, found ${JSON.stringify(resolved ?? null)}`);
    verdicts.set(id, resolved);
  }
  return verdicts;
}

/** Attach the verdicts to the chosen attempts and write the sidecar atomically; returns it. */
export async function writeHarnessSidecar(batch: string, reportPath: string, chosen: Map<string, BatchAttempt | undefined>): Promise<HarnessSidecar> {
  const text = await readTextFile(reportPath).catch((cause: NodeJS.ErrnoException) => {
    if (cause instanceof ForagerError) throw cause;
    throw new TaskError('HARNESS_REPORT_INVALID', `${reportPath}: cannot read: ${cause.code ?? cause.message}`, { cause });
  });
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch (cause) {
    throw new TaskError('HARNESS_REPORT_INVALID', `${reportPath}: not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const verdicts = harnessVerdicts(report, reportPath);
  const sidecar: HarnessSidecar = { format: 'forager-swebench-harness', version: 1, source: resolve(reportPath), imported_at: new Date().toISOString(), instances: {}, unknown_ids: [] };
  for (const [id, resolved] of [...verdicts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!chosen.has(id)) {
      sidecar.unknown_ids.push(id);
      continue;
    }
    const attempt = chosen.get(id);
    sidecar.instances[id] = {
      resolved,
      reward: resolved === null ? null : resolved ? 1 : 0,
      trajectory: attempt?.file ?? null,
      patch_sha256: patchSha256(attempt?.footer?.patch),
    };
  }
  const path = join(batch, HARNESS_SIDECAR);
  await writeFile(`${path}.tmp`, `${JSON.stringify(sidecar, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
  return sidecar;
}
