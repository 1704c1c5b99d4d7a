import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyCwmEdit, parseCwmToolCall, toCwmAction, toolFeedback } from '../../../src/agent/formats/cwm/index.js';
import { decodeTraceback, directoryTraceback, pyRepr, utf8DecodeError } from '../../../src/agent/formats/cwm/edit-errors.js';
import { toolObservation } from '../../../src/file-tools/observation.js';

// What CWM's edit plugin printed in forager's base image (tests/fixtures/cwm/README.md, "Plugin runs").
interface PluginRun { case: string; path: string; search: string; replace: string; output: string; exit_code: number; file_after_b64: string }
const runs = (JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/cwm/plugin-runs/edit-tracebacks.json'), 'utf8')) as { cases: PluginRun[] }).cases;
const run = (name: string) => runs.find((r) => r.case === name)!;
/** The files the generator made before each run (make_edit_tracebacks.py, FILES). */
const BEFORE: Record<string, string> = { 'two.txt': 'one\ntwo\n', 'solo.txt': 'solo', 'empty.txt': '' };

describe("CWM's edit where Python itself fails under the plugin", () => {
  it('prints the traceback of open() on a directory, the path in Python\'s repr', () => {
    const directories = runs.filter((r) => r.case.startsWith('directory'));
    expect(directories).toHaveLength(5);
    for (const r of directories) {
      expect(r.exit_code).toBe(1);
      expect(directoryTraceback(r.path), r.case).toBe(r.output);
    }
  });

  it('prints the traceback of reading a file that is not UTF-8, with the decoder\'s byte, position and reason', () => {
    const undecodable = runs.filter((r) => !r.case.startsWith('directory') && !r.case.startsWith('empty-search'));
    expect(undecodable).toHaveLength(6);
    for (const r of undecodable) {
      const message = utf8DecodeError(Buffer.from(r.file_after_b64, 'base64'));
      expect(message, r.case).toBeDefined();
      expect(decodeTraceback(message!), r.case).toBe(r.output);
    }
    expect(utf8DecodeError(Buffer.from('ok é 🐍\n'))).toBeUndefined();
  });

  it('shows the traceback as the tool\'s result: stderr through the session, exit code 1', () => {
    const r = run('directory');
    expect(toolFeedback({ tool: 'edit', path: r.path, search: 'x', replace: 'y' }, toolObservation(1, '', r.output, performance.now())).feedback).toBe(r.output);
  });

  it('takes an empty search as CWM does: every line start matches, or the one line start of a file without a newline', () => {
    for (const name of ['empty-search-many-lines', 'empty-search-one-line', 'empty-search-empty-file']) {
      const r = run(name);
      const call = parseCwmToolCall(`<tool: edit>\n${r.path}\n<<<<<<< SEARCH\n\n=======\n${r.replace}\n>>>>>>> REPLACE\n</tool>`);
      expect(call.ok).toBe(true);
      const action = toCwmAction(call.ok ? call.name : '', call.ok ? call.body : '');
      expect(action).toEqual({ tool: 'edit', path: r.path, search: '', replace: r.replace });
      const outcome = applyCwmEdit(BEFORE[r.path]!, r.path, '', r.replace);
      expect(`${outcome.message}\n`, name).toBe(r.output);
      expect(outcome.ok ? 0 : 1).toBe(r.exit_code);
      if (outcome.ok) expect(Buffer.from(outcome.content).toString('base64')).toBe(r.file_after_b64);
    }
  });
});

describe('pyRepr()', () => {
  it('quotes and escapes a str as Python\'s repr does', () => {
    expect(['a', "it's", 'say "hi"', 'both \' and "', 'tab\tnl\ncr\r', 'bs\\', '\x00\x7f', 'é 🐍', '\u200b\u00a0\u2028'].map(pyRepr)).toEqual([
      "'a'", '"it\'s"', '\'say "hi"\'', '\'both \\\' and "\'', "'tab\\tnl\\ncr\\r'", "'bs\\\\'", "'\\x00\\x7f'", "'é 🐍'", "'\\u200b\\xa0\\u2028'",
    ]);
  });
});
