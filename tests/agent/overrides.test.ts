import { describe, expect, it } from 'vitest';
import { AgentSpecSchema, applyModelOverrides } from '../../src/agent/index.js';
import { renderTemplate } from '../../src/agent/prompt.js';

const scripted = AgentSpecSchema.parse({ type: 'scripted', actions: [{ tool: 'submit' }] });
const model = AgentSpecSchema.parse({ type: 'model', base_url: 'http://gpu:8000/v1', model: 'facebook/cwm', tool_format: 'cwm', budgets: { max_turns: 50 } });

describe('ModelAgentSpecSchema', () => {
  it('fills defaults and refuses unknown keys and API keys written in the file', () => {
    expect(model).toMatchObject({ max_tokens: 4096, request_timeout_s: 600, max_retries: 5, endpoint: 'openai', stream: false, budgets: { max_turns: 50, max_format_errors: 3 } });
    // Sampling parameters are omitted unless set: the server's defaults apply.
    expect(model).not.toHaveProperty('temperature');
    expect(model).not.toHaveProperty('top_p');
    expect(AgentSpecSchema.safeParse({ type: 'model', base_url: 'http://x/v1', model: 'm', api_key: 'sk-1' }).success).toBe(false);
    expect(AgentSpecSchema.safeParse({ type: 'model', base_url: 'http://x/v1', model: 'm', api_key_env: 'sk-1234' }).success).toBe(false);
  });
});

describe('applyModelOverrides()', () => {
  it('returns the spec untouched when no flag is given', () => {
    expect(applyModelOverrides(model, {})).toBe(model);
    expect(applyModelOverrides(scripted, { model: undefined })).toBe(scripted);
  });

  it('overrides a model spec field by field, budgets included', () => {
    const merged = applyModelOverrides(model, { baseUrl: 'http://localhost:11434/v1', toolFormat: 'openai', maxTurns: 10, tokenBudget: 5000 });
    expect(merged).toMatchObject({ base_url: 'http://localhost:11434/v1', model: 'facebook/cwm', tool_format: 'openai', budgets: { max_turns: 10, max_tokens: 5000, max_format_errors: 3 } });
  });

  it('turns a scripted task into a model-driven one when given a URL and a model', () => {
    expect(applyModelOverrides(scripted, { baseUrl: 'http://localhost:8000/v1', model: 'cwm', toolFormat: 'cwm' })).toMatchObject({ type: 'model', tool_format: 'cwm', max_tokens: 4096 });
  });

  it('sets how several tool calls of one answer are carried out, first by default', () => {
    expect(model).toMatchObject({ parallel_tool_calls: 'first' });
    expect(applyModelOverrides(model, { parallelToolCalls: 'run' })).toMatchObject({ parallel_tool_calls: 'run' });
    expect(() => applyModelOverrides(model, { parallelToolCalls: 'all' as never })).toThrow(/model settings: parallel_tool_calls: /);
    expect(() => applyModelOverrides(model, { toolFormat: 'xml' as never })).toThrow(/model settings: tool_format: .*"openai"/);
  });

  it('says which field is wrong', () => {
    expect(() => applyModelOverrides(scripted, { toolFormat: 'cwm' })).toThrow(/model settings: base_url: .*give both --model-url and --model/);
    expect(() => applyModelOverrides(model, { temperature: 7 })).toThrow(/model settings: temperature/);
  });
});

describe('renderTemplate()', () => {
  const vars = { instruction: 'Fix it', workdir: '/work', max_turns: 5, context_window: undefined, task_id: 't' };
  it('fills placeholders and refuses unknown ones', () => {
    expect(renderTemplate('{{instruction}} in {{ workdir }} ({{max_turns}})', vars)).toBe('Fix it in /work (5)');
    expect(() => renderTemplate('{{repo}}', vars)).toThrow(/unknown placeholder \{\{repo\}\}/);
    expect(() => renderTemplate('{{#repo}}x{{/repo}}', vars)).toThrow(/unknown placeholder \{\{repo\}\}/);
  });

  it('keeps a {{#name}} section only when the value is known', () => {
    const template = 'Go.{{#context_window}} Your context window is {{context_window}} tokens.{{/context_window}} Bye.';
    expect(renderTemplate(template, vars)).toBe('Go. Bye.');
    expect(renderTemplate(template, { ...vars, context_window: 131072 })).toBe('Go. Your context window is 131072 tokens. Bye.');
    expect(renderTemplate('{{context_window}}', vars)).toBe('unknown');
    // Split templates are kept per template and per known values: the same template again, either way, and new values.
    expect(renderTemplate(template, vars)).toBe('Go. Bye.');
    expect(renderTemplate(template, { ...vars, context_window: 8 })).toBe('Go. Your context window is 8 tokens. Bye.');
    expect(renderTemplate('{{instruction}} in {{ workdir }} ({{max_turns}})', { ...vars, instruction: 'Test it', max_turns: 9 })).toBe('Test it in /work (9)');
    expect(() => renderTemplate('{{repo}}', vars)).toThrow(/unknown placeholder/);
  });
});
