/** Characters per token of the rough estimate used before a tokenizer (or the server's usage) says better. */
export const CHARS_PER_TOKEN = 4;

/**
 * Tokens of `chars` characters (or bytes) of text, estimated at four characters a token,
 * rounded up. `calibration` scales it (observed tokens / estimated tokens, learnt from usage).
 */
export function estimateTokens(chars: number, calibration = 1): number {
  return Math.ceil((chars / CHARS_PER_TOKEN) * calibration);
}
