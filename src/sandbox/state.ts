import type { FileChange, State } from '../trajectory/schema.js';
import { shellQuote } from './quote.js';

/** At most this many changed files are listed per step; the rest is flagged as truncated. */
export const MAX_CHANGES = 1000;
const PRUNED = ['.git', '__pycache__', 'node_modules', '.pytest_cache'];

/**
 * Shell code that lists the files under `root` that changed since the previous probe.
 * It keeps manifests (path, mtime, size) in /run/forager and prints the records
 * that differ (`comm -3`); the diffing happens in the container, so a step costs a few
 * forks and sends only the changes.
 */
export function stateProbe(root: string): string {
  const prune = PRUNED.map((name) => `-name ${name}`).join(' -o ');
  // Two manifests take turns; the current one's number lives in a file read with builtins, so
  // the probe costs three processes (find, sort, comm) and survives a session restart.
  return [
    `[ -d /run/forager ] || mkdir -p /run/forager`,
    `read -r __fs_cur < /run/forager/current 2>/dev/null || __fs_cur=0; __fs_new=$((1 - __fs_cur))`,
    `find ${shellQuote(root)} -xdev \\( ${prune} \\) -prune -o \\( -type f -o -type l \\) -printf '%P\\t%T@\\t%s\\0' | sort -z > /run/forager/m.$__fs_new`,
    `[ -f /run/forager/m.$__fs_cur ] && comm -z -3 /run/forager/m.$__fs_cur /run/forager/m.$__fs_new`,
    `printf '%s\\n' "$__fs_new" > /run/forager/current`,
  ].join('\n');
}

/** Turn `comm -3` records into file changes: one side only is added/deleted, both is modified. */
export function parseStateProbe(output: Buffer, root: string, cwd: string): State {
  const old = new Map<string, number>();
  const now = new Map<string, number>();
  for (const record of output.toString('utf8').split('\0')) {
    if (record === '') continue;
    const isNew = record.startsWith('\t');
    const body = isNew ? record.slice(1) : record;
    const sizeAt = body.lastIndexOf('\t');
    const timeAt = body.lastIndexOf('\t', sizeAt - 1);
    if (sizeAt < 0 || timeAt < 0) continue;
    const path = body.slice(0, timeAt);
    (isNew ? now : old).set(path, Number(body.slice(sizeAt + 1)));
  }
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const changes: FileChange[] = [];
  for (const [path, size] of now) {
    changes.push({ path: prefix + path, change: old.has(path) ? 'modified' : 'added', size });
  }
  for (const path of old.keys()) {
    if (!now.has(path)) changes.push({ path: prefix + path, change: 'deleted' });
  }
  changes.sort((a, b) => a.path.localeCompare(b.path));
  const state: State = { cwd, changes: changes.slice(0, MAX_CHANGES) };
  if (changes.length > MAX_CHANGES) state.changes_truncated = true;
  return state;
}
