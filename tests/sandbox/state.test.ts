import { describe, expect, it } from 'vitest';
import { buildState, decodePath, MAX_CHANGES, MAX_OUTSIDE, MAX_PATH } from '../../src/sandbox/state.js';
import { nanosOf, parseComm } from '../../src/sandbox/layer/exec-state.js';

describe('buildState', () => {
  it('keeps changes under the workdir apart from the rest, sorted, caches pruned and counted', () => {
    const state = buildState('/work', {
      changes: [
        { path: '/work/b.py', change: 'modified', size: 3 },
        { path: '/usr/lib/python3/dist-packages/x/__init__.py', change: 'added', size: 0 },
        { path: '/work/a.py', change: 'deleted', size: 9 },
        { path: '/work/pkg/__pycache__/a.pyc', change: 'added', size: 1 },
        { path: '/work/.git/index', change: 'modified', size: 1 },
        { path: '/tmp/t', change: 'added', size: 2 },
      ],
      incomplete: false,
      omitted: 0,
    }, '/work');
    expect(state).toEqual({
      cwd: '/work',
      changes: [{ path: '/work/a.py', change: 'deleted' }, { path: '/work/b.py', change: 'modified', size: 3 }],
      outside: [{ path: '/tmp/t', change: 'added', size: 2 }, { path: '/usr/lib/python3/dist-packages/x/__init__.py', change: 'added', size: 0 }],
      changes_pruned: 2,
    });
  });

  it('bounds the count of changes and the length of paths, and counts what it left out', () => {
    const changes = [
      ...Array.from({ length: MAX_CHANGES + 5 }, (_, i) => ({ path: `/w/f${String(i).padStart(5, '0')}`, change: 'added' as const, size: 1 })),
      ...Array.from({ length: MAX_OUTSIDE + 7 }, (_, i) => ({ path: `/o/f${i}`, change: 'added' as const, size: 1 })),
      { path: `/w/${'x'.repeat(10_000)}`, change: 'added' as const, size: 1 },
    ];
    const state = buildState('/w', { changes, incomplete: false, omitted: 0 }, '/w/');
    expect(state.changes).toHaveLength(MAX_CHANGES);
    expect(state.changes_truncated).toBe(true);
    expect(state.changes_omitted).toBe(6);
    expect(state.outside).toHaveLength(MAX_OUTSIDE);
    expect(state.outside_omitted).toBe(7);
    const long = buildState('/w', { changes: changes.slice(-1), incomplete: false, omitted: 0 }, '/w');
    expect(long.changes[0]!.path.length).toBe(MAX_PATH + 1);
  });

  it('says when the reader could not see everything', () => {
    const state = buildState('/w', { changes: [], incomplete: true, omitted: 0 }, '/w');
    expect(state.changes_truncated).toBe(true);
  });
});

describe('parseComm', () => {
  it('reads added, modified and deleted files from a comm -3 listing', () => {
    const listing = Buffer.from(['/w/a\t1:1.0', '\t/w/a\t2:2.0', '/w/gone\t3:1.0', '\t/w/new\tname\t4:2.0', ''].join('\0'));
    expect(parseComm(listing, false).changes).toEqual([
      { path: '/w/a', change: 'modified', size: 2 },
      { path: '/w/new\tname', change: 'added', size: 4 },
      { path: '/w/gone', change: 'deleted' },
    ]);
  });

  it('names the files whose mtime alone moved (their size stayed), for the ctime check', () => {
    const listing = Buffer.from(['/w/a\t1:1.0', '\t/w/a\t1:1.002', '/w/b\t1:1.0', '\t/w/b\t2:1.0', ''].join('\0'));
    const { changes, touched } = parseComm(listing, false);
    expect(changes.map((c) => c.path)).toEqual(['/w/a', '/w/b']);
    expect(touched).toEqual([{ path: '/w/a', change: 'modified', size: 1 }]);
  });

  it('drops a record cut by the bound', () => {
    const { changes, incomplete } = parseComm(Buffer.from('\t/w/a\t1:1.0\0\t/w/b\t1:'), true);
    expect(changes).toEqual([{ path: '/w/a', change: 'added', size: 1 }]);
    expect(incomplete).toBe(true);
  });
});

describe('nanosOf', () => {
  it('reads find\'s seconds with up to 10 fraction digits exactly, as nanoseconds', () => {
    expect(nanosOf('1796584582.5781953160')).toBe(1796584582578195316n);
    expect(nanosOf('1796584582.5764970200')).toBeLessThan(nanosOf('1796584582.5781953160')!);
    expect(nanosOf('12')).toBe(12_000_000_000n);
    expect(nanosOf('1.5')).toBe(1_500_000_000n);
    expect(nanosOf('')).toBeUndefined();
    expect(nanosOf('1e9')).toBeUndefined();
  });
});

describe('decodePath', () => {
  it('keeps UTF-8 as it is and escapes each byte outside it, with the exact bytes kept apart', () => {
    expect(decodePath(Buffer.from('/w/é.txt'))).toEqual({ path: '/w/é.txt' });
    const bad = Buffer.concat([Buffer.from('/w/a'), Buffer.from([0xff, 0xc3]), Buffer.from('b/é')]);
    expect(decodePath(bad)).toEqual({ path: '/w/a\\xff\\xc3b/é', pathBytes: bad.toString('base64') });
    // A literal U+FFFD is valid UTF-8, not an escape.
    expect(decodePath(Buffer.from('/w/\ufffd'))).toEqual({ path: '/w/\ufffd' });
    // Overlong and surrogate encodings are not valid UTF-8.
    expect(decodePath(Buffer.from([0x2f, 0xc0, 0xaf])).path).toBe('/\\xc0\\xaf');
    expect(decodePath(Buffer.from([0x2f, 0xed, 0xa0, 0x80])).path).toBe('/\\xed\\xa0\\x80');
  });
});

describe('parseComm on names that are not UTF-8', () => {
  it('records such a path escaped, with its bytes', () => {
    const name = Buffer.concat([Buffer.from('\t/w/x'), Buffer.from([0xfe]), Buffer.from('\t5:1.0\0')]);
    const { changes } = parseComm(name, false);
    expect(changes).toEqual([{ path: '/w/x\\xfe', pathBytes: Buffer.from([0x2f, 0x77, 0x2f, 0x78, 0xfe]).toString('base64'), change: 'added', size: 5 }]);
  });
});
