import picomatch from 'picomatch';

/**
 * The one glob dialect of forager (task ids in `harvest --filter`, `export --task`,
 * repositories in `export --repo`): `*` any run of characters (`/` included), `?` one
 * character, `[abc]`, `[a-z]`, `[!abc]` / `[^abc]`, `{a,b}`. Matched by picomatch, anchored.
 */
export function globToRegExp(glob: string): RegExp {
  // picomatch reads `[!…]` literally; shells (and forager before it) negate with it.
  const pattern = glob.replace(/\[!/g, '[^');
  return picomatch.makeRe(pattern, { bash: true, dot: true, noextglob: true, literalBrackets: false });
}

/** Whether `text` matches the glob. */
export function matchesGlob(text: string, glob: string): boolean {
  return globToRegExp(glob).test(text);
}

/** Whether `value` matches any of the compiled globs. */
export function matchesAnyGlob(value: string, globs: readonly RegExp[]): boolean {
  return globs.some((glob) => glob.test(value));
}
