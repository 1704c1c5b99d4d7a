import { describe, expect, it } from 'vitest';
import { actingModel, agentLabel, AgentDescriptionSchema, HeaderSchema, recordedModel } from '../../src/trajectory/schema.js';

describe('AgentDescriptionSchema', () => {
  it('reads the typed variants as they are written', () => {
    const model = { type: 'model', model: { base_url: 'http://x/v1', model: 'm', tool_format: 'cwm', reasoning_effort: 'high' }, system_prompt: 'S', user_prompt: 'U', tools: null };
    expect(AgentDescriptionSchema.parse(model)).toEqual(model);
    expect(AgentDescriptionSchema.parse({ type: 'scripted', actions: 3 })).toEqual({ type: 'scripted', actions: 3 });
    const fork = { type: 'fork', replay: { type: 'replay', trajectory_id: 'p', until: 2, steps: 3, recorded: { type: 'scripted', actions: 5 } }, then: model };
    expect(AgentDescriptionSchema.parse(fork)).toEqual(fork);
  });

  it("reads a header written before descriptions were typed: a model agent's flat spec nests under `model`", () => {
    const old = { type: 'model', base_url: 'http://x/v1', model: 'cwm-32b', tool_format: 'cwm', temperature: 0, system_prompt: 'S', user_prompt: 'U', tools: null };
    expect(AgentDescriptionSchema.parse(old)).toEqual({
      type: 'model', model: { base_url: 'http://x/v1', model: 'cwm-32b', tool_format: 'cwm', temperature: 0, system_prompt: 'S', user_prompt: 'U' }, system_prompt: 'S', user_prompt: 'U', tools: null,
    });
    const oldFork = { type: 'fork', replay: { type: 'replay', trajectory_id: 'p', steps: 2 }, then: { type: 'model', model: 'child', tool_format: 'openai' } };
    expect(recordedModel(AgentDescriptionSchema.parse(oldFork))?.model.model).toBe('child');
  });

  it('keeps a description it cannot read as `unknown`, so the file still reads', () => {
    expect(AgentDescriptionSchema.parse({ type: 'throwing', x: 1 })).toEqual({ type: 'unknown', record: { type: 'throwing', x: 1 } });
    expect(HeaderSchema.shape.agent.parse({})).toEqual({ type: 'unknown', record: {} });
  });
});

describe('actingModel() and recordedModel()', () => {
  const parent = AgentDescriptionSchema.parse({ type: 'model', model: { model: 'parent' } });
  const replay = AgentDescriptionSchema.parse({ type: 'replay', trajectory_id: 'p', steps: 2, recorded: parent });

  it('find the model that acted: the model, or the agent a fork handed over to', () => {
    const fork = AgentDescriptionSchema.parse({ type: 'fork', replay, then: { type: 'model', model: { model: 'child' } } });
    expect(actingModel(fork)?.model.model).toBe('child');
    expect(agentLabel(fork)).toBe('fork → model child');
  });

  it('fall back to the model a replay replayed, which the acting model never is', () => {
    expect(actingModel(replay)).toBeNull();
    expect(recordedModel(replay)?.model.model).toBe('parent');
    expect(recordedModel(AgentDescriptionSchema.parse({ type: 'scripted', actions: 1 }))).toBeNull();
  });
});
