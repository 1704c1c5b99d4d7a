import { z } from 'zod';
import { TaskError } from '../core/errors.js';

/** Where a list of requirements came from and what it is for (`runtime`, `test`, `extra:NAME`, `group:NAME`, `ci`, `other`). */
const RequirementListSchema = z.object({
  source: z.string().max(500),
  kind: z.string().max(200),
  items: z.array(z.string().max(1000)).max(500),
});

const PytestSchema = z.object({
  source: z.string().max(500),
  addopts: z.array(z.string().max(1000)).max(200),
  testpaths: z.array(z.string().max(1000)).max(200),
  required_plugins: z.array(z.string().max(200)).max(100),
  asyncio_mode: z.string().max(100).nullable(),
  minversion: z.string().max(100).nullable(),
});

/**
 * What probe.py read of a repository's own configuration (pyproject.toml, setup.cfg,
 * setup.py, requirements files, tox.ini, noxfile.py, CI workflows, its layout). It comes
 * out of a container: untrusted, so every field is bounded here.
 */
export const RepoFactsSchema = z.object({
  python: z.string().regex(/^\d+\.\d+\.\d+$/),
  name: z.string().max(200).nullable(),
  version: z.string().max(200).nullable(),
  requires_python: z.string().max(200).nullable(),
  build_backend: z.string().max(200).nullable(),
  build_requires: z.array(z.string().max(500)).max(100),
  requirements: z.array(RequirementListSchema).max(500),
  pytest: PytestSchema.nullable(),
  test_commands: z.array(z.object({ source: z.string().max(500), command: z.string().max(2000) })).max(500),
  package_dir: z.string().max(500).nullable(),
  source_root: z.string().max(500),
  packages: z.array(z.string().max(200)).max(500),
  compiled: z.array(z.string().max(500)).max(20),
  scripts: z.record(z.string().max(200), z.string().max(500)),
  version_files: z.array(z.string().max(500)).max(10),
  test_files: z.number().int().nonnegative(),
  unittest_files: z.number().int().nonnegative(),
  test_dirs: z.array(z.string().max(500)).max(1000),
  conftest: z.boolean(),
  files: z.array(z.string().max(500)).max(1000),
  problems: z.array(z.string().max(2000)).max(1000),
  setup_py_parses: z.boolean(),
  /** pyproject uses a PEP 639 license expression (or license-files): older build backends refuse it. */
  license_expression: z.boolean().default(false),
});
export type RepoFacts = z.infer<typeof RepoFactsSchema>;

/** Parse probe.py's output; an answer that is not the schema is the probe's failure, named. */
export function parseFacts(text: string, where: string): RepoFacts {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TaskError('ENV_PROBE_FAILED', `${where}: the repository probe did not print JSON: ${(error as Error).message}: ${text.slice(0, 300)}`);
  }
  const parsed = RepoFactsSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new TaskError('ENV_PROBE_FAILED', `${where}: field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
