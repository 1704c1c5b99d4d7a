import { describe, expect, it } from 'vitest';
import { parseStateProbe } from '../../src/sandbox/state.js';

describe('parseStateProbe', () => {
  it('turns comm records into added, modified and deleted files', () => {
    const records = ['a.py\t1.0\t10', '\ta.py\t2.0\t12', 'gone.txt\t1.0\t3', '\tnew dir/x\t2.0\t0'];
    const state = parseStateProbe(Buffer.from(`${records.join('\0')}\0`), '/work', '/work');
    expect(state.changes).toEqual([
      { path: '/work/a.py', change: 'modified', size: 12 },
      { path: '/work/gone.txt', change: 'deleted' },
      { path: '/work/new dir/x', change: 'added', size: 0 },
    ]);
  });
});
