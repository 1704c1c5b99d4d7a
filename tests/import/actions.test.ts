import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { commandInText } from '../../src/import/actions.js';

const CASES = new URL('./fixtures/swe-agent/thought-action-parser.json', import.meta.url);

describe('commandInText()', () => {
  it('takes the command SWE-agent\'s own ThoughtActionParser takes, for every recorded case (nested, unclosed, \\r, trailing newline)', async () => {
    const cases = JSON.parse(await readFile(CASES, 'utf8')) as [string, string | null][];
    expect(cases.length).toBe(14);
    expect(cases.map(([text]) => [text, commandInText(text) ?? null])).toEqual(cases);
  });
});
