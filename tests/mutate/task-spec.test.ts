import { describe, expect, it } from 'vitest';
import { renderInstruction, spliceHunk, type Candidate } from '../../src/mutate/index.js';

describe('renderInstruction()', () => {
  it('names the failing tests and nothing of the mutation', () => {
    const text = renderInstruction(['tests/test_a.py::test_x', 'tests/test_a.py::test_y']);
    expect(text).toContain('  - tests/test_a.py::test_x\n  - tests/test_a.py::test_y\n');
    expect(text).not.toMatch(/mutat|line \d|operator/i);
  });

  it('lists at most twenty tests', () => {
    const text = renderInstruction(Array.from({ length: 25 }, (_, i) => `t::test_${i}`));
    expect(text).toContain('t::test_19\n  - … and 5 more');
    expect(text).not.toContain('t::test_20');
  });
});

describe('spliceHunk()', () => {
  it('replaces the hunk\'s lines and keeps every other byte, CRLF and final newline included', () => {
    const original = 'a = 1\r\ndef f(x):\r\n    return x + 1\r\n\r\nz = 2\n';
    const hunk = { start: 2, delete: 1, insert: ['    return x - 1\r'] };
    expect(spliceHunk(original, { hunk } as Candidate)).toBe('a = 1\r\ndef f(x):\r\n    return x - 1\r\n\r\nz = 2\n');
  });
});
