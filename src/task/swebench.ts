import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { TaskError } from '../core/errors.js';
import { patchedFiles } from '../eval/pathspecs.js';
import { describeIssues } from './errors.js';
import { TaskSpecSchema } from './spec.js';

/** A list of test ids, as SWE-bench stores it (a JSON-encoded string) or as a plain array. */
const TestListSchema = z.unknown().transform((value, ctx) => {
  let list = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      list = undefined;
    }
  }
  if (Array.isArray(list) && list.every((v) => typeof v === 'string')) return list as string[];
  ctx.addIssue({ code: 'custom', message: 'expected a JSON-encoded list of strings' });
  return z.NEVER;
});

/** One SWE-bench instance; fields beyond these (hints_text, created_at…) are ignored. */
export const SwebenchInstanceSchema = z.object({
  instance_id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ -'),
  repo: z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'owner/name'),
  base_commit: z.string().regex(/^[0-9a-f]{40}$/, 'a full 40-hex commit SHA'),
  problem_statement: z.string().min(1),
  patch: z.string().min(1),
  test_patch: z.string().min(1),
  FAIL_TO_PASS: TestListSchema,
  PASS_TO_PASS: TestListSchema,
  version: z.union([z.string(), z.number()]).optional(),
  environment_setup_commit: z.string().optional(),
});
export type SwebenchInstance = z.infer<typeof SwebenchInstanceSchema>;

export interface SwebenchImportOptions {
  /** Image ref with `{id}` (instance id, `__` → `_1776_`, lower case) or `{instance_id}`; the repo is then taken as in the image at /testbed. */
  imageTemplate?: string;
  /** Without a template: the recipe the environment is built on (default python). */
  recipe?: string;
  /** Without a template: commands installing the repository's dependencies (the environment layer). */
  environment?: string[];
  /** Test command; `{files}` is replaced by the files the test patch touches. */
  testCommand?: string;
}

const DEFAULT_TEST_COMMAND = 'python3 -m pytest -p no:cacheprovider -rA --junitxml=$FORAGER_JUNIT {files}';
const SWEBENCH_IMAGE_TEST_COMMAND = 'source /opt/miniconda3/bin/activate && conda activate testbed && pytest -p no:cacheprovider -rA --junitxml=$FORAGER_JUNIT {files}';

/** Parse a SWE-bench JSONL file; a bad line is a task error naming the line and the field. */
export async function readSwebench(file: string): Promise<SwebenchInstance[]> {
  const text = await readFile(file, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    throw new TaskError('TASK_NOT_FOUND', `${file}: cannot read: ${cause.code ?? cause.message}`, { cause });
  });
  const out: SwebenchInstance[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const where = `${file}:${index + 1}`;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (cause) {
      throw new TaskError('TASK_SYNTAX', `${where}: not valid JSON: ${(cause as Error).message}`, { cause });
    }
    const parsed = SwebenchInstanceSchema.safeParse(data);
    if (!parsed.success) throw describeIssues(where, parsed.error.issues, data);
    out.push(parsed.data);
  }
  return out;
}

/** The task spec for one instance: the repository at its base commit, graded by its tests; the gold patch kept for validation only. */
export function taskFromInstance(instance: SwebenchInstance, options: SwebenchImportOptions = {}): Record<string, unknown> {
  const files = patchedFiles(instance.test_patch).filter((f) => f !== '/dev/null');
  const template = options.testCommand ?? (options.imageTemplate ? SWEBENCH_IMAGE_TEST_COMMAND : DEFAULT_TEST_COMMAND);
  const spec = {
    id: instance.instance_id,
    instruction: instance.problem_statement,
    image: options.imageTemplate ? { ref: swebenchImageRef(options.imageTemplate, instance.instance_id) } : (options.recipe ?? 'python'),
    workdir: '/testbed',
    repo: options.imageTemplate
      ? { in_image: true, commit: instance.base_commit, root: '/testbed' }
      : { url: `https://github.com/${instance.repo}`, commit: instance.base_commit, root: '/testbed' },
    ...(!options.imageTemplate && options.environment?.length ? { environment: { commands: options.environment } } : {}),
    eval: {
      test_command: template.replace('{files}', files.join(' ')),
      test_patch: instance.test_patch,
      fail_to_pass: instance.FAIL_TO_PASS,
      pass_to_pass: instance.PASS_TO_PASS,
    },
    gold_patch: instance.patch,
    // The agent comes from the harvest; this placeholder only submits.
    agent: { type: 'scripted', actions: [{ tool: 'submit' }] },
    metadata: {
      source: 'swe-bench',
      repo: instance.repo,
      ...(instance.version !== undefined ? { version: String(instance.version) } : {}),
      ...(instance.environment_setup_commit ? { environment_setup_commit: instance.environment_setup_commit } : {}),
    },
  };
  const parsed = TaskSpecSchema.safeParse(spec);
  if (!parsed.success) throw describeIssues(instance.instance_id, parsed.error.issues, spec);
  return spec;
}

/** SWE-bench's image naming: `__` in the instance id becomes `_1776_`, all lower case. */
export function swebenchImageRef(template: string, instanceId: string): string {
  return template.replaceAll('{id}', instanceId.replaceAll('__', '_1776_').toLowerCase()).replaceAll('{instance_id}', instanceId);
}
