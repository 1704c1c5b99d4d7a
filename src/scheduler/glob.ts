/** Whether `text` matches a glob where `*` is any run of characters and `?` one character. */
export function matchesGlob(text: string, glob: string): boolean {
  const pattern = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`).test(text);
}
