import { sentSampling } from '../sampling.js';
import type { EndpointSettings, SamplingProblem } from '../types.js';
import { ANTHROPIC_VERSION } from './client.js';

/** The first API version whose requests have no temperature, top_p or top_k (@anthropic-ai/sdk 1.0.0). */
const NO_SAMPLING_VERSION = '2026-10-21';

/** `claude-opus-4-7`, `claude-sonnet-5`, `claude-haiku-4-5-20251001`: line and version. */
const CLAUDE_NAME = /^(?:[\w.-]+\/)?claude-(opus|sonnet|haiku|fable|mythos)-(\d+)(?:-(\d)(?!\d))?/i;

/**
 * What the Messages API refuses of sampling fields, as @anthropic-ai/sdk documents it:
 * from version 2026-10-21 a request has no `temperature`, `top_p` or `top_k` at all
 * (1.17.0's types); under 2023-06-01, models released after Claude Opus 4.6 (the fable
 * and mythos lines, and opus/sonnet/haiku past 4.6) take only temperature 1.0, top_p of
 * at least 0.99 and no top_k (0.137.0's deprecation notes). With extended thinking on,
 * any model takes only temperature 1.
 */
export function anthropicSamplingProblems(settings: EndpointSettings): SamplingProblem[] {
  const version = settings.anthropic_version ?? ANTHROPIC_VERSION;
  const sent = sentSampling(settings, ['temperature', 'top_p', 'top_k']);
  if (version >= NO_SAMPLING_VERSION) {
    return sent.map(({ field, name }) => ({ field, reason: `the Messages API version ${version} takes no ${name} (anthropic_version, --anthropic-version 2023-06-01 for a model that still does)` }));
  }
  const problems: SamplingProblem[] = [];
  if (releasedAfterOpus46(settings.model)) {
    for (const { field, name, value } of sent) {
      const accepted = name === 'temperature' ? value === 1 : name === 'top_p' ? typeof value === 'number' && value >= 0.99 : false;
      if (!accepted) problems.push({ field, reason: `${settings.model} (released after Claude Opus 4.6) ${name === 'top_k' ? 'takes no top_k' : name === 'temperature' ? 'takes only temperature 1' : 'takes only top_p ≥ 0.99'}` });
    }
  }
  const thinking = (settings.extra_body?.thinking as { type?: unknown } | undefined)?.type;
  const temperature = sent.find((s) => s.name === 'temperature');
  if (thinking !== undefined && thinking !== 'disabled' && temperature && temperature.value !== 1 && !problems.some((p) => p.field === temperature.field)) {
    problems.push({ field: temperature.field, reason: 'with extended thinking on, the Messages API takes only temperature 1' });
  }
  return problems;
}

function releasedAfterOpus46(model: string): boolean {
  const match = CLAUDE_NAME.exec(model);
  if (!match) return false;
  const [, line, major, minor] = match;
  if (line === 'fable' || line === 'mythos') return true;
  return Number(major) * 10 + Number(minor ?? 0) > 46;
}
