import { describe, expect, it } from 'vitest';
import { duration } from '../../src/cli/arguments.js';

describe('duration() - --grace, --lock-duration, --stalled-interval, --rate-window', () => {
  it('reads ms, s, m and h, and a bare number in the flag\'s old unit', () => {
    const grace = duration('s');
    const lock = duration('ms');
    expect(grace('30')).toBe(30_000);
    expect(grace('1.5')).toBe(1_500);
    expect(lock('30000')).toBe(30_000);
    expect(lock('30s')).toBe(30_000);
    expect(grace('500ms')).toBe(500);
    expect(lock('2m')).toBe(120_000);
    expect(lock('1h')).toBe(3_600_000);
  });

  it('refuses what is not a duration, saying what it expected', () => {
    expect(() => duration('s')('soon')).toThrow(/expected a duration such as 500ms, 30s or 2m \(a bare number is seconds\), found "soon"/);
    expect(() => duration('ms')('-5')).toThrow(/a bare number is milliseconds/);
  });
});
