import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { TaskError } from '../core/errors.js';
import { RecipeSchema } from './recipe.js';

/** Why an environment could not be made, in words a yield report can count. */
export const ENV_FAILURES = {
  ENV_CLONE_FAILED: 'does not clone',
  ENV_NO_TESTS: 'no tests',
  ENV_NEEDS_NETWORK: 'needs network',
  ENV_DEPENDENCY_MISSING: 'a dependency missing everywhere',
  ENV_TESTS_HANG: 'tests hang past the limit',
  ENV_BUILD_FAILED: 'the recipe does not build',
  ENV_TESTS_DO_NOT_RUN: 'the test suite does not run',
  ENV_NOT_REPRODUCED: 'a fresh container does not reproduce the status map',
  ENV_NO_PASSING_TESTS: 'no test passes',
  ENV_INSTALLER_FAILED: 'the installer gave no recipe',
} as const;
export type EnvFailureCode = keyof typeof ENV_FAILURES;

const StatusSchema = z.enum(['PASSED', 'FAILED', 'SKIPPED', 'ERROR', 'XFAIL']);

const RunSchema = z.object({
  exit_code: z.number().int().nullable(),
  timed_out: z.boolean(),
  duration_ms: z.number(),
  total: z.number().int(),
  log_tail: z.string(),
});

/** One installer's try: scripted or model-driven, what it led to. */
const AttemptSchema = z.object({
  installer: z.enum(['scripted', 'model']),
  outcome: z.enum(['verified', 'failed']),
  reason: z.object({ code: z.string(), message: z.string() }).nullable(),
  rounds: z.number().int(),
  duration_ms: z.number(),
  /** The model installer's trajectory, relative to the output folder. */
  trajectory: z.string().optional(),
  recipe_sha256: z.string().optional(),
});

/**
 * An environment's record (`<out>/envs/<key>/env.json`): what was built for which
 * repository and commit, how it was verified, the per-test status map of two fresh runs
 * (flaky tests apart), and for a failure its reason.
 */
export const EnvRecordSchema = z.object({
  format: z.literal('forager-env'),
  version: z.literal(1),
  repo: z.object({ name: z.string(), key: z.string(), source: z.string(), commit: z.string().regex(/^[0-9a-f]{40}$/) }),
  /** The project as its configuration names it, and its top-level packages (a failed import of one is the project's own). */
  project: z.object({ name: z.string().nullable(), packages: z.array(z.string()) }).nullable(),
  status: z.enum(['verified', 'failed']),
  reason: z.object({ code: z.string(), message: z.string() }).nullable(),
  installer: z.enum(['scripted', 'model']).nullable(),
  recipe: RecipeSchema.nullable(),
  recipe_sha256: z.string().nullable(),
  image: z.object({ ref: z.string(), id: z.string(), dependencies: z.string() }).nullable(),
  python: z.object({ version: z.string(), requires: z.string().nullable(), satisfied: z.boolean() }).nullable(),
  packages: z.array(z.object({ name: z.string(), version: z.string() })),
  resolutions: z.array(z.object({ name: z.string(), source: z.string(), from: z.enum(['index', 'debian', 'missing']), package: z.string().optional() })),
  test: z.object({ command: z.string(), parser: z.string() }).nullable(),
  runs: z.array(RunSchema),
  status_map: z.record(z.string(), StatusSchema),
  flaky: z.array(z.string()),
  counts: z.record(z.string(), z.number()),
  attempts: z.array(AttemptSchema),
  notes: z.array(z.string()),
  timings: z.object({ total_ms: z.number(), probe_ms: z.number(), build_ms: z.number(), tests_ms: z.number(), model_ms: z.number() }),
  built_at: z.string(),
}).strict();
export type EnvRecord = z.infer<typeof EnvRecordSchema>;
export type EnvAttempt = z.infer<typeof AttemptSchema>;

export const RECORD_FILE = 'env.json';

/** Write a record whole or not at all (a temporary file renamed into place). */
export async function writeRecord(dir: string, record: EnvRecord): Promise<string> {
  const path = join(dir, RECORD_FILE);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(tmp, `${JSON.stringify(EnvRecordSchema.parse(record), null, 1)}\n`);
  await rename(tmp, path);
  return path;
}

/** A record as written, or null when there is none; a damaged one is an error naming the file and field. */
export async function readRecord(dir: string): Promise<EnvRecord | null> {
  const path = join(dir, RECORD_FILE);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TaskError('ENV_RECORD_INVALID', `${path}: not JSON: ${(error as Error).message}`);
  }
  const parsed = EnvRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TaskError('ENV_RECORD_INVALID', `${path}: field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}
