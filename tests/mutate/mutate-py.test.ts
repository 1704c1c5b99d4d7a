// @needs docker
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELPERS_DIR, spliceHunk, type Candidate } from '../../src/mutate/index.js';
import type { RuntimeSandbox } from '../../src/sandbox/index.js';
import { containersOf, startTestSandbox, testRunId } from '../helpers/docker.js';

const LIB = `import os, json
from math import (
    floor,
)


def scale(values, factor):  # keep this comment
    # a comment inside
    return [(v + 1) * factor for v in values if v is not None]


def check(name, allowed):
    return not name in allowed and name.startswith("x") or len(name) > -1


@staticmethod
def one_liner(a, b): return a - b * 2


def paths(root):
    return os.path.join(root, json.dumps(floor(2.5)))
`;
const FUNCTIONS = [['lib.py', 'scale', 7], ['lib.py', 'check', 12], ['lib.py', 'one_liner', 16], ['lib.py', 'paths', 20], ['lib.py', 'scale.<locals>.<listcomp>', 9]];
const runId = testRunId();
let sandbox: RuntimeSandbox;
let candidates: Candidate[];

/** The mutated file of the candidate with this description. */
function mutant(description: string): string {
  const found = candidates.find((c) => c.description === description);
  expect(found, `${description} in ${candidates.map((c) => c.description).join('\n')}`).toBeDefined();
  return spliceHunk(LIB, found!);
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ network: 'none' }, runId);
  for (const name of ['mutate.py', 'mutations.py', 'source_edit.py']) await sandbox.writeFile(`/opt/py/${name}`, await readFile(join(HELPERS_DIR, name)));
  await sandbox.writeFile('/work/lib.py', LIB);
  await sandbox.writeFile('/tmp/trace.json', JSON.stringify({ root: '/work', tests: [{ nodeid: 't.py::test_all', outcome: 'passed', functions: FUNCTIONS }] }));
  const { observation } = await sandbox.exec('cd /work && git init -q && git add lib.py && python3 /opt/py/mutate.py --trace /tmp/trace.json --out /tmp/c.json');
  expect(observation.exit_code).toBe(0);
  candidates = JSON.parse((await sandbox.readFile('/tmp/c.json'))!.toString('utf8')).candidates as Candidate[];
});

afterAll(async () => {
  await sandbox?.stop();
  expect(await containersOf(runId)).toEqual([]);
});

describe('mutate.py', () => {
  it('changes only an operator\'s tokens, keeping parentheses, comments and the other lines', () => {
    expect(mutant('replaced Add with Sub at line 9 of scale')).toBe(LIB.replace('(v + 1) * factor', '(v - 1) * factor'));
    expect(mutant('replaced IsNot with Is at line 9 of scale')).toBe(LIB.replace('v is not None', 'v is None'));
    expect(mutant('removed Not at line 13 of check')).toBe(LIB.replace('return not name in', 'return name in'));
    // `a and b or c` → `a or b or c` would parse as one flat `or`: the changed operation is parenthesised instead.
    expect(mutant('replaced And with Or at line 13 of check')).toBe(LIB.replace('not name in allowed and name.startswith("x")', '(not name in allowed or name.startswith("x"))'));
    expect(mutant('replaced USub with UAdd at line 13 of check')).toBe(LIB.replace('> -1', '> +1'));
  });

  it('removes imports: one name of several, or a whole multi-line statement', () => {
    expect(mutant('removed the import of json (line 1), used by paths')).toBe(LIB.replace('import os, json', 'import os'));
    expect(mutant('removed the import of floor (line 2), used by paths')).toBe(LIB.replace('from math import (\n    floor,\n)\n', ''));
  });

  it('replaces bodies, removes parameters, swaps call arguments and variables', () => {
    expect(mutant('replaced the body of scale with pass')).toBe(LIB.replace('    return [(v + 1) * factor for v in values if v is not None]', '    pass'));
    expect(mutant('replaced the body of one_liner with pass')).toBe(LIB.replace('return a - b * 2', 'pass'));
    expect(mutant('removed parameter factor from scale')).toBe(LIB.replace('def scale(values, factor):  # keep', 'def scale(values):  # keep'));
    expect(mutant('swapped arguments 1 and 2 of the call to os.path.join in paths')).toBe(LIB.replace('os.path.join(root, json.dumps(floor(2.5)))', 'os.path.join(json.dumps(floor(2.5)), root)'));
    expect(mutant('swapped every use of factor and values in scale')).toBe(LIB.replace('* factor for v in values', '* values for v in factor'));
  });

  it('offers every kind, each mutant once, and all of them parse', () => {
    expect(new Set(candidates.map((c) => c.kind))).toEqual(new Set(['functions', 'arguments', 'variables', 'statements', 'operators']));
    expect(new Set(candidates.map((c) => c.sha256)).size).toBe(candidates.length);
  });
});
