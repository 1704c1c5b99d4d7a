import { describe, expect, it } from 'vitest';
import { decideReap } from '../../src/sandbox/reap-decision.js';

const here = { host: 'me', nowS: 1_000, startTimeOf: (pid: number) => (pid === 42 ? '777' : null) };
const labels = (extra: Record<string, string>) => ({ 'forager.run': 'r', 'forager.deadline': '2000', ...extra });

describe('decideReap', () => {
  it('keeps a container whose owner process on this host is alive', () => {
    expect(decideReap(labels({ 'forager.owner.host': 'me', 'forager.owner.pid': '42', 'forager.owner.start': '777' }), here).remove).toBe(false);
  });

  it('removes a container whose owner pid is gone, or was reused by a later process', () => {
    expect(decideReap(labels({ 'forager.owner.host': 'me', 'forager.owner.pid': '43' }), here).remove).toBe(true);
    expect(decideReap(labels({ 'forager.owner.host': 'me', 'forager.owner.pid': '42', 'forager.owner.start': '5' }), here)).toEqual({ remove: true, reason: 'owner pid 42 was reused by another process' });
  });

  it('leaves containers of another host alone until their deadline', () => {
    expect(decideReap(labels({ 'forager.owner.host': 'other', 'forager.owner.pid': '43' }), here).remove).toBe(false);
    expect(decideReap(labels({ 'forager.owner.host': 'other', 'forager.owner.pid': '43' }), { ...here, nowS: 3_000 }).remove).toBe(true);
  });
});

describe('decideReap without owner labels', () => {
  it('keeps a container that names neither owner nor deadline', () => {
    expect(decideReap({ 'forager.run': 'r' }, here)).toEqual({ remove: false, reason: 'no owner labels, no deadline label' });
  });
});
