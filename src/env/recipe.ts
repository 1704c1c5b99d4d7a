import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PACKAGE_ROOT } from '../core/package-root.js';
import { shellQuote } from '../core/quote.js';
import { canonicalJson } from '../task/index.js';
import { PARSER_NAMES } from '../task/parser-names.js';

/** Where the repository lives in an environment image (SWE-bench's place for it). */
export const REPO_ROOT = '/testbed';

/**
 * How an environment is made, with no model: Debian packages (pinned), packages from a
 * pip index, the commands that install the project once the repository is in place, and
 * how its tests run. Rebuilding from it gives the same layers, tagged by the same hashes.
 */
export const RecipeSchema = z.object({
  format: z.literal('forager-env-recipe'),
  version: z.literal(1),
  /** Which installer wrote it. */
  installer: z.enum(['scripted', 'model']),
  /** The image recipe under images/ the environment starts from. */
  base: z.string().min(1),
  /** Debian packages, `name=version`. */
  apt: z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]*(=[A-Za-z0-9.+~:-]+)?$/)),
  /** Packages from a pip index, as pip requirement strings. */
  pip: z.object({ index: z.string().url(), requirements: z.array(z.string().min(1)).min(1) }).strict().nullable(),
  /** Installing the project itself, run from the repository root after it is in place. */
  install: z.object({
    mode: z.enum(['editable', 'develop', 'script', 'none']),
    commands: z.array(z.string().min(1)),
  }).strict(),
  test: z.object({
    command: z.string().min(1),
    parser: z.enum(PARSER_NAMES),
    /** The command on chosen test files: `{files}` stands for them (how mined tasks run only the tests they touch). */
    select: z.string().includes('{files}').optional(),
  }).strict(),
}).strict();
export type Recipe = z.infer<typeof RecipeSchema>;

/** sha256 of the recipe's canonical JSON: what names it. */
export function hashRecipe(recipe: Recipe): string {
  return createHash('sha256').update(canonicalJson(recipe)).digest('hex');
}

/** The dependency layer's commands: Debian packages, then the index's (pip from Debian, outside Debian's own files). */
export function dependencyCommands(recipe: Recipe): string[] {
  const commands: string[] = [];
  if (recipe.apt.length > 0) {
    commands.push(`apt-get update && apt-get install -y --no-install-recommends ${recipe.apt.map(shellQuote).join(' ')} && rm -rf /var/lib/apt/lists/*`);
  }
  if (recipe.pip) {
    const host = new URL(recipe.pip.index).hostname;
    commands.push(`python3 -m pip install --no-cache-dir --break-system-packages --disable-pip-version-check --index-url ${shellQuote(recipe.pip.index)} --trusted-host ${shellQuote(host)} ${recipe.pip.requirements.map(shellQuote).join(' ')}`);
  }
  // A layer needs one command at least: this one records what the layer is for.
  return commands.length > 0 ? commands : ['true'];
}

/** The project layer's commands: the install steps, run at the repository root. */
export function installCommands(recipe: Recipe): string[] {
  return recipe.install.commands.length > 0 ? recipe.install.commands.map((c) => `cd ${REPO_ROOT} && ${c}`) : ['true'];
}

const DEVELOP_PY = join(PACKAGE_ROOT, 'src', 'env', 'python', 'develop.py');

/** A shell command that writes a file's bytes from base64 (one line: a Dockerfile RUN takes it as it is). */
export function writeFileCommand(path: string, content: string | Buffer): string {
  return `echo ${Buffer.from(content).toString('base64')} | base64 -d > ${shellQuote(path)}`;
}

export interface DevelopSpec {
  name: string;
  version: string;
  source_root: string;
  packages: string[];
  scripts: Record<string, string>;
  version_files: string[];
}

/** The install command that puts the project on sys.path without building it (develop.py). */
export function developCommand(spec: DevelopSpec): string {
  const json = JSON.stringify({ ...spec, root: REPO_ROOT });
  return `${writeFileCommand('/tmp/forager-develop.py', readFileSync(DEVELOP_PY))} && python3 /tmp/forager-develop.py ${shellQuote(json)} && rm /tmp/forager-develop.py`;
}

/** The install command of a shell script (the model installer's): written, then run with bash -e from the repository root. */
export function scriptCommand(script: string): string {
  return `${writeFileCommand('/tmp/forager-install.sh', script)} && bash -e /tmp/forager-install.sh && rm -f /tmp/forager-install.sh`;
}
