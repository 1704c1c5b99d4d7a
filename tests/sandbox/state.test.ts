import { describe, expect, it } from 'vitest';
import { WorkdirTracker } from '../../src/sandbox/state.js';

const listing = (...records: string[]) => Buffer.from(records.map((r) => `${r}\0`).join(''));

describe('WorkdirTracker', () => {
  it('takes the first listing as the baseline', () => {
    const tracker = new WorkdirTracker('/work');
    expect(tracker.update(listing('a.py\t1.0\t10'), '/work')).toEqual({ cwd: '/work', changes: [] });
  });

  it('reports added, modified (mtime or size) and deleted files, sorted', () => {
    const tracker = new WorkdirTracker('/work');
    tracker.update(listing('a.py\t1.0\t10', 'gone.txt\t1.0\t3', 'same\t1.0\t1', 'touched\t1.0\t5'), '/work');
    const state = tracker.update(listing('a.py\t1.0\t12', 'same\t1.0\t1', 'touched\t2.5\t5', 'new dir/x\t2.0\t0', 'tab\tname\t2.0\t4'), '/tmp');
    expect(state).toEqual({
      cwd: '/tmp',
      changes: [
        { path: '/work/a.py', change: 'modified', size: 12 },
        { path: '/work/gone.txt', change: 'deleted' },
        { path: '/work/new dir/x', change: 'added', size: 0 },
        { path: '/work/tab\tname', change: 'added', size: 4 },
        { path: '/work/touched', change: 'modified', size: 5 },
      ],
    });
  });

  it('flags more changes than it lists', () => {
    const tracker = new WorkdirTracker('/w/');
    tracker.update(listing(), '/w');
    const state = tracker.update(listing(...Array.from({ length: 1005 }, (_, i) => `f${i}\t1.0\t1`)), '/w');
    expect(state.changes).toHaveLength(1000);
    expect(state.changes_truncated).toBe(true);
    expect(state.changes[0]?.path).toBe('/w/f0');
  });
});
