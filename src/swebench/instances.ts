import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../core/describe-issues.js';
import { TaskError } from '../core/errors.js';
import { PARSER_NAMES, type ParserName } from '../task/parser-names.js';
import { CONDA_ACTIVATE, harnessEval, harnessParser, harnessSpec, knownVersions, parserFromHarnessName, testDirectives, type HarnessEval } from '../eval/test-specs.js';
import { isRemoteGitUrl } from '../task/index.js';
import { TaskSpecSchema } from '../task/spec.js';

/** A list of test ids, as SWE-bench stores it (a JSON-encoded string) or as a plain array (SWE-Gym, SWE-smith, Parquet lists). */
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

/** Text or nothing; Parquet gives dates and numbers where JSONL gives strings. */
const TextSchema = z.union([z.string(), z.number(), z.bigint(), z.date()]).transform((v) => (v instanceof Date ? v.toISOString() : String(v)));

/**
 * One instance of SWE-bench, SWE-bench Verified, SWE-Gym or SWE-smith (fields not listed
 * are ignored). `repo` is `owner/name` (GitHub), any git URL, a local path, or SWE-smith's
 * `owner__name.commit` mirror name.
 */
export const SwebenchInstanceSchema = z.object({
  instance_id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ -'),
  repo: z.string().min(1),
  base_commit: z.string().regex(/^[^\s-][^\s]*$/, 'a commit SHA or revision'),
  problem_statement: z.string().min(1),
  patch: z.string().min(1),
  test_patch: z.string().nullish().transform((v) => v ?? ''),
  FAIL_TO_PASS: TestListSchema,
  PASS_TO_PASS: TestListSchema.optional().transform((v) => v ?? []),
  version: TextSchema.nullish(),
  environment_setup_commit: z.string().nullish(),
  hints_text: z.string().nullish(),
  created_at: TextSchema.nullish(),
  /** A prebuilt image for this instance: SWE-smith's `image_name`, SWE-bench 5's `image`, others' `docker_image`. */
  image_name: z.string().min(1).nullish(),
  image: z.string().min(1).nullish(),
  docker_image: z.string().min(1).nullish(),
  /** SWE-bench 5's parser name (`parse_log_django`…). */
  log_parser: z.string().nullish(),
}).refine((i) => i.FAIL_TO_PASS.length + i.PASS_TO_PASS.length > 0, { message: 'at least one test in FAIL_TO_PASS or PASS_TO_PASS', path: ['FAIL_TO_PASS'] });
export type SwebenchInstance = z.infer<typeof SwebenchInstanceSchema>;

export interface SwebenchImportOptions {
  /** Image ref with `{id}` or `{instance_id}`; the repository is then taken as in the image at /testbed. */
  imageTemplate?: string;
  /** Without an image: the recipe the environment is built on (default python). */
  recipe?: string;
  /** Without an image: commands installing the repository's dependencies (the environment layer). */
  environment?: string[];
  /** Test command; `{files}` is replaced by the test files (the harness's directives). */
  testCommand?: string;
  /** Parser for the test command's log (default: the harness's for known repositories, else junit). */
  parser?: ParserName;
  /** Where relative `repo` paths are resolved (the instances file's folder). */
  baseDir?: string;
  /**
   * `--allow-host-paths`: an instance may name a repository on this machine (a local path,
   * `file://`). Without it an instances file, untrusted input, cannot choose host paths.
   */
  allowHostPaths?: boolean;
}

const DEFAULT_TEST_COMMAND = 'python3 -m pytest -p no:cacheprovider -rA --junitxml=$FORAGER_JUNIT {files}';

/**
 * Whether an image is one of SWE-bench's (or SWE-smith's) own, whose tests run in the
 * conda environment `testbed`: `sweb.eval.<arch>.<id>` and `swesmith.<arch>.<repo>` names.
 */
export function isSwebenchImage(ref: string): boolean {
  return /(^|\/)(sweb\.eval|swesmith)\./.test(ref);
}

/**
 * The image an instance runs in: its own `image_name`/`docker_image`, else the template's.
 * `{id}` is SWE-bench's image key (test_spec.py instance_image_key): the instance id in
 * lower case, with `__` → `_1776_` when the name has a namespace (`owner/…`, as on Docker
 * Hub), kept as `__` in a local name. `{instance_id}` is the id as it is.
 */
export function swebenchImageRef(template: string, instanceId: string): string {
  const key = instanceId.toLowerCase();
  const namespaced = template.split(':')[0]!.includes('/');
  return template.replaceAll('{id}', namespaced ? key.replaceAll('__', '_1776_') : key).replaceAll('{instance_id}', instanceId);
}

/** The task spec for one instance; `where` (file:line) names it in errors. */
export function taskFromInstance(instance: SwebenchInstance, options: SwebenchImportOptions = {}, where = instance.instance_id): Record<string, unknown> {
  const ownImage = instance.image_name ?? instance.image ?? instance.docker_image ?? undefined;
  const imageRef = ownImage ?? (options.imageTemplate ? swebenchImageRef(options.imageTemplate, instance.instance_id) : undefined);
  const { test_command, prepare, network, parser } = testCommandFor(instance, options, imageRef, where);
  const spec = {
    id: instance.instance_id,
    instruction: instance.problem_statement,
    image: imageRef ? { ref: imageRef } : (options.recipe ?? 'python'),
    workdir: '/testbed',
    repo: imageRef ? { in_image: true, commit: instance.base_commit, root: '/testbed' } : { ...confinedRepoSource(instance.repo, options, where), commit: instance.base_commit, root: '/testbed' },
    ...(!imageRef && options.environment?.length ? { environment: { commands: options.environment } } : {}),
    eval: {
      test_command,
      ...(prepare ? { prepare } : {}),
      ...(network ? { network } : {}),
      parser,
      ...(instance.test_patch.trim() ? { test_patch: instance.test_patch } : {}),
      fail_to_pass: instance.FAIL_TO_PASS,
      pass_to_pass: instance.PASS_TO_PASS,
    },
    gold_patch: instance.patch,
    // The agent comes from the harvest; this placeholder only submits.
    agent: { type: 'scripted', actions: [{ tool: 'submit' }] },
    metadata: {
      source: 'swe-bench',
      repo: instance.repo,
      ...(instance.version != null ? { version: instance.version } : {}),
      ...(instance.environment_setup_commit ? { environment_setup_commit: instance.environment_setup_commit } : {}),
      ...(instance.hints_text ? { hints_text: instance.hints_text } : {}),
      ...(instance.created_at != null ? { created_at: instance.created_at } : {}),
    },
  };
  const parsed = TaskSpecSchema.safeParse(spec);
  if (!parsed.success) throw describeIssues(where, parsed.error.issues, spec);
  return spec;
}

/**
 * The test command and parser: the options' if given; for a repository the harness knows,
 * its command for the instance's version (a version it does not know is an error); else
 * pytest with JUnit XML on the test files. Inside SWE-bench's images the command first
 * enters their conda environment; in any other image it runs as it is.
 */
function testCommandFor(instance: SwebenchInstance, options: SwebenchImportOptions, imageRef: string | undefined, where: string): HarnessEval & { parser: ParserName } {
  const conda = imageRef !== undefined && isSwebenchImage(imageRef);
  const directives = testDirectives(instance.repo, instance.test_patch);
  const ownParser = instance.log_parser ? parserFromHarnessName(instance.log_parser) ?? unknownParser(instance.log_parser, where) : undefined;
  if (options.testCommand) {
    const command = options.testCommand.replace('{files}', directives.join(' '));
    return { test_command: command, ...(conda ? { prepare: [...CONDA_ACTIVATE] } : {}), parser: options.parser ?? ownParser ?? harnessParser(instance.repo) ?? 'junit' };
  }
  const known = knownVersions(instance.repo);
  if (known.length > 0) {
    const test = harnessSpec(instance.repo, instance.version ?? undefined);
    if (!test) {
      throw new TaskError('TASK_INVALID', `${where}: field "version": the harness has no test spec for ${instance.repo} version ${JSON.stringify(instance.version ?? null)} (known: ${known.join(', ')}); give --test-command`);
    }
    return { ...harnessEval(test, directives, conda), parser: options.parser ?? ownParser ?? test.parser };
  }
  const command = DEFAULT_TEST_COMMAND.replace('{files}', directives.join(' ')).trimEnd();
  return conda
    ? { test_command: command.replace('python3 -m pytest', 'pytest'), prepare: [...CONDA_ACTIVATE], parser: options.parser ?? 'junit' }
    : { test_command: command, parser: options.parser ?? 'junit' };
}

function unknownParser(name: string, where: string): never {
  throw new TaskError('TASK_INVALID', `${where}: field "log_parser": no parser here for ${JSON.stringify(name)} (known: ${PARSER_NAMES.join(', ')} and the harness's parse_log_* names for them)`);
}

/** The instance's repository source, refused when it is on this machine and the operator did not allow host paths. */
function confinedRepoSource(repo: string, options: SwebenchImportOptions, where: string): { url: string } | { path: string } {
  const source = repoSource(repo, options.baseDir, options.allowHostPaths === true);
  if (options.allowHostPaths || ('url' in source && isRemoteGitUrl(source.url))) return source;
  const found = 'path' in source ? `a path on this machine (${source.path})` : 'a path or transport on this machine';
  throw new TaskError('TASK_PATH_REFUSED', `${where}: field "repo": expected a GitHub owner/name or a remote git URL, found ${repo} (${found}); pass --allow-host-paths to let instances name repositories on this machine`, {
    context: { file: where, field: 'repo' },
  });
}

/**
 * Where the repository comes from: any git URL, a local path (absolute, `./…`, or an
 * existing folder relative to the instances file), GitHub `owner/name`, or SWE-smith's
 * `owner__name.commit` mirror (github.com/swesmith).
 */
export function repoSource(repo: string, baseDir = process.cwd(), probeLocal = true): { url: string } | { path: string } {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[\w.-]+@[\w.-]+:/.test(repo)) return { url: repo };
  const local = isAbsolute(repo) ? repo : resolve(baseDir, repo);
  // An `owner/name` that happens to exist as a folder is a local path only when host paths are allowed.
  if (isAbsolute(repo) || repo.startsWith('./') || repo.startsWith('../') || (probeLocal && existsSync(local))) return { path: local };
  if (/^[\w.-]+\/[\w.-]+$/.test(repo)) return { url: `https://github.com/${repo}` };
  if (/^[\w-]+__[\w.-]+\.[0-9a-f]{7,40}$/.test(repo)) return { url: `https://github.com/swesmith/${repo}` };
  return { path: local };
}
