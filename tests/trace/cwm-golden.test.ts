import { readdirSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildCwmTrace, cwmTraceTokens, exportTraces, formatCwmTrace, indexTrace, parseCwmTrace, readTraceFile, resolveCwmLocals, type CwmFrame,
} from '../../src/trace/index.js';
import { tempDir } from '../helpers/tasks.js';

// Golden data made by running CWM's demo prompt builder on forager's recorded traces (tests/fixtures/cwm-trace/README.md).
const FIXTURES = join(import.meta.dirname, '../fixtures/cwm-trace');

interface GoldenFrame { event: 'CALL' | 'LINE' | 'RETURN' | 'EXCEPTION'; source_line: string; local_vars: Record<string, string>; arg: string | null }
interface GoldenRow { id: string; context: string; complete: boolean; frames: GoldenFrame[]; states: Record<string, string>[]; resolved: Record<string, string>[]; tokens: number[]; text: string }
interface Golden { source: { repository: string; commit: string }; trace: string; rows: GoldenRow[] }

const goldens = readdirSync(join(FIXTURES, 'golden')).sort().map((name) => ({ name, golden: JSON.parse(readFileSync(join(FIXTURES, 'golden', name), 'utf8')) as Golden }));
const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A golden frame as forager's CwmFrame. */
function frameOf(frame: GoldenFrame): CwmFrame {
  const event = frame.event.toLowerCase() as CwmFrame['event'];
  return event === 'call' || event === 'line' ? { event, source: frame.source_line, locals: frame.local_vars } : { event, source: frame.source_line, value: frame.arg ?? '' };
}

describe('the CWM trace layout against CWM\'s own prompt builder (demos/cwmdbg.py)', () => {
  it('has golden traces made at the commit the docs cite', () => {
    expect(goldens.map((g) => g.name)).toEqual(['fix-calculator.json', 'repo-fix.json', 'trace-hostile.json', 'trace-stdlib.json']);
    for (const { golden } of goldens) expect(golden.source).toMatchObject({ repository: 'facebookresearch/cwm', commit: '7930e0298bf32aae28cc0e35e18a54c772603364' });
    expect(goldens.reduce((n, g) => n + g.golden.rows.length, 0)).toBeGreaterThanOrEqual(40);
  });

  for (const { name, golden } of goldens) {
    it(`${name}: frames, context, text and token ids equal the builder's, byte for byte`, async () => {
      const file = await readTraceFile(join(FIXTURES, golden.trace));
      const index = indexTrace(file.functions, file.invocations);
      for (const row of golden.rows) {
        const entry = file.invocations.find((i) => i.id === row.id)!;
        const trace = buildCwmTrace(entry, index);
        expect(trace.frames, row.id).toEqual(row.frames.map(frameOf));
        expect(trace.context, row.id).toBe(row.context);
        expect(trace.complete, row.id).toBe(row.complete);
        expect(formatCwmTrace(trace), row.id).toBe(row.text);
        expect(cwmTraceTokens(trace), row.id).toEqual(row.tokens);
      }
    });

    it(`${name}: every "..", resolved as CWM's debugger resolves it, gives the recorded locals`, async () => {
      const file = await readTraceFile(join(FIXTURES, golden.trace));
      const index = indexTrace(file.functions, file.invocations);
      for (const row of golden.rows) {
        const trace = buildCwmTrace(file.invocations.find((i) => i.id === row.id)!, index);
        trace.frames.forEach((frame, i) => {
          expect(resolveCwmLocals(trace.frames, i), `${row.id} frame ${i}`).toEqual(row.resolved[i]);
          if (frame.event === 'call' || frame.event === 'line') expect(row.resolved[i], `${row.id} frame ${i}`).toEqual(trace.states[i]);
        });
      }
    });

    it(`${name}: parseCwmTrace reads back what the builder wrote`, () => {
      for (const row of golden.rows) {
        expect(parseCwmTrace(row.text), row.id).toEqual({ context: row.context, frames: row.frames.map(frameOf), complete: row.complete });
      }
    });
  }

  it('trace export --format cwm --tokens writes the builder\'s text and ids for every invocation', async () => {
    const dir = await tempDir('forager-cwm-golden-');
    dirs.push(dir);
    for (const { name, golden } of goldens) {
      const out = join(dir, `${name}.jsonl`);
      const result = await exportTraces([join(FIXTURES, golden.trace)], out, { format: 'cwm', tokens: true, keepDuplicates: true });
      const rows = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { id: string; text: string; tokens: number[]; complete: boolean });
      expect(result).toMatchObject({ rows: golden.rows.length, replayMismatches: 0 });
      const byId = new Map(rows.map((r) => [r.id.slice(r.id.indexOf('/') + 1), r]));
      for (const row of golden.rows) expect(byId.get(row.id), row.id).toMatchObject({ text: row.text, tokens: row.tokens, complete: row.complete });
    }
  });
});
