import { describe, expect, it } from 'vitest';
import { compareTrajectories, DEFAULT_RULES, formatComparison, normalizeText, parseRules } from '../../src/replay/index.js';
import { textCapture } from '../../src/core/capture.js';
import type { Step } from '../../src/trajectory/schema.js';

function step(index: number, stdout: string, extra: Partial<Step> = {}): Step {
  return {
    type: 'step', index, started_at: '', action: { tool: 'bash', command: `cmd ${index}` },
    observation: { stdout: textCapture(stdout), stderr: textCapture(''), exit_code: 0, signal: null, timed_out: false, duration_ms: 1, session_restarted: false },
    shown: stdout, state: { cwd: '/work', changes: [{ path: '/work/a', change: 'added', size: 3 }] }, timing: { agent_ms: 0, action_ms: 1 }, ...extra,
  };
}

describe('compareTrajectories', () => {
  it('pairs replayed steps with recorded ones by replay_of, skipping format errors', () => {
    const invalid: Step = { ...step(1, ''), action: null, observation: null, state: null };
    const recorded = [step(0, 'a\n'), invalid, step(2, 'b\n')];
    const replayed = [{ ...step(0, 'a\n'), replay_of: 0 }, { ...step(1, 'b\n'), action: { tool: 'bash' as const, command: 'cmd 2' }, replay_of: 2 }];
    expect(compareTrajectories(recorded, replayed)).toEqual({ compared: 2, divergent: [], normalized: false });
  });

  it('compares a replayed format error by the text the agent was shown', () => {
    const invalid: Step = { ...step(1, ''), action: null, observation: null, state: null, shown: 'FormatError: No tool calls found' };
    const recorded = [step(0, 'a\n'), invalid];
    const same = [{ ...step(0, 'a\n'), replay_of: 0 }, { ...invalid, replay_of: 1 }];
    expect(compareTrajectories(recorded, same)).toEqual({ compared: 2, divergent: [], normalized: false });
    const doubled = [same[0]!, { ...invalid, shown: 'FormatError: FormatError: No tool calls found', replay_of: 1 }];
    const { divergent } = compareTrajectories(recorded, doubled);
    expect(divergent).toEqual([expect.objectContaining({ recordedIndex: 1, action: null, differences: [expect.objectContaining({ field: 'shown' })] })]);
    expect(formatComparison(compareTrajectories(recorded, doubled))).toContain('+FormatError: FormatError: No tool calls found');
  });

  it('reports exit code, stream, cwd and changed-file differences, and a step the replay never reached', () => {
    const recorded = [step(0, 'same\n'), step(1, 'x\n')];
    const replayed = [{ ...step(0, 'other\n'), observation: { ...step(0, 'other\n').observation!, exit_code: 2 }, state: { cwd: '/tmp', changes: [] } }];
    const { divergent } = compareTrajectories(recorded, replayed);
    expect(divergent.map((d) => [d.recordedIndex, d.differences.map((f) => f.field)])).toEqual([[0, ['exit_code', 'stdout', 'cwd', 'changes']], [1, ['missing']]]);
    const report = formatComparison(compareTrajectories(recorded, replayed));
    expect(report).toContain('diverged at step 0 (2 of 2 steps differ');
    expect(report).toContain('-same');
    expect(report).toContain('+other');
    expect(report).toContain('-added /work/a (3 bytes)');
  });

  it('compares normalised text instead of hashes when rules apply', () => {
    const rules = parseRules({ defaults: false, rules: [{ pattern: 'n=\\d+', replace: 'n=N' }] });
    expect(compareTrajectories([step(0, 'n=1\n')], [step(0, 'n=22\n')], rules).divergent).toEqual([]);
    expect(compareTrajectories([step(0, 'n=1\n')], [step(0, 'n=22\n')]).divergent).toHaveLength(1);
  });
});

describe('normalisation rules', () => {
  it('blank out timestamps, epochs, durations, addresses, PIDs and temporary paths by default', () => {
    const text = 'at 2025-03-04T05:06:07.123Z epoch 1741064767123456789 took 0.53s obj at 0x7f3a2b1c9d40 pid=4242 /tmp/tmpab_12x/f\nbash: line 3:    48 Killed                  sleep 30';
    expect(normalizeText(text, 'stdout', DEFAULT_RULES)).toBe('at <TIMESTAMP> epoch <EPOCH> took <DURATION> obj at 0x<ADDR> pid=<PID> /tmp/<TMP>/f\nbash: line 3:    <PID> Killed                  sleep 30');
  });

  it('apply a rule only to the fields it names', () => {
    const rules = parseRules({ defaults: false, rules: [{ pattern: 'x', replace: 'y', fields: ['stderr'] }] });
    expect(normalizeText('x', 'stdout', rules)).toBe('x');
    expect(normalizeText('x', 'stderr', rules)).toBe('y');
  });

  it('refuse a bad pattern, naming the file and the field', () => {
    expect(() => parseRules({ rules: [{ pattern: '(' }] }, 'noise.yaml')).toThrow('noise.yaml: field "rules.0.pattern": a valid JavaScript regular expression; found "("');
  });
});
