// @needs docker
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CWM_TOKEN_IDS, parseCwmTrace } from '../../src/trace/index.js';
import { spawnCli, waitCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tasks.js';
import { invocation, writeSampleTrace } from './fixtures.js';

let dir: string;
const cli = (args: string[]) => waitCli(spawnCli(args));

beforeAll(async () => {
  dir = await tempDir('forager-trace-cli-');
  await writeSampleTrace(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('forager trace (CLI)', () => {
  it('trace stats counts functions, invocations, events and outcomes', async () => {
    const result = await cli(['trace', 'stats', dir, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ files: 1, tasks: 1, functions: 1, invocations: 2, events: 8, outcomes: { return: 2 } });
  });

  it('trace export --out writes CWM rows that parse back, with token ids on --tokens (the subcommand\'s --out, not the parent\'s)', async () => {
    const out = join(dir, 'out', 'cwm.jsonl');
    const result = await cli(['trace', 'export', dir, '--out', out, '--tokens']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/2 invocations from 1 trace files \(0 near-duplicates, 0 replay mismatches dropped\)/);
    const rows = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { text: string; tokens: number[]; complete: boolean });
    expect(parseCwmTrace(rows[0]!.text).frames.map((f) => f.event)).toEqual(invocation.events.map((e) => e.event));
    expect(rows[0]).toMatchObject({ complete: true });
    expect(rows[0]!.tokens.slice(0, 2)).toEqual([CWM_TOKEN_IDS['<|begin_of_text|>'], CWM_TOKEN_IDS['<|trace_context_start|>']]);
    expect(rows[0]!.tokens.at(-1)).toBe(CWM_TOKEN_IDS['<|end_of_text|>']);
  });

  it('refuses a bad format or a missing --out with a message naming the option', async () => {
    const bad = await cli(['trace', 'export', dir, '--out', join(dir, 'x'), '--format', 'csv']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format: expected one of cwm, jsonl, parquet, got "csv"');
    const missing = await cli(['trace', 'export', dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--out <file> is required');
    const limits = await cli(['trace', 'tasks/repo-fix', '--out', join(dir, 'b'), '--max-events', '0']);
    expect(limits.code).not.toBe(0);
    expect(limits.stderr).toMatch(/--max-events/);
  });
});
