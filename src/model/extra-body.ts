/** Top-level merge: each key of `extra` replaces the body's, and `null` removes it. */
export function mergeExtraBody(body: Record<string, unknown>, extra: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!extra) return body;
  const merged = { ...body };
  for (const [key, value] of Object.entries(extra)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}
