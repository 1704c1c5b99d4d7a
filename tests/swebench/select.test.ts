import { describe, expect, it } from 'vitest';
import { chooseAttempt, harnessVerdicts, makeRunReport, outcomeOf, predictionsOf, type BatchAttempt } from '../../src/swebench/index.js';

/** An attempt as read from a batch: only the fields the rule looks at matter here. */
function attempt(n: number, footer?: { reward?: number; patch?: string; evaluation?: unknown }): BatchAttempt {
  return {
    taskId: 't', attempt: n, file: `trajectories/t/${n}.jsonl`,
    header: { task: { id: 't', spec: {} }, agent: { type: 'scripted' } } as unknown as BatchAttempt['header'],
    footer: footer as BatchAttempt['footer'],
  };
}

describe('chooseAttempt()', () => {
  it('takes a resolved attempt first, else the last complete one; partial attempts never', () => {
    expect(chooseAttempt([attempt(0, { reward: 1 }), attempt(1, { reward: 0 }), attempt(2)])?.attempt).toBe(0);
    expect(chooseAttempt([attempt(0, { reward: 1 }), attempt(3, { reward: 1 }), attempt(1, { reward: 0 })])?.attempt).toBe(3);
    expect(chooseAttempt([attempt(0, { reward: 0 }), attempt(1, {}), attempt(2)])?.attempt).toBe(1);
    expect(chooseAttempt([attempt(0), attempt(1)])).toBeUndefined();
  });
});

describe('outcomeOf() and makeRunReport()', () => {
  it('sorts instances as the harness does: empty patch before any grade, a patch without a grade is an error', () => {
    const graded = (resolved: boolean) => ({ status: 'graded', resolved });
    const chosen = new Map<string, BatchAttempt | undefined>([
      ['a', attempt(0, { patch: 'diff', reward: 1, evaluation: graded(true) })],
      ['b', attempt(0, { patch: 'diff', reward: 0, evaluation: { status: 'patch_failed', resolved: false } })],
      ['c', attempt(0, { patch: '', reward: 0, evaluation: graded(false) })],
      ['d', attempt(0, { patch: 'diff', evaluation: { status: 'error', resolved: false, error: { kind: 'infrastructure', code: 'ENGINE_DOWN', message: 'engine gone' } } })],
      ['e', undefined],
    ]);
    expect([...chosen.values()].map(outcomeOf)).toEqual(['resolved', 'unresolved', 'empty_patch', 'error', 'incomplete']);
    expect(makeRunReport(chosen)).toMatchObject({
      total_instances: 5, submitted_instances: 4, completed_instances: 2, resolved_ids: ['a'], unresolved_ids: ['b'], empty_patch_ids: ['c'], error_ids: ['d'],
      incomplete_ids: ['e'], infra_failure_ids: ['d'], failure_reasons: { d: 'ENGINE_DOWN: engine gone' }, schema_version: 2,
    });
  });
});

describe('harnessVerdicts()', () => {
  it('reads the harness\'s run report and its instance reports, and refuses anything else naming the field', () => {
    expect(harnessVerdicts({ resolved_ids: ['a'], unresolved_ids: ['b'], empty_patch_ids: ['c'], error_ids: ['d'] }, 'r.json')).toEqual(new Map<string, boolean | null>([['d', null], ['b', false], ['c', false], ['a', true]]));
    expect(harnessVerdicts({ 'x__y-1': { patch_is_None: false, resolved: true, tests_status: {} } }, 'report.json')).toEqual(new Map([['x__y-1', true]]));
    expect(() => harnessVerdicts({ 'x__y-1': { resolved: 'yes' } }, 'report.json')).toThrow('report.json: field "x__y-1.resolved": expected true or false, found "yes"');
    expect(() => harnessVerdicts({ resolved_ids: 'a' }, 'r.json')).toThrow('r.json: field "resolved_ids": expected a list of instance ids');
    expect(() => harnessVerdicts([], 'r.json')).toThrow('expected a JSON object');
  });
});

describe('predictionsOf(): model_name_or_path', () => {
  const withAgent = (agent: unknown): BatchAttempt => ({ ...attempt(0, { patch: 'diff' }), header: { task: { id: 't', spec: {} }, agent } as unknown as BatchAttempt['header'] });
  it('names the model the agent used (a fork: the model that took over), else forager-<agent type>; --model-name wins', () => {
    const chosen = (agent: unknown) => new Map([['t', withAgent(agent)]]);
    expect(predictionsOf(chosen({ type: 'model', model: { model: 'heldout-model', base_url: 'http://x/v1' } }))[0]!.model_name_or_path).toBe('heldout-model');
    expect(predictionsOf(chosen({ type: 'fork', replay: { type: 'replay', trajectory_id: 'x', steps: 2 }, then: { type: 'model', model: { model: 'cwm-32b' } } }))[0]!.model_name_or_path).toBe('cwm-32b');
    expect(predictionsOf(chosen({ type: 'scripted', actions: 2 }))[0]!.model_name_or_path).toBe('forager-scripted');
    expect(predictionsOf(chosen({ type: 'model', model: {} }))[0]!.model_name_or_path).toBe('forager-model');
    expect(predictionsOf(chosen({ type: 'model', model: { model: 'heldout-model' } }), 'mine')[0]!.model_name_or_path).toBe('mine');
  });
});
