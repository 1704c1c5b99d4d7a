import type { Sandbox } from '../core/contracts.js';
import type { Evaluation } from '../trajectory/schema.js';
import { shellQuote } from '../core/quote.js';
import { patchedFiles } from './pathspecs.js';
import { runIn, tail } from './sandbox-shell.js';

export type ApplyMethod = NonNullable<Evaluation['patch']['method']>;

/** The SWE-bench harness's cascade: strict, then with rejects, then GNU patch with fuzz. */
export const APPLY_CASCADE: { method: ApplyMethod; command: (file: string) => string }[] = [
  { method: 'git_apply', command: (f) => `git apply --verbose ${f}` },
  { method: 'git_apply_reject', command: (f) => `git apply --verbose --reject ${f}` },
  { method: 'patch_fuzz', command: (f) => `patch --batch --fuzz=5 -p1 -i ${f}` },
];

export interface ApplyResult {
  method: ApplyMethod | null;
  log: string;
}

/**
 * Apply `patch` at `root` with the first method of the cascade that succeeds. What a
 * failed attempt half-applied is undone (its files reset to HEAD, new ones removed,
 * .rej/.orig left-overs deleted) before the next one tries.
 */
export async function applyPatch(sandbox: Sandbox, root: string, patch: string, options: { signal?: AbortSignal; file?: string } = {}): Promise<ApplyResult> {
  if (patch.trim() === '') return { method: 'empty', log: '' };
  const file = options.file ?? '/tmp/forager-eval/model.patch';
  await sandbox.writeFile(file, patch, { signal: options.signal });
  let log = '';
  for (const step of APPLY_CASCADE) {
    const command = step.command(shellQuote(file));
    const result = await runIn(sandbox, root, command, { timeoutMs: 120_000, signal: options.signal });
    log += `>>> ${command}\n${result.output}${result.output.endsWith('\n') || !result.output ? '' : '\n'}exit ${result.exitCode}\n`;
    if (result.exitCode === 0) return { method: step.method, log: tail(log) };
    await runIn(sandbox, root, resetScript(patchedFiles(patch)), { timeoutMs: 120_000, signal: options.signal });
  }
  return { method: null, log: tail(log) };
}

/** Shell that puts `files` back as they are at HEAD (removing the ones HEAD lacks) and drops patch left-overs. */
export function resetScript(files: string[]): string {
  if (files.length === 0) return ':';
  const list = files.map(shellQuote).join(' ');
  return `for f in ${list}; do rm -f -- "$f.rej" "$f.orig"; if git cat-file -e "HEAD:$f" 2>/dev/null; then git checkout -q HEAD -- "$f"; else rm -f -- "$f"; fi; done`;
}
