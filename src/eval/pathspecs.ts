/**
 * Git pathspecs that leave out gitignore-style globs: a bare name (`*.pyc`,
 * `__pycache__/`) matches at any depth, a pattern with a slash is anchored to the root,
 * a trailing slash means a folder and everything in it.
 */
export function excludePathspecs(patterns: string[]): string[] {
  const specs: string[] = [];
  for (const raw of patterns) {
    const folder = raw.endsWith('/');
    const pattern = raw.replace(/\/+$/, '');
    if (!pattern) continue;
    const anchored = pattern.includes('/');
    const base = anchored ? pattern.replace(/^\/+/, '') : `**/${pattern}`;
    specs.push(`:(exclude,glob)${base}/**`);
    if (!folder) specs.push(`:(exclude,glob)${base}`);
  }
  return specs;
}

/** Every path a unified git diff touches (both sides of renames), in order, without duplicates. */
export function patchedFiles(patch: string): string[] {
  const seen = new Set<string>();
  for (const line of patch.split('\n')) {
    const git = /^diff --git a\/(.+) b\/(.+)$/.exec(line);
    if (git) {
      seen.add(git[1]!);
      seen.add(git[2]!);
      continue;
    }
    const side = /^(?:---|\+\+\+) (?:a|b)\/(.+?)(?:\t.*)?$/.exec(line);
    if (side) seen.add(side[1]!);
  }
  return [...seen];
}

/**
 * The files a diff changes that exist before it (its `--- a/…` sides), as the harness's
 * get_modified_files takes them to reset test files: files the diff adds are left out
 * (`git checkout BASE -- new-file` would fail and reset nothing).
 */
export function modifiedFiles(patch: string): string[] {
  const seen = new Set<string>();
  for (const line of patch.split('\n')) {
    const side = /^--- a\/(.+?)(?:\t.*)?$/.exec(line);
    if (side) seen.add(side[1]!);
  }
  return [...seen];
}
