import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/**
 * Edges known to close a cycle, each waiting on its owner; remove an entry once its
 * cycle is gone (the test then keeps it gone).
 */
const ALLOWED_FOLDER_EDGES: Record<string, string> = {};
const ALLOWED_FILE_EDGES: Record<string, string> = {};

/** Every relative import of every .ts file under src/ (static, `export … from`, `import type`, `import('…')`), as src-relative paths. */
function readImports(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const from = relative(SRC, path);
        const targets = new Set<string>();
        const text = readFileSync(path, 'utf8');
        for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) {
          targets.add(normalize(join(dirname(from), match[1]!)).replace(/\.js$/, '.ts'));
        }
        graph.set(from, targets);
      }
    }
  };
  walk(SRC);
  return graph;
}

/** Strongly connected components of more than one node (Tarjan): each is a cycle or a knot of cycles. */
function findCycles(edges: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** The edges of a graph that lie inside one of its cycles, as `a -> b`. */
function cycleEdges(edges: Map<string, Set<string>>): string[] {
  const out: string[] = [];
  for (const component of findCycles(edges)) {
    for (const a of component) for (const b of edges.get(a) ?? []) if (component.includes(b)) out.push(`${a} -> ${b}`);
  }
  return out.sort();
}

function without(edges: Map<string, Set<string>>, allowed: Record<string, string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [a, targets] of edges) out.set(a, new Set([...targets].filter((b) => !(`${a} -> ${b}` in allowed))));
  return out;
}

describe('the import graph of src/', () => {
  const files = readImports();

  it('has no cycle between folders', () => {
    const folders = new Map<string, Set<string>>();
    for (const [file, targets] of files) {
      const from = file.split('/')[0]!;
      if (!file.includes('/')) continue;
      const set = folders.get(from) ?? new Set<string>();
      for (const target of targets) {
        const to = target.split('/')[0]!;
        if (to !== from && target.includes('/')) set.add(to);
      }
      folders.set(from, set);
    }
    expect(folders.get('core')?.size ?? 0, 'the scan found no imports: the regex is broken').toBeGreaterThan(0);
    expect(cycleEdges(without(folders, ALLOWED_FOLDER_EDGES))).toEqual([]);
    for (const edge of Object.keys(ALLOWED_FOLDER_EDGES)) {
      expect(cycleEdges(folders), `${edge} closes no cycle any more: remove it from ALLOWED_FOLDER_EDGES`).toContain(edge);
    }
  });

  it('has no cycle between files', () => {
    expect(cycleEdges(without(files, ALLOWED_FILE_EDGES))).toEqual([]);
  });

  it('allows only edges that still close a cycle (a fixed one leaves the list)', () => {
    for (const edge of Object.keys(ALLOWED_FILE_EDGES)) {
      const [a, b] = edge.split(' -> ') as [string, string];
      expect(files.get(a)?.has(b), `${edge} is gone: remove it from ALLOWED_FILE_EDGES`).toBe(true);
    }
  });

  it('sees a cycle when there is one', () => {
    const graph = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])], ['d', new Set(['a'])]]);
    expect(cycleEdges(graph)).toEqual(['a -> b', 'b -> c', 'c -> a']);
  });
});
