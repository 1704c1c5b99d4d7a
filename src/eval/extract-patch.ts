import type { Sandbox } from '../core/contracts.js';
import { InfrastructureError, TaskError } from '../core/errors.js';
import { shellQuote } from '../core/quote.js';
import { excludePathspecs } from './pathspecs.js';
import { runIn, tail } from './sandbox-shell.js';

export interface ExtractOptions {
  /** The repository's root in the sandbox. */
  root: string;
  /** The commit the patch is taken against. */
  base: string;
  /** Gitignore-style globs left out of the patch. */
  exclude: string[];
  timeoutMs?: number;
  signal?: AbortSignal;
}

const OUT = '/tmp/forager-patch.diff';
const ATTRIBUTES = '/tmp/forager-binary.attributes';

/**
 * The diff from the base commit to the working tree, new (untracked) files included and
 * excluded paths left out. Staged through a temporary index (GIT_INDEX_FILE), so the
 * repository's own index is untouched; binary files are kept as git binary patches, and
 * a diff that is not valid UTF-8 is redone with every file as binary, so that the patch
 * is a string that applies as it was.
 */
export async function extractPatch(sandbox: Sandbox, options: ExtractOptions): Promise<string> {
  const first = await diffOnce(sandbox, options, false);
  const text = decodeUtf8(first);
  return text ?? (await diffOnce(sandbox, options, true)).toString('utf8');
}

async function diffOnce(sandbox: Sandbox, options: ExtractOptions, allBinary: boolean): Promise<Buffer> {
  const excludes = excludePathspecs(options.exclude).map(shellQuote).join(' ');
  const base = shellQuote(options.base);
  const config = allBinary ? `-c core.attributesFile=${ATTRIBUTES} ` : '';
  const script = [
    'set -e',
    allBinary ? `printf '* binary\\n' > ${ATTRIBUTES}` : ':',
    'idx=$(mktemp /tmp/forager-index.XXXXXX)',
    'trap \'rm -f "$idx"\' EXIT',
    'export GIT_INDEX_FILE="$idx"',
    `git read-tree ${base}`,
    `git add -A -- . ${excludes}`,
    `git ${config}-c core.quotepath=false diff --cached --binary --no-color --no-ext-diff --no-renames --src-prefix=a/ --dst-prefix=b/ ${base} > ${OUT}`,
  ].join('\n');
  const result = await runIn(sandbox, options.root, script, { timeoutMs: options.timeoutMs ?? 300_000, signal: options.signal });
  if (result.exitCode !== 0) {
    throw new TaskError('PATCH_EXTRACT_FAILED', `could not take the diff of ${options.root} against ${options.base} (exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}): ${tail(result.output, 1000)}`);
  }
  const bytes = await sandbox.readFile(OUT, { signal: options.signal });
  if (bytes === null) throw new InfrastructureError('PATCH_UNREADABLE', `the diff written to ${OUT} is gone`);
  return bytes;
}

function decodeUtf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
