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
    // Two calls of one answer are two steps, each shown the result that names it.
    expect(t.steps.map((s) => [s.action, s.tool_call_id, s.shown])).toEqual([
      [{ tool: 'bash', command: "printf 'Hello, world!' > hello.txt" }, 'call_1', ''],
      [{ tool: 'bash', command: 'cat hello.txt' }, 'call_2', 'Hello, world!'],
      [null, undefined, ''],
    ]);
    expect(t.steps[0]!.model).toMatchObject({ reasoning: 'One command writes it, one reads it back.', usage: { prompt_tokens: 520, completion_tokens: 80, total_tokens: 600 } });
    expect(t.steps[0]!.model?.tool_calls?.map((c) => c.id)).toEqual(['call_1', 'call_2']);
    expect(t.steps[1]!.model).toBeUndefined();
    expect(t.steps[0]!.observation).toBeNull();
    expect(t.footer?.totals).toEqual({ prompt_tokens: 1120, completion_tokens: 124, cost_usd: 0.00078 });
    expect(t.steps.map((s) => s.model?.cost_usd)).toEqual([0.00045, undefined, 0.00033]);
  });

  it('Harbor\'s agents: terminus-2 keystrokes and mark_task_complete, bash_command, terminal_run_command; copied context counted, not taken; nulls accepted', async () => {
    const dir = await makeTempDir('forager-atif-');
    const report = await importTrajectories('atif', [join(FIXTURES, 'atif-harbor')], dir);
    expect(report).toMatchObject({ imported: 3, invalid: 0 });
    const byTask = new Map((await Promise.all(report.written.map(readDatasetTrajectory))).map((t) => [t.header.task.id, t]));
    const terminus = byTask.get('fix-git__t2AbCd')!;
    expect((terminus.header as { source?: unknown }).source).toMatchObject({ extra: { schema_version: 'ATIF-v1.5', copied_context_steps: 2 } });
    expect(terminus.header.task.instruction).toBe('Fix the broken git repository in /app.\n\nCurrent terminal state:\nroot@box:/app# ');
    expect(terminus.steps.map((s) => [s.action, s.tool_call_id ?? null, s.model ? 'answer' : 'same answer'])).toEqual([
      [{ tool: 'bash', command: 'git status\n' }, 'call_1_1', 'answer'],
      [{ tool: 'bash', command: 'git log --oneline | head -3\n' }, 'call_1_2', 'same answer'],
      [{ tool: 'bash', command: 'C-c' }, 'call_2_1', 'answer'],
      [{ tool: 'submit' }, 'call_3_task_complete', 'answer'],
    ]);
    // The terminal is shown once, after the batch: its screen goes with the batch's last keystrokes.
    expect(terminus.steps.slice(0, 2).map((s) => s.shown)).toEqual(['', 'New Terminal Output:\nroot@box:/app# git status\nfatal: bad object HEAD\nroot@box:/app# git log --oneline | head -3\nfatal: bad object HEAD\nroot@box:/app# ']);
    expect(terminus.steps[0]!.model?.tool_calls?.[1]).toEqual({ id: 'call_1_2', name: 'bash_command', arguments: '{"keystrokes":"git log --oneline | head -3\\n","duration":0.5}' });
    expect(terminus.steps[0]!.model?.reasoning).toBeUndefined();
    expect(byTask.get('navigator__n9Qr')!.steps.map((s) => [s.action, s.shown])).toEqual([[{ tool: 'bash', command: 'wc -l data.csv' }, '42 data.csv\n']]);
  });

  it('ATIF v1.6: content-part messages keep their text and list their images; tool_definitions become the agent\'s tools; an unknown tool is kept as its call', async () => {
    const dir = await makeTempDir('forager-atif-');
    const report = await importTrajectories('atif', [join(FIXTURES, 'atif-harbor', 'mini-swe__m1Xy')], dir);
    expect(report.invalidRecords).toEqual([]);
    const t = await readDatasetTrajectory(report.written[0]!);
    expect(t.header.task.instruction).toBe('Make the chart in chart.png match the sketch.');
    expect((t.header as { source?: unknown }).source).toMatchObject({ extra: {
      schema_version: 'ATIF-v1.6', continued_trajectory_ref: 'trajectory.cont-1.json',
      images: [{ step: 1, field: 'message', media_type: 'image/png', path: 'images/sketch.png' }, { step: 3, field: 'observation.results.0.content', media_type: 'image/png', path: 'images/step4.png' }],
    } });
    expect(t.header.agent).toMatchObject({ type: 'model', tools: [{ type: 'function', function: { name: 'bash' } }] });
    expect(t.steps.map((s) => s.action)).toEqual([{ tool: 'bash', command: 'cat plot.py' }, null, null]);
    expect(t.steps[1]!.model?.tool_calls).toEqual([{ id: 'call_b', name: 'python_exec', arguments: '{"code":"render()","timeout":30}' }]);
    expect(t.steps[1]!.shown).toBe('rendered:');
    expect(t.steps[2]!.model).toMatchObject({ raw_text: '', reasoning: 'Nothing left.' });
  });

  it('the shipped ATIF v1.4 schema accepts null on every optional field, as Harbor\'s models do', async () => {
    const validate = await validator();
    const doc = JSON.parse(await readFile(join(FIXTURES, 'atif-harbor', 'navigator__n9Qr', 'agent', 'trajectory.json'), 'utf8')) as Record<string, any>;
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const nulls = { ...doc, notes: null, final_metrics: null, extra: null, agent: { ...doc.agent, model_name: null, extra: null },
      steps: doc.steps.map((s: Record<string, unknown>) => ({ ...s, timestamp: null, extra: null, ...(s.source === 'agent' ? { reasoning_content: null, metrics: null, model_name: null } : {}) })) };
    expect(validate(nulls), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...doc, session_id: null })).toBe(false);
  });

  it('names the field of a document that is not ATIF', async () => {
    const dir = await makeTempDir('forager-atif-');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ schema_version: 'ATIF-v1.4', session_id: 's', agent: { name: 'a', version: '1' }, steps: [{ step_id: 1, source: 'robot', message: '' }] }));
    const report = await importTrajectories('atif', [join(dir, 'bad.json')], join(dir, 'out'));
    expect(report.invalidRecords[0]?.error).toBe(`${join(dir, 'bad.json')}: field "steps.0.source": expected "system", "user" or "agent", found "robot"`);
  });
});
