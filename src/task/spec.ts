import { z } from 'zod';
import { AgentSpecSchema } from '../agent/spec.js';
import { PARSER_NAMES } from './parser-names.js';

/**
 * Where a task's image comes from: a recipe folder under images/ (`"python"` is short
 * for `{ recipe: "python" }`), a Dockerfile next to the task, or an existing image.
 */
export const ImageSpecSchema = z.union([
  z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a recipe name under images/ (lower case, digits, . _ -)'),
  z.object({ recipe: z.string().min(1) }).strict(),
  z.object({
    dockerfile: z.string().min(1),
    /** Build context folder, relative to the task file (default: the Dockerfile's folder). */
    context: z.string().optional(),
  }).strict(),
  z.object({ ref: z.string().min(1) }).strict(),
]);
export type ImageSpec = z.infer<typeof ImageSpecSchema>;

export const FileSpecSchema = z.union([
  z.object({ path: z.string().min(1), content: z.string(), mode: z.number().int().optional() }).strict(),
  /** A file or a folder next to the task file, copied to `path` (relative paths are under workdir). */
  z.object({ path: z.string().min(1), from: z.string().min(1) }).strict(),
]);
export type FileSpec = z.infer<typeof FileSpecSchema>;

export const DEFAULT_LIMITS = {
  wall_time_s: 1800,
  action_timeout_s: 120,
  max_steps: 128,
  memory_mb: 2048,
  cpus: 1,
  pids: 512,
  network: 'none',
  max_output_bytes: 480 * 1024,
  /** The writable layer's size limit: a step that grows it past this is stopped and the attempt ends. */
  disk_mb: 10240,
} as const;

export const LimitsInputSchema = z.object({
  wall_time_s: z.number().positive(),
  action_timeout_s: z.number().positive(),
  max_steps: z.number().int().positive(),
  memory_mb: z.number().int().min(16),
  cpus: z.number().positive(),
  pids: z.number().int().min(8),
  network: z.enum(['none', 'bridge']),
  max_output_bytes: z.number().int().min(1024),
  disk_mb: z.number().int().min(1),
  /** The OCI runtime to run the sandbox under (`runsc` for gVisor; see `forager setup --runtime`). */
  runtime: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a runtime name the engine knows (letters, digits, . _ -)'),
  /** Mount the workdir and /tmp as size-limited file systems of `disk_mb` each: `tmpfs` (counts against memory) or `loop` (a loop-mounted ext4 file). */
  disk_mount: z.enum(['tmpfs', 'loop']),
}).strict().partial();

/** Paths left out of a run's patch by default: build artefacts and caches (gitignore-style globs). */
export const DEFAULT_PATCH_EXCLUDE = [
  '__pycache__/', '*.pyc', '*.pyo', '.pytest_cache/', '.mypy_cache/', '.ruff_cache/', '.tox/', '.nox/',
  '*.egg-info/', '.eggs/', 'build/', 'dist/', 'node_modules/', '.coverage', 'htmlcov/', '.DS_Store',
];

const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * The repository a task works on, brought into the task image at one commit with its
 * future scrubbed away. `path` is a git repository (commit default HEAD) or a plain
 * folder (made into a one-commit repository); `url` needs the full commit SHA;
 * `in_image` says the repository already lives in the image at `root` (SWE-bench images).
 */
export const RepoSpecSchema = z.object({
  path: z.string().min(1).optional(),
  url: z.string().min(1).optional(),
  in_image: z.literal(true).optional(),
  commit: z.string().regex(/^[^\s-][^\s]*$/, 'a commit SHA or revision').optional(),
  /** Where the repository lives in the container (default: the task's workdir). */
  root: z.string().startsWith('/').optional(),
}).strict()
  .refine((r) => [r.path, r.url, r.in_image].filter((v) => v !== undefined).length === 1, { message: 'exactly one of path, url or in_image' })
  .refine((r) => r.path !== undefined || (r.commit !== undefined && FULL_SHA.test(r.commit)), { message: 'a full 40-hex commit SHA (needed with url or in_image)', path: ['commit'] });
export type RepoSpec = z.infer<typeof RepoSpecSchema>;

/** The repository's dependencies, a layer between the task's image and the repository. */
export const EnvironmentSpecSchema = z.union([
  z.object({ commands: z.array(z.string().min(1)).min(1) }).strict(),
  z.object({ dockerfile: z.string().min(1), context: z.string().optional() }).strict(),
]);
export type EnvironmentSpec = z.infer<typeof EnvironmentSpecSchema>;

/** How a run is graded: tests run on the patched repository in a fresh container. */
export const EvalSpecSchema = z.object({
  /** Run from the repository root; `$FORAGER_JUNIT` names where JUnit XML is expected. */
  test_command: z.string().min(1),
  /** A diff applied after the agent's patch (the tests that decide), never shown to the agent. */
  test_patch: z.string().optional(),
  fail_to_pass: z.array(z.string().min(1)).default([]),
  pass_to_pass: z.array(z.string().min(1)).default([]),
  /** Where the test command writes JUnit XML (default /tmp/forager-eval/junit.xml, exported as $FORAGER_JUNIT). */
  junit_path: z.string().startsWith('/').optional(),
  /** How the test run is read (docs/repository-tasks.md): `junit` reads the XML report, the others the command's output. */
  parser: z.enum(PARSER_NAMES).default('junit'),
  timeout_s: z.number().positive().default(1800),
  /**
   * Commands run in the test's own shell before the test files are reset and the test patch
   * applied — the SWE-bench harness's eval script order (environment, eval_commands, the
   * reinstall). With them the whole sequence runs as one script under `set -uxo pipefail`,
   * and only the output between its start and end markers is parsed.
   */
  prepare: z.array(z.string().min(1)).optional(),
  /** The grading sandbox's network (default none). A reinstall that downloads needs `bridge`, as the harness's eval container has. */
  network: z.enum(['none', 'bridge']).optional(),
}).strict().refine((e) => e.fail_to_pass.length + e.pass_to_pass.length > 0, { message: 'at least one test in fail_to_pass or pass_to_pass' });
export type EvalSpec = z.infer<typeof EvalSpecSchema>;

export const TaskSpecSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ - (starting with a letter or digit)'),
  instruction: z.string().min(1),
  image: ImageSpecSchema,
  workdir: z.string().startsWith('/').default('/work'),
  files: z.array(FileSpecSchema).default([]),
  setup: z.array(z.string()).default([]),
  agent: AgentSpecSchema,
  limits: LimitsInputSchema.default({}),
  env: z.record(z.string(), z.string()).default({}),
  seed: z.number().int().default(0),
  /** Free-form labels carried into trajectories and exports (repo, difficulty…). */
  metadata: z.record(z.string(), z.unknown()).default({}),
  repo: RepoSpecSchema.optional(),
  environment: EnvironmentSpecSchema.optional(),
  eval: EvalSpecSchema.optional(),
  /** The reference solution, for `forager tasks validate`; never placed in the container or shown. */
  gold_patch: z.string().optional(),
  /** Globs (gitignore-style) left out of the run's patch. */
  patch_exclude: z.array(z.string().min(1)).default([...DEFAULT_PATCH_EXCLUDE]),
}).strict()
  .refine((t) => t.environment === undefined || t.repo !== undefined, { message: 'needs a repo (the environment layer sits under it)', path: ['environment'] })
  .refine((t) => t.eval === undefined || t.repo !== undefined, { message: 'needs a repo (evaluation applies a patch to it)', path: ['eval'] });
export type TaskSpec = z.infer<typeof TaskSpecSchema>;
