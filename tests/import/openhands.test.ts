import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importTrajectories } from '../../src/import/index.js';
import { readDatasetTrajectory, type DatasetTrajectory } from '../../src/trajectory/dataset-reader.js';
import type { Action } from '../../src/trajectory/schema.js';
import { makeTempDir } from '../export/fixtures.js';

const REPO_FILES = fileURLToPath(new URL('./fixtures/openhands/repo', import.meta.url));

interface ExpectedTurn { kind: string; command: string | null; path: string | null; observation: string }

async function importFile(path: string): Promise<DatasetTrajectory> {
  const report = await importTrajectories('openhands', [path], await makeTempDir('forager-import-'));
  expect(report.invalidRecords).toEqual([]);
  return readDatasetTrajectory(report.written[0]!);
}

/** The forager action an OpenHands action kind is, from the fields the file gives it. */
function expectedAction(turn: ExpectedTurn, actual: Action | null): unknown {
  switch (turn.kind) {
    case 'run': return { tool: 'bash', command: turn.command };
    case 'read': return { tool: 'view', path: turn.path, ...(actual?.tool === 'view' && actual.start_line ? { start_line: actual.start_line, end_line: actual.end_line } : {}) };
    // An edit forager's tools cannot express (insert; str_replace without old_str, which OpenHands answered ERROR) keeps its call instead.
    case 'edit': return turn.command === 'insert' || (actual === null && turn.observation.startsWith('ERROR:')) ? null : expect.objectContaining({ path: turn.path });
    case 'finish': return expect.objectContaining({ tool: 'submit' });
    default: return null;
  }
}

describe('import openhands: round trip against OpenHands\' own output.jsonl files', () => {
  it('every turn: the action it ran, none for a call OpenHands refused, the observation byte for byte (counted)', async () => {
    const counted = { files: 0, turns: 0, bash: 0, view: 0, edit: 0, submit: 0, refused: 0, noTool: 0, observations: 0 };
    for (const file of ['output.jsonl', 'resolver/output.jsonl']) {
      const expected = JSON.parse(await readFile(join(REPO_FILES, file.replace('.jsonl', '.expected.json')), 'utf8')) as { turns: ExpectedTurn[] };
      const t = await importFile(join(REPO_FILES, file));
      expect([file, t.steps.length]).toEqual([file, expected.turns.length]);
      expected.turns.forEach((turn, i) => {
        const step = t.steps[i]!;
        expect([file, i, step.action]).toEqual([file, i, expectedAction(turn, step.action)]);
        expect([file, i, step.shown]).toEqual([file, i, turn.observation]);
        counted.observations += 1;
        if (turn.kind === 'refused') {
          expect(step.model?.format_error).toBe(turn.observation);
          counted.refused += 1;
        } else if (step.action === null) {
          // An action forager has no tool for still ran: its call is kept.
          expect(step.model?.tool_calls?.[0]?.name).toBe(turn.kind === 'edit' ? 'str_replace_editor' : turn.kind);
          counted.noTool += 1;
        } else counted[step.action.tool === 'bash' ? 'bash' : step.action.tool === 'view' ? 'view' : step.action.tool === 'submit' ? 'submit' : 'edit'] += 1;
      });
      counted.files += 1;
      counted.turns += t.steps.length;
    }
    expect(counted).toEqual({ files: 2, turns: 38, bash: 14, view: 9, edit: 6, submit: 2, refused: 1, noTool: 6, observations: 38 });
  });

  it('the resolver\'s output: the issue names the task and repository, its own success stays its own (no grade)', async () => {
    const t = await importFile(join(REPO_FILES, 'resolver', 'output.jsonl'));
    expect(t.header.task).toMatchObject({ id: 'neubig__pr-viewer-5', spec: { metadata: { repo: 'neubig/pr-viewer' } } });
    expect((t.header as { source?: unknown }).source).toMatchObject({ format: 'openhands', extra: { layout: 'resolver', issue_type: 'issue', success: true } });
    expect(t.steps[0]).toMatchObject({ action: { tool: 'bash', command: 'touch LICENSE' }, observation: { exit_code: 0 } });
    expect(t.footer?.patch).toMatch(/^diff --git a\/LICENSE b\/LICENSE\r\n/);
    expect(t.footer?.evaluation).toBeUndefined();
  });
});
