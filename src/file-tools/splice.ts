/** Where `search` occurs in `bytes`: its offset when exactly once, else how many times (0, 2 = two or more). */
export function findOnce(bytes: Buffer, search: Buffer): { at: number } | { matches: number } {
  if (search.length === 0) return bytes.length === 0 ? { at: 0 } : { matches: 2 };
  const at = bytes.indexOf(search);
  if (at < 0) return { matches: 0 };
  const again = bytes.indexOf(search, at + 1);
  if (again >= 0) return { matches: countOccurrences(bytes, search) };
  return { at };
}

/** How many times `search` occurs, overlapping occurrences counted (as the edit tool always did). */
export function countOccurrences(bytes: Buffer, search: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(search); at >= 0; at = bytes.indexOf(search, at + 1)) count += 1;
  return count;
}

/** `bytes` with `length` bytes at `at` replaced: every other byte kept as it was. */
export function spliceBytes(bytes: Buffer, at: number, length: number, replacement: Buffer): Buffer {
  return Buffer.concat([bytes.subarray(0, at), replacement, bytes.subarray(at + length)]);
}
