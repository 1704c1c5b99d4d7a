import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../src/core/failure.js';
import { ERROR_CODES, ForagerError, TaskError } from '../../src/errors/index.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every code literal the sources hand to an error or a failure record, with where. */
function usedCodes(): { code: string; kind?: string; where: string }[] {
  const out: { code: string; kind?: string; where: string }[] = [];
  const patterns = [
    /new [A-Za-z]*Error\(\s*'([A-Z][A-Z0-9_]+)'(?:,\s*'(agent|task|infrastructure)')?/g,
    /\bcode: '([A-Z][A-Z0-9_]+)'/g,
    /\brefuse\(\s*'([A-Z][A-Z0-9_]+)'/g,
    /ToolRefusal\(\s*'([A-Z][A-Z0-9_]+)'/g,
  ];
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) {
      for (const m of text.matchAll(pattern)) out.push({ code: m[1]!, kind: m[2], where: relative(SRC, file) });
    }
  }
  return out;
}

describe('error codes', () => {
  it('no code in the sources is a free string: every one is registered, with the kind it is used with', () => {
    const used = usedCodes();
    expect(used.length).toBeGreaterThan(100);
    const unknown = used.filter((u) => !Object.hasOwn(ERROR_CODES, u.code)).map((u) => `${u.where}: ${u.code}`);
    expect(unknown).toEqual([]);
    const mismatched = used
      .filter((u) => u.kind !== undefined && ERROR_CODES[u.code as keyof typeof ERROR_CODES].kind !== u.kind)
      .map((u) => `${u.where}: ${u.code} used as ${u.kind}`);
    expect(mismatched).toEqual([]);
  });

  it('the scan sees what it looks for', () => {
    expect(usedCodes().some((u) => u.code === 'DISK_LIMIT' && u.where.startsWith('runner/'))).toBe(true);
  });

  it('errors carry their code\'s kind from the registry', () => {
    const error = new TaskError('USAGE', 'bad flags');
    expect(error).toBeInstanceOf(ForagerError);
    expect(error.kind).toBe(ERROR_CODES.USAGE.kind);
  });

  it('decides retries from the registry: transient infrastructure now, the rest on resume, task and agent never', () => {
    expect(classifyFailure({ kind: 'infrastructure', code: 'CONTAINER_GONE' })).toBe('retry-now');
    expect(classifyFailure({ kind: 'infrastructure', code: 'LAYER_WATCHER_FAILED' })).toBe('redo-on-resume');
    expect(classifyFailure({ kind: 'infrastructure', code: 'INTERNAL' })).toBe('final');
    // A recorded model failure had its request retries: redone on resume, not at once.
    expect(classifyFailure({ kind: 'infrastructure', code: 'MODEL_TIMEOUT' })).toBe('redo-on-resume');
    expect(classifyFailure({ kind: 'infrastructure', code: 'MODEL_HTTP_503' })).toBe('redo-on-resume');
    expect(classifyFailure({ kind: 'task', code: 'MODEL_HTTP_401' })).toBe('final');
    expect(classifyFailure({ kind: 'agent', code: 'DISK_LIMIT' })).toBe('final');
    // A code from another version's file: the harvester's is redone, the rest stand.
    expect(classifyFailure({ kind: 'infrastructure', code: 'SOMETHING_NEWER' })).toBe('redo-on-resume');
    expect(classifyFailure({ kind: 'task', code: 'SOMETHING_NEWER' })).toBe('final');
  });
});
