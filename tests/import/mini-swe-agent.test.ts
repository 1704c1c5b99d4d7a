import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importTrajectories } from '../../src/import/index.js';
import { readDatasetTrajectory, type DatasetTrajectory } from '../../src/trajectory/dataset-reader.js';
import { makeTempDir } from '../export/fixtures.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/mini-swe-agent', import.meta.url));

/** What mini-swe-agent's own code says each model turn ran and showed (written by generate.py). */
interface Expected {
  source: string;
  turns: { actions: string[]; shown: string[]; returncodes?: (number | null)[]; format_error: boolean }[];
}

async function importFile(path: string): Promise<DatasetTrajectory> {
  const report = await importTrajectories('mini-swe-agent', [path], await makeTempDir('forager-import-'));
  expect(report.invalidRecords).toEqual([]);
  expect(report.imported).toBe(1);
  return readDatasetTrajectory(report.written[0]!);
}

/** Steps grouped by the model answer they came from: a step with a model turn opens one, the steps after it without one join it. */
function answers(t: DatasetTrajectory) {
  const groups: (typeof t.steps)[] = [];
  for (const step of t.steps) {
    if (step.model || groups.length === 0) groups.push([step]);
    else groups.at(-1)!.push(step);
  }
  return groups;
}

describe('import mini-swe-agent: round trip against mini-swe-agent\'s own parsing', () => {
  it('every turn of every fixture: the actions it ran byte for byte, none where it refused, what it showed byte for byte (counted)', async () => {
    const counted = { files: 0, turns: 0, actions: 0, refused: 0, shown: 0, exitCodes: 0 };
    for (const folder of ['generated', 'test-data']) {
      for (const name of (await readdir(join(FIXTURES, folder))).filter((n) => n.endsWith('.traj.json')).sort()) {
        const expected = JSON.parse(await readFile(join(FIXTURES, folder, name.replace('.traj.json', '.expected.json')), 'utf8')) as Expected;
        const t = await importFile(join(FIXTURES, folder, name));
        const groups = answers(t);
        expect([name, groups.length]).toEqual([name, expected.turns.length]);
        expected.turns.forEach((turn, k) => {
          const steps = groups[k]!;
          const where = `${name} turn ${k}`;
          if (turn.format_error) {
            expect([where, steps.map((s) => s.action)]).toEqual([where, [null]]);
            expect([where, steps[0]!.model?.format_error]).toEqual([where, turn.shown[0]]);
            counted.refused += 1;
          } else {
            expect([where, steps.map((s) => (s.action?.tool === 'bash' ? s.action.command : s.action))]).toEqual([where, turn.actions]);
            counted.actions += turn.actions.length;
          }
          expect([where, steps.map((s) => s.shown)]).toEqual([where, turn.shown.length ? turn.shown : ['']]);
          counted.shown += turn.shown.length;
          turn.returncodes?.forEach((code, j) => {
            if (turn.format_error) return;
            expect([where, j, steps[j]!.observation?.exit_code ?? null]).toEqual([where, j, code !== null && code >= 0 ? code : null]);
            counted.exitCodes += 1;
          });
        });
        counted.files += 1;
        counted.turns += expected.turns.length;
      }
    }
    expect(counted).toEqual({ files: 9, turns: 51, actions: 46, refused: 7, shown: 53, exitCodes: 16 });
  });

  it('its bare message lists import as SFT message lists too (forager import messages), with mini-swe-agent\'s own rule and the file\'s name', async () => {
    let turns = 0;
    for (const name of (await readdir(join(FIXTURES, 'test-data'))).filter((n) => n.endsWith('.traj.json')).sort()) {
      const expected = JSON.parse(await readFile(join(FIXTURES, 'test-data', name.replace('.traj.json', '.expected.json')), 'utf8')) as Expected;
      const report = await importTrajectories('messages', [join(FIXTURES, 'test-data', name)], await makeTempDir('forager-import-'));
      expect(report.invalidRecords).toEqual([]);
      const t = await readDatasetTrajectory(report.written[0]!);
      expect(t.header.task.id).toBe(name.replace('.traj.json', ''));
      expect(t.steps.map((s) => (s.action?.tool === 'bash' ? s.action.command : null))).toEqual(expected.turns.map((turn) => turn.actions[0] ?? null));
      expect(t.steps.map((s) => s.shown)).toEqual(expected.turns.map((turn) => turn.shown[0] ?? ''));
      turns += expected.turns.length;
    }
    expect(turns).toBe(24);
  });

  it('1.1 toolcall: parallel calls are steps of one answer with their call ids; an unknown tool\'s call is kept, with no action', async () => {
    const t = await importFile(join(FIXTURES, 'generated', 'toolcall-1.1.traj.json'));
    expect(t.header).toMatchObject({ source: { format: 'mini-swe-agent', exit_status: 'Submitted', extra: { trajectory_format: 'mini-swe-agent-1.1', api_calls: 7 } }, agent: { model: { name: 'mini-swe-agent', version: '2.4.6', model: 'openai/stand-in' } } });
    const both = t.steps.findIndex((s) => s.tool_call_id === 'call_2');
    expect(t.steps.slice(both, both + 2).map((s) => [s.tool_call_id, s.action, s.observation?.exit_code, s.model?.tool_calls?.map((c) => c.id)])).toEqual([
      ['call_2', { tool: 'bash', command: 'ls' }, 0, ['call_2', 'call_3']],
      ['call_3', { tool: 'bash', command: 'cat missing.txt' }, 1, undefined],
    ]);
    const unknown = t.steps.find((s) => s.model?.tool_calls?.[0]?.name === 'python')!;
    expect(unknown.action).toBeNull();
    expect(unknown.model?.tool_calls).toEqual([{ id: 'call_4', name: 'python', arguments: '{"command": "print(1)"}' }]);
    expect(unknown.shown).toContain("Unknown tool 'python'.");
    expect(t.footer).toMatchObject({ exit_status: 'submitted', patch: 'diff --git a/calc.py b/calc.py\n' });
  });

  it('1.1 response_api: text and function calls from the response\'s output items, observations from function_call_output', async () => {
    const t = await importFile(join(FIXTURES, 'generated', 'response-api-1.1.traj.json'));
    expect(t.steps[0]).toMatchObject({ action: { tool: 'bash', command: 'cat calc.py' }, tool_call_id: 'fc_1', observation: { exit_code: 0 }, model: { raw_text: 'Let me look.', usage: { prompt_tokens: 900, completion_tokens: 40 } } });
    expect(t.steps[1]).toMatchObject({ action: null, model: { raw_text: 'No call this time.' } });
  });

  it('a run that ended in an exception keeps its message apart: no patch, no submission, exit status error', async () => {
    const t = await importFile(join(FIXTURES, 'generated', 'retry-error-1.traj.json'));
    expect((t.header as { source?: unknown }).source).toMatchObject({ exit_status: 'RetryError', extra: { trajectory_format: 'mini-swe-agent-1', exit_message: 'RetryError[<Future at 0x7f3a state=finished raised InternalServerError>]' } });
    expect(t.footer).toMatchObject({ exit_status: 'error' });
    expect(t.footer?.patch).toBeUndefined();
    expect(t.footer?.submission).toBeUndefined();
  });
});
