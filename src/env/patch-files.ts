/**
 * The content of a file a patch adds (`new file mode`, one hunk of `+` lines), or null
 * when the patch does not add it. How the model installer's files come back: they are
 * part of the run's patch, taken whatever the run's end, before its sandbox goes.
 */
export function addedFile(patch: string, path: string): string | null {
  const lines = patch.split('\n');
  const start = lines.findIndex((l) => l === `diff --git a/${path} b/${path}`);
  if (start < 0) return null;
  let i = start + 1;
  let isNew = false;
  for (; i < lines.length && !lines[i]!.startsWith('@@'); i += 1) {
    if (lines[i]!.startsWith('new file mode')) isNew = true;
    if (lines[i]!.startsWith('diff --git ')) return null;
  }
  if (!isNew || i >= lines.length) return isNew ? '' : null;
  const out: string[] = [];
  let noNewline = false;
  for (i += 1; i < lines.length && !lines[i]!.startsWith('diff --git '); i += 1) {
    const line = lines[i]!;
    if (line.startsWith('+')) out.push(line.slice(1));
    else if (line.startsWith('\\')) noNewline = true;
    else if (line.startsWith('@@')) continue;
    else break;
  }
  return out.join('\n') + (noNewline || out.length === 0 ? '' : '\n');
}

/** Every file a patch touches. */
export function patchedPaths(patch: string): string[] {
  return [...patch.matchAll(/^diff --git a\/(.*) b\/(.*)$/gm)].map((m) => m[2]!);
}
