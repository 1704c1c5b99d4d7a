import { sentSampling } from '../sampling.js';
import type { EndpointSettings, SamplingProblem } from '../types.js';
import { REASONING_MODEL } from './request-body.js';

/**
 * OpenAI's reasoning models (o1, o3, o4-mini, gpt-5…; not their `-chat` variants) take
 * only the default temperature and top_p (1): anything else is answered with a 400
 * ("Only the default (1) value is supported").
 */
export function openaiSamplingProblems(settings: EndpointSettings): SamplingProblem[] {
  if (!REASONING_MODEL.test(settings.model) || /-chat\b/i.test(settings.model)) return [];
  return sentSampling(settings, ['temperature', 'top_p'])
    .filter(({ value }) => value !== 1)
    .map(({ field, name }) => ({ field, reason: `${settings.model} is an OpenAI reasoning model: it takes only the default ${name} (1)` }));
}
