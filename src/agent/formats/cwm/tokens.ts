import { createRequire } from 'node:module';
import type llama3Type from 'llama3-tokenizer-js';
import { CHARS_PER_TOKEN } from '../../../core/tokens.js';

/**
 * How CWM's environment counts tokens: the budget block's remaining tokens and the cut of
 * long results (cwm/rl/envs/envs/swerl_tool.py, cwm/rl/envs/utils/dialogs.py). CWM uses its
 * own tiktoken file (tokenizer.model, shipped with the weights).
 */
export interface TokenCounter {
  readonly name: CwmTokenizerName;
  /** Tokens of ordinary text (special-token strings in it are text, as tiktoken's encode_ordinary reads them). */
  count(text: string): number;
  /** The first `tokens` tokens of `text`, decoded (a token cut inside a character decodes to U+FFFD). */
  head(text: string, tokens: number): string;
  /** The last `tokens` tokens of `text`, decoded. */
  tail(text: string, tokens: number): string;
}

export const CWM_TOKENIZER_NAMES = ['llama3', 'estimate'] as const;
export type CwmTokenizerName = (typeof CWM_TOKENIZER_NAMES)[number];

/** tiktoken's encode cuts texts of 400,000 characters (code points) or more into pieces of that size (TikTokenTokenizer._encode). */
const ENCODE_CHUNK = 400_000;
/** A pattern that matches nothing: llama3-tokenizer-js then reads `<|…|>` strings as text, as encode_ordinary does. */
const NO_SPECIAL = /(?!)/g;

let tokenizer: typeof llama3Type | undefined;

/**
 * The Llama 3 tokenizer, loaded the first time it is needed: its baked vocabulary costs
 * ~120 MB of memory, which every forager process (a harvest with no CWM agent, `--help`)
 * would otherwise pay. Its CommonJS bundle is the same code as the ES module, loadable
 * synchronously.
 */
function llama3(): typeof llama3Type {
  tokenizer ??= (createRequire(import.meta.url)('llama3-tokenizer-js/bundle/commonjs-llama3-tokenizer-with-baked-data.cjs') as { llama3Tokenizer: typeof llama3Type }).llama3Tokenizer;
  return tokenizer;
}

/** Llama 3's token ids of ordinary text, cut as tiktoken cuts long texts (CWM's TikTokenTokenizer._encode; see LLAMA3 below). */
export function encodeLlama3(text: string): number[] {
  if (text === '') return [];
  const options = { bos: false, eos: false, specialTokenRegex: NO_SPECIAL };
  if (text.length < ENCODE_CHUNK) return llama3().encode(text, options as never);
  const points = Array.from(text);
  if (points.length < ENCODE_CHUNK) return llama3().encode(text, options as never);
  const out: number[] = [];
  for (let i = 0; i < points.length; i += ENCODE_CHUNK) out.push(...llama3().encode(points.slice(i, i + ENCODE_CHUNK).join(''), options as never));
  return out;
}

/**
 * Llama 3's BPE (128,000 ranks, the pre-tokenizer pattern CWM's TikTokenTokenizer names).
 * CWM's vocabulary has 128,000 ranks below its special tokens (PROMPTING_GUIDE.md numbers
 * them from 128000) and the same pattern; that the ranks are Llama 3's is an inference,
 * not checked against CWM's tokenizer.model, which is not public.
 */
const LLAMA3: TokenCounter = {
  name: 'llama3',
  count: (text) => encodeLlama3(text).length,
  head: (text, tokens) => llama3().decode(encodeLlama3(text).slice(0, Math.max(0, tokens))),
  tail: (text, tokens) => (tokens <= 0 ? '' : llama3().decode(encodeLlama3(text).slice(-tokens))),
};

/** Four characters a token, no tokenizer: for models whose tokenizer forager does not have. */
const ESTIMATE: TokenCounter = {
  name: 'estimate',
  count: (text) => Math.ceil(text.length / CHARS_PER_TOKEN),
  head: (text, tokens) => text.slice(0, Math.max(0, tokens) * CHARS_PER_TOKEN),
  tail: (text, tokens) => (tokens <= 0 ? '' : text.slice(-tokens * CHARS_PER_TOKEN)),
};

export function getTokenCounter(name: CwmTokenizerName): TokenCounter {
  return name === 'llama3' ? LLAMA3 : ESTIMATE;
}
