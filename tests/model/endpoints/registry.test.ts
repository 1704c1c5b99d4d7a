import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { ModelAgentSpecSchema } from '../../../src/agent/index.js';
import { addModelOptions } from '../../../src/cli/model-options.js';
import { ENDPOINT_NAMES, getEndpoint, isEndpointName } from '../../../src/model/index.js';
import { MODEL_ENDPOINTS } from '../../../src/model/endpoints/registry.js';
import { ModelOverridesSchema } from '../../../src/queue/payload.js';

const base = { type: 'model', base_url: 'http://127.0.0.1:1/v1', model: 'm' };

describe('the model endpoint registry', () => {
  it('names every kind once, the default (openai) first', () => {
    expect(ENDPOINT_NAMES).toEqual(Object.keys(MODEL_ENDPOINTS));
    expect(ENDPOINT_NAMES[0]).toBe('openai');
    expect(ENDPOINT_NAMES).toContain('anthropic');
    expect(isEndpointName('anthropic')).toBe(true);
    expect(isEndpointName('toString')).toBe(false);
  });

  it('is where the agent spec takes its `endpoint` choices from', () => {
    for (const name of ENDPOINT_NAMES) expect(ModelAgentSpecSchema.parse({ ...base, endpoint: name }).endpoint).toBe(name);
    expect(ModelAgentSpecSchema.parse(base).endpoint).toBe(ENDPOINT_NAMES[0]);
    const refused = ModelAgentSpecSchema.safeParse({ ...base, endpoint: 'gemini' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(['endpoint']);
  });

  it('is where --endpoint takes its choices from, each with what it speaks in the help', () => {
    const command = addModelOptions(new Command());
    const option = command.options.find((o) => o.long === '--endpoint')!;
    expect(option.argChoices).toEqual(ENDPOINT_NAMES);
    for (const name of ENDPOINT_NAMES) expect(option.description).toContain(`${name} (${getEndpoint(name).description})`);
  });

  it('is what a queued job\'s endpoint is checked against', () => {
    for (const name of ENDPOINT_NAMES) expect(ModelOverridesSchema.safeParse({ endpoint: name }).success).toBe(true);
    expect(ModelOverridesSchema.safeParse({ endpoint: 'gemini' }).success).toBe(false);
  });

  it('builds each kind\'s own client from the agent settings', () => {
    const options = { baseUrl: 'http://127.0.0.1:1/v1', model: 'm', timeoutMs: 1000, maxRetries: 0 };
    const settings = { model: 'm', stream: false, prompt_cache: true };
    expect(getEndpoint('openai').createClient(options, settings).constructor.name).toBe('ChatClient');
    expect(getEndpoint('anthropic').createClient(options, settings).constructor.name).toBe('AnthropicClient');
  });
});
