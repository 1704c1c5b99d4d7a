import { describe, expect, it } from 'vitest';
import { parseSize, planEviction } from '../../../src/docker/images/index.js';

const image = (id: string, sizeBytes: number, lastUsedMs: number) => ({ id, refs: [`forager-env:${id}`], sizeBytes, lastUsedMs });

describe('planEviction', () => {
  it('removes least recently used images until the rest fit, never a protected one', () => {
    const images = [image('new', 40, 300), image('old', 40, 100), image('base', 40, 0), image('mid', 40, 200)];
    const victims = planEviction(images, 90, new Set(['base']));
    expect(victims.map((v) => v.id)).toEqual(['old', 'mid']);
  });

  it('removes nothing when within the budget', () => {
    expect(planEviction([image('a', 10, 1)], 10, new Set())).toEqual([]);
  });
});

describe('parseSize', () => {
  it('reads decimal and binary units and refuses anything else', () => {
    expect(parseSize('20GB')).toBe(20e9);
    expect(parseSize('1.5 GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('512')).toBe(512);
    expect(() => parseSize('lots')).toThrow(/expected a size like 20GB.*found "lots"/);
  });
});
