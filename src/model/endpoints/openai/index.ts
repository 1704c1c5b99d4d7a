import type { ModelEndpoint } from '../types.js';
import { ChatClient } from './client.js';
import { openaiSamplingProblems } from './sampling.js';

/** OpenAI-compatible chat completions: vLLM, SGLang, Ollama, llama.cpp's server, OpenAI and other hosted APIs. */
export const openaiEndpoint: ModelEndpoint = {
  description: 'chat completions',
  createClient: (options, settings) => new ChatClient({ ...options, tokenParam: settings.token_param, stream: settings.stream }),
  samplingProblems: openaiSamplingProblems,
};

export { ChatClient, type ChatClientOptions } from './client.js';
export { buildChatBody, tokenParamFor, REASONING_MODEL, type TokenParam } from './request-body.js';
