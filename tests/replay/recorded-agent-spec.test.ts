import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../src/agent/index.js';
import { recordedAgentSpec } from '../../src/replay/rerun.js';
import type { Header } from '../../src/trajectory/schema.js';

const fallback: AgentSpec = { type: 'scripted', actions: [{ tool: 'submit' }] };
const headerWith = (model: Record<string, unknown>) => ({ agent: { type: 'model', model } }) as unknown as Header;

describe('recordedAgentSpec()', () => {
  it('re-runs a trajectory recorded before anthropic_version was a setting with the version it ran (2023-06-01)', () => {
    const spec = recordedAgentSpec(headerWith({ base_url: 'https://api.anthropic.com', model: 'claude-sonnet-4-5', endpoint: 'anthropic', temperature: 0 }), fallback);
    expect(spec).toMatchObject({ type: 'model', endpoint: 'anthropic', anthropic_version: '2023-06-01', temperature: 0 });
  });

  it('keeps the version a newer header records', () => {
    const spec = recordedAgentSpec(headerWith({ base_url: 'https://api.anthropic.com', model: 'claude-sonnet-5', endpoint: 'anthropic', anthropic_version: '2026-10-21' }), fallback);
    expect(spec).toMatchObject({ anthropic_version: '2026-10-21' });
  });
});
