import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { exportTrajectories, type AtifTrajectory } from '../../src/export/index.js';
import { importTrajectories } from '../../src/import/index.js';
import { readDatasetTrajectory } from '../../src/trajectory/dataset-reader.js';
import { readTrajectory, type Trajectory } from '../../src/trajectory/reader.js';
import { bashTrajectory, makeTempDir, richTrajectory, writeTrajectory } from '../export/fixtures.js';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const SCHEMA_PATH = fileURLToPath(new URL('../../schema/atif-v1.4.schema.json', import.meta.url));

async function validator() {
  const schema = JSON.parse(await readFile(SCHEMA_PATH, 'utf8')) as object;
  return new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
}

async function exportAtif(): Promise<{ originals: Trajectory[]; docs: Map<string, AtifTrajectory>; dir: string; out: string }> {
  const dir = await makeTempDir('forager-atif-');
  const inputs = [
    richTrajectory('t-rich', 'pkg-1', 'org/pkg'),
    bashTrajectory('t-bash', 'lib-2', ['make', 'make test'], { footer: { exit_status: 'max_steps', failure_kind: 'agent', error: { kind: 'agent', code: 'MAX_STEPS', message: 'ran out of steps' } } }),
  ];
  for (const input of inputs) await writeTrajectory(join(dir, 'batch', `${input.id}.jsonl`), input);
  const out = join(dir, 'atif');
  await exportTrajectories([join(dir, 'batch')], { format: 'atif', out });
  const docs = new Map<string, AtifTrajectory>();
  for (const name of await readdir(out)) docs.set(name, JSON.parse(await readFile(join(out, name), 'utf8')) as AtifTrajectory);
  return { originals: await Promise.all(inputs.map((i) => readTrajectory(join(dir, 'batch', `${i.id}.jsonl`)))), docs, dir, out };
}

describe('export --format atif', () => {
  it('writes one ATIF-v1.4 document per trajectory that validates against the shipped schema', async () => {
    const validate = await validator();
    const { docs } = await exportAtif();
    expect([...docs.keys()].sort()).toEqual(['t-bash.json', 't-rich.json']);
    for (const doc of docs.values()) {
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
      expect(doc.schema_version).toBe('ATIF-v1.4');
      expect(doc.steps.map((s) => s.step_id)).toEqual(doc.steps.map((_, i) => i + 1));
    }
    const rich = docs.get('t-rich.json')!;
    expect(rich.agent).toMatchObject({ name: 'forager-model', model_name: 'cwm-32b' });
    expect(rich.steps.map((s) => s.source)).toEqual(['system', 'user', ...Array(8).fill('agent')]);
    const edit = rich.steps.find((s) => s.tool_calls?.[0]?.function_name === 'edit')!;
    expect(edit.tool_calls).toEqual([{ tool_call_id: 'call_abc', function_name: 'edit', arguments: { path: 'src/a.py', search: 'naïve', replace: 'naive' } }]);
    expect(edit.observation?.results[0]?.source_call_id).toBe('call_abc');
    expect(edit.metrics).toEqual({ prompt_tokens: 500, completion_tokens: 60 });
    expect(rich.final_metrics).toMatchObject({ total_prompt_tokens: 900, total_completion_tokens: 100, total_steps: 10 });
    // The format error: the model's text, what it was shown, no tool call.
    const formatError = rich.steps[5]!;
    expect(formatError).toMatchObject({ message: 'I will call <tool bash> now', observation: { results: [{ content: 'FormatError: expected one <tool: …> block' }] } });
    expect(formatError.tool_calls).toBeUndefined();
  });

  it('reads back as forager trajectories: every field ATIF holds is kept, and the rest through extra', async () => {
    const { originals, out, dir } = await exportAtif();
    const report = await importTrajectories('atif', [out], join(dir, 'imported'));
    expect(report).toMatchObject({ imported: 2, invalid: 0 });
    const back = await Promise.all(report.written.map(readDatasetTrajectory));
    for (const original of originals) {
      const copy = back.find((t) => t.header.trajectory_id === original.header.trajectory_id)!;
      // What ATIF itself holds.
      expect(copy.header.task.instruction).toBe(original.header.task.instruction);
      expect(copy.header.agent).toEqual(original.header.agent);
      expect(copy.steps.map((s) => ({ text: s.model?.raw_text ?? '', reasoning: s.model?.reasoning, calls: s.model?.tool_calls, shown: s.shown, at: s.started_at, usage: s.model?.usage })))
        .toEqual(original.steps.map((s) => ({ text: s.model?.raw_text ?? '', reasoning: s.model?.reasoning, calls: s.model?.tool_calls, shown: s.shown, at: s.started_at, usage: s.model?.usage })));
      // And through extra.forager, everything else: the copy is the original marked imported.
      const { source, ...header } = copy.header as typeof copy.header & { source: unknown };
      expect(source).toMatchObject({ kind: 'import', format: 'atif', extra: { schema_version: 'ATIF-v1.4' } });
      expect(header).toEqual(original.header);
      expect(copy.steps).toEqual(original.steps);
      expect(copy.footer).toEqual(original.footer);
    }
  });

  it('imports an ATIF document another harness wrote (Harbor\'s layout): tool calls, results, metrics', async () => {
    const validate = await validator();
    const path = join(FIXTURES, 'atif', 'hello-world__abc123', 'agent', 'trajectory.json');
    expect(validate(JSON.parse(await readFile(path, 'utf8'))), JSON.stringify(validate.errors)).toBe(true);
    const dir = await makeTempDir('forager-atif-');
    const report = await importTrajectories('atif', [join(FIXTURES, 'atif')], dir);
    expect(report).toMatchObject({ imported: 1, invalid: 0 });
    const t = await readDatasetTrajectory(report.written[0]!);
    expect(t.header).toMatchObject({
      trajectory_id: '025B810F-B3A2-4C67-93C0-FE7A142A947A', task: { id: 'hello-world__abc123', instruction: "Create a file called hello.txt with 'Hello, world!' as the content." },
      agent: { type: 'model', model: { name: 'terminus-2', version: '1.0.0', model: 'anthropic/claude-sonnet-4' }, system_prompt: 'You are an AI assistant solving command-line tasks.' },
      source: { format: 'atif', extra: { schema_version: 'ATIF-v1.4' } },
    });
    expect(t.steps.map((s) => s.action)).toEqual([{ tool: 'bash', command: "printf 'Hello, world!' > hello.txt" }, null]);
    expect(t.steps[0]!.model).toMatchObject({ reasoning: 'One command writes it, one reads it back.', usage: { prompt_tokens: 520, completion_tokens: 80, total_tokens: 600 } });
    expect(t.steps[0]!.model?.tool_calls?.map((c) => c.id)).toEqual(['call_1', 'call_2']);
    expect(t.steps[0]!.shown).toBe('\n\nHello, world!');
    expect(t.steps[0]!.observation).toBeNull();
    expect(t.footer?.totals).toEqual({ prompt_tokens: 1120, completion_tokens: 124, cost_usd: 0.00078 });
    expect(t.steps.map((s) => s.model?.cost_usd)).toEqual([0.00045, 0.00033]);
  });

  it('names the field of a document that is not ATIF', async () => {
    const dir = await makeTempDir('forager-atif-');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ schema_version: 'ATIF-v1.4', session_id: 's', agent: { name: 'a', version: '1' }, steps: [{ step_id: 1, source: 'robot', message: '' }] }));
    const report = await importTrajectories('atif', [join(dir, 'bad.json')], join(dir, 'out'));
    expect(report.invalidRecords[0]?.error).toBe(`${join(dir, 'bad.json')}: field "steps.0.source": expected "system", "user" or "agent", found "robot"`);
  });
});
