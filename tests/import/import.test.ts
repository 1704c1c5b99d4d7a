// @needs docker
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { computeStats, exportTrajectories, type ChatRecord } from '../../src/export/index.js';
import { importTrajectories } from '../../src/import/index.js';
import { readDatasetTrajectory, type DatasetTrajectory } from '../../src/trajectory/dataset-reader.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { startViewer } from '../../src/viewer/index.js';
import { makeTempDir } from '../export/fixtures.js';
import { query } from '../export/duckdb.js';
import { withLineLimit } from '../lines/helpers.js';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));

async function importOne(format: Parameters<typeof importTrajectories>[0], path: string): Promise<{ out: string; trajectories: DatasetTrajectory[] }> {
  const out = await makeTempDir('forager-import-');
  const report = await importTrajectories(format, [join(FIXTURES, path)], out);
  expect(report.invalidRecords).toEqual([]);
  return { out, trajectories: await Promise.all(report.written.map(readDatasetTrajectory)) };
}

/** Fields a sandbox would have recorded and a peer's file does not hold: they must stay absent, not be made up. */
function expectNothingInvented(t: DatasetTrajectory): void {
  const header = t.header as Record<string, unknown>;
  for (const field of ['image', 'limits', 'environment', 'workdir', 'seed', 'host', 'setup']) expect(header[field]).toBeUndefined();
  for (const step of t.steps) {
    expect(step.state).toBeNull();
    if (step.observation) expect(Object.keys(step.observation)).toEqual(['exit_code']);
  }
}

describe('importTrajectories()', () => {
  it('mini-swe-agent: bash blocks become bash actions, <returncode> the exit code, the submission the patch', async () => {
    const { trajectories: [t] } = await importOne('mini-swe-agent', 'mini-swe-agent/hand-written');
    expect(t!.header).toMatchObject({ source: { kind: 'import', format: 'mini-swe-agent', exit_status: 'Submitted', extra: { api_calls: 3 } }, task: { id: 'django__django-11099' }, agent: { type: 'model', model: { name: 'mini-swe-agent', model: 'anthropic/claude-sonnet-4-20250514', version: '1.9.0' } } });
    expect(t!.header.task.instruction).toContain('UsernameValidator allows trailing newline');
    expect(t!.steps.map((s) => s.action?.tool)).toEqual(['bash', 'bash', 'bash']);
    expect(t!.steps[0]!.action).toEqual({ tool: 'bash', command: 'grep -rn "regex = r\'\\^" django/contrib/auth/validators.py' });
    expect(t!.steps.map((s) => s.observation?.exit_code ?? null)).toEqual([0, 1, null]);
    expect(t!.steps[1]!.shown).toContain('ModuleNotFoundError');
    expect(t!.footer).toMatchObject({ exit_status: 'submitted', steps: 3, totals: { cost_usd: 0.0421 } });
    expect(t!.footer?.patch).toContain('diff --git a/django/contrib/auth/validators.py');
    expectNothingInvented(t!);
  });

  it('SWE-agent: each step\'s action as the shell command it ran (its trailing newline kept), execution time kept, no exit code invented', async () => {
    const { trajectories: [t] } = await importOne('swe-agent', 'swe-agent/hand-written');
    expect(t!.header).toMatchObject({ task: { id: 'astropy__astropy-12907' }, agent: { type: 'model', model: { name: 'swe-agent', model: 'gpt-4o-2024-08-06' } } });
    expect(t!.steps.map((s) => s.action)).toEqual([
      { tool: 'bash', command: 'open astropy/modeling/separable.py\n' },
      { tool: 'bash', command: 'edit 245:245\n        cright[-right.shape[0]:, -right.shape[1]:] = right\nend_of_edit\n' },
      { tool: 'bash', command: 'submit\n' },
    ]);
    expect(t!.steps.every((s) => s.observation === null)).toBe(true);
    expect(t!.steps[0]!.timing).toEqual({ action_ms: 210 });
    expect(t!.footer).toMatchObject({ exit_status: 'submitted', totals: { prompt_tokens: 30512, completion_tokens: 411 } });
    expectNothingInvented(t!);
  });

  it('OpenHands: run/edit/finish events become bash/edit/submit, their observations what was shown, exit codes from the metadata', async () => {
    const { trajectories: [t] } = await importOne('openhands', 'openhands/hand-written');
    expect(t!.header).toMatchObject({ task: { id: 'sympy__sympy-22080', spec: { metadata: { repo: 'sympy/sympy' }, base_commit: '3f8c8c2377cb8e0daaf8073e8d03ac7d87580813' } }, agent: { type: 'model', model: { name: 'openhands', model: 'litellm_proxy/claude-3-5-sonnet-20241022', agent_class: 'CodeActAgent' } } });
    expect(t!.steps.map((s) => s.action?.tool ?? null)).toEqual(['bash', 'edit', null, 'submit']);
    expect(t!.steps[1]!.action).toMatchObject({ tool: 'edit', path: '/workspace/sympy__sympy__1.1/sympy/printing/pycode.py' });
    expect(t!.steps[2]!.model?.tool_calls?.[0]).toMatchObject({ id: 'toolu_03', name: 'think' });
    expect(t!.steps.map((s) => s.observation?.exit_code ?? null)).toEqual([0, null, null, null]);
    expect(t!.steps[0]!.model).toMatchObject({ raw_text: 'Let me find where Mod is printed.', usage: { prompt_tokens: 5210, completion_tokens: 61, total_tokens: 5271 } });
    expect(t!.steps[0]!.started_at).toBe('2025-03-01T10:00:05.000000');
    expect(t!.footer).toMatchObject({ exit_status: 'submitted', evaluation: { resolved: true }, totals: { prompt_tokens: 21910, completion_tokens: 236, cost_usd: 0.0712 } });
    expectNothingInvented(t!);
  });

  it('SFT message lists: nebius (role ai, text), OpenAI tool calls with tools and resolved, SWE-smith messages as a JSON string', async () => {
    const { trajectories } = await importOne('messages', 'messages');
    const byId = new Map(trajectories.map((t) => [t.header.task.id, t]));
    const nebius = byId.get('pvlib__pvlib-python-1854')!;
    expect(nebius.steps.map((s) => s.action)).toEqual([{ tool: 'bash', command: 'search_file "def __init__" pvlib/pvsystem.py\n' }, { tool: 'bash', command: 'submit\n' }]);
    expect(nebius.footer).toMatchObject({ exit_status: 'submitted', evaluation: { resolved: false } });
    const open = byId.get('encode__httpx-2701')!;
    expect(open.steps.map((s) => s.action)).toEqual([
      { tool: 'view', path: '/workspace/encode__httpx__0.0/httpx/_urls.py', start_line: 1, end_line: 40 },
      { tool: 'bash', command: 'cd /workspace/encode__httpx__0.0 && python -m pytest tests/models/test_url.py -q' },
      { tool: 'submit', result: 'Fixed copy_with.' },
    ]);
    expect(open.header.agent).toMatchObject({ type: 'model', model: { tool_format: 'openai' }, system_prompt: 'You are OpenHands agent, a helpful AI assistant.' });
    expect(open.header.agent.type === 'model' && open.header.agent.tools?.length).toBe(3);
    expect(open.footer).toMatchObject({ evaluation: { resolved: true }, patch: 'diff --git a/httpx/_urls.py b/httpx/_urls.py\n' });
    const smith = byId.get('getmoto__moto.694ce1f4.pr_5753')!;
    expect(smith.header.trajectory_id).toBe('messages-getmoto__moto.694ce1f4.pr_5753.ebmt9f1n');
    expect(smith.steps.map((s) => s.action)).toEqual([{ tool: 'bash', command: 'cd /testbed && python reproduce.py' }, { tool: 'submit' }]);
    expect(smith.steps[0]!.shown).toContain('KeyError');
    expect(smith.header.task.instruction).toContain('S3 head_object raises on a deleted key.');
    for (const t of trajectories) expectNothingInvented(t);
  });

  it('SFT message lists stored as Parquet (as public sets ship them) import like their JSON lines', async () => {
    const dir = await makeTempDir('forager-import-');
    const parquet = join(dir, 'open-swe-traces.parquet');
    // DuckDB writes the set as Hugging Face stores it: messages as a list of structs, tools as a string.
    await query(`COPY (SELECT * FROM read_json('${join(FIXTURES, 'messages', 'open-swe-traces.jsonl')}')) TO '${parquet}' (FORMAT parquet)`);
    const fromParquet = await importTrajectories('messages', [parquet], join(dir, 'p'));
    const fromJson = await importTrajectories('messages', [join(FIXTURES, 'messages', 'open-swe-traces.jsonl')], join(dir, 'j'));
    expect(fromParquet).toMatchObject({ imported: 1, invalid: 0 });
    const [a, b] = await Promise.all([readDatasetTrajectory(fromParquet.written[0]!), readDatasetTrajectory(fromJson.written[0]!)]);
    expect(a.steps).toEqual(b.steps);
    expect(a.footer).toEqual(b.footer);
  });

  it('names the file, the record and the field of a record it cannot import, and imports the rest', async () => {
    const dir = await makeTempDir('forager-import-');
    const file = join(dir, 'bad.jsonl');
    await writeFile(file, `${JSON.stringify({ instance_id: 'a-1', messages: [{ role: 'user', content: 'x' }] })}\n${JSON.stringify({ messages: [] })}\n${JSON.stringify({ instance_id: 'b-1', messages: 'not json' })}\n`);
    const report = await importTrajectories('messages', [file], join(dir, 'out'));
    expect(report.imported).toBe(1);
    expect(report.invalid).toBe(2);
    expect(report.invalidRecords[0]).toEqual({ where: `${file}:2`, error: `${file}:2: field "instance_id": expected a non-empty string, found nothing` });
    expect(report.invalidRecords[1]?.error).toContain(`${file}:3: field "messages" (or "trajectory"): expected a list of messages`);
  });

  it('reports a record line past the line limit (file, line, limit) and imports the lines around it; a document past it is refused unread', async () => {
    const dir = await makeTempDir('forager-import-');
    const file = join(dir, 'long.jsonl');
    const record = (id: string, text: string) => JSON.stringify({ instance_id: id, messages: [{ role: 'user', content: text }, { role: 'assistant', content: 'ok' }] });
    await writeFile(file, `${record('a-1', 'x')}\n${record('b-1', 'y'.repeat(10_000))}\n${record('c-1', 'z')}\n`);
    const doc = join(dir, 'big.json');
    await writeFile(doc, record('d-1', 'w'.repeat(10_000)));
    const report = await withLineLimit(4096, () => importTrajectories('messages', [file, doc], join(dir, 'out')));
    expect(report).toMatchObject({ files: 2, imported: 2, invalid: 2 });
    expect(report.invalidRecords).toEqual([
      { where: `${file}:2`, error: `${file}:2: line longer than 4096 bytes (the limit; raise it with $FORAGER_MAX_LINE_BYTES)` },
      { where: doc, error: expect.stringMatching(/big\.json: \d+ bytes, larger than 4096 bytes \(the limit for one document/) },
    ]);
  });

  it('imported trajectories are read by stats, export (jsonl, chat, hf) and the viewer; replay and show refuse them clearly', async () => {
    const out = await makeTempDir('forager-import-');
    for (const [format, path] of [['mini-swe-agent', 'mini-swe-agent/hand-written'], ['swe-agent', 'swe-agent/hand-written'], ['openhands', 'openhands/hand-written'], ['messages', 'messages']] as const) {
      await importTrajectories(format, [join(FIXTURES, path)], out);
    }
    const stats = await computeStats([out]);
    expect(stats).toMatchObject({ trajectories: 6, read: { invalid: 0, partial: 0 }, evaluated: 4, resolved: 3 });
    expect(stats.exit_statuses).toEqual({ submitted: 6 });

    const report = await exportTrajectories([out], { format: 'jsonl', out: join(out, '..', 'all.jsonl') });
    expect(report.exported).toBe(6);
    expect(report.sources).toEqual({ 'mini-swe-agent': 1, 'swe-agent': 1, openhands: 1, messages: 3 });

    // Decontamination lists apply to imported trajectories too (task ids, and repositories named by SWE-bench ids).
    const decontaminated = await exportTrajectories([out], { format: 'jsonl', out: join(out, '..', 'clean.jsonl'), filters: { excludeTasks: new Set(['sympy__sympy-22080']), excludeRepos: new Set(['django/django']) } });
    expect(decontaminated.filtered).toEqual({ excluded_task: 1, excluded_repo: 1 });
    expect(decontaminated.exported).toBe(4);

    await exportTrajectories([out], { format: 'chat', toolFormat: 'openai', out: join(out, '..', 'chat.jsonl') });
    const records = (await readFile(join(out, '..', 'chat.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as ChatRecord);
    const open = records.find((r) => r.instance_id === 'encode__httpx-2701')!;
    // A function-calling source keeps its own prompt, tools and call ids.
    expect(open.messages[0]).toMatchObject({ role: 'system', content: 'You are OpenHands agent, a helpful AI assistant.' });
    expect(open.messages[2]?.tool_calls?.[0]).toMatchObject({ id: 'call_1', function: { name: 'str_replace_editor' } });
    expect((open.tools ?? []).length).toBe(3);

    const hf = await exportTrajectories([out], { format: 'hf', out: join(out, '..', 'hf') });
    expect(hf.outputs[0]).toMatchObject({ split: 'train', trajectories: 6 });

    const viewer = await startViewer({ root: out, port: 0 });
    try {
      const list = await (await fetch(`${viewer.url}api/trajectories`)).json() as { items: { id: string; task_id: string; exit_status: string | null }[] };
      expect(list.items.map((i) => i.task_id).sort()).toEqual(['astropy__astropy-12907', 'django__django-11099', 'encode__httpx-2701', 'getmoto__moto.694ce1f4.pr_5753', 'pvlib__pvlib-python-1854', 'sympy__sympy-22080']);
      const item = list.items.find((i) => i.task_id === 'sympy__sympy-22080')!;
      const rows = await (await fetch(`${viewer.url}api/steps?id=${encodeURIComponent(item.id)}`)).json() as { total: number; rows: { tool: string | null; exit_code: number | null }[] };
      expect(rows.total).toBe(4);
      expect(rows.rows.map((r) => [r.tool, r.exit_code])).toEqual([['bash', 0], ['edit', null], [null, null], ['submit', null]]);
      const step = await (await fetch(`${viewer.url}api/step?id=${encodeURIComponent(item.id)}&n=0`)).json() as { shown: string };
      expect(step.shown).toContain('_print_Mod');
    } finally {
      await viewer.close();
    }

    const file = join(out, 'trajectories', 'sympy__sympy-22080', '0.jsonl');
    await expect(readTrajectory(file)).rejects.toThrow(/imported trajectory/);
  });

  it('forager import writes a batch-shaped folder and a report', async () => {
    const out = await makeTempDir('forager-import-');
    const write = process.stdout.write.bind(process.stdout);
    let stdout = '';
    process.stdout.write = ((chunk: string) => { stdout += chunk; return true; }) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['node', 'forager', 'import', 'openhands', join(FIXTURES, 'openhands', 'hand-written'), '--out', out]);
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    expect(stdout).toContain('1 trajectories imported');
    const report = JSON.parse(await readFile(join(out, 'import-report.json'), 'utf8'));
    expect(report.written).toEqual([join(out, 'trajectories', 'sympy__sympy-22080', '0.jsonl')]);
  });

  it('forager import that imports nothing, into a folder that does not exist yet: a clear error saying why, and the report written there', async () => {
    const dir = await makeTempDir('forager-import-');
    const capture = async (args: string[]) => {
      const [out, err] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
      let text = '';
      process.stdout.write = ((chunk: string) => { text += chunk; return true; }) as typeof process.stdout.write;
      process.stderr.write = ((chunk: string) => { text += chunk; return true; }) as typeof process.stderr.write;
      try {
        return { code: await main(['node', 'forager', ...args]), text };
      } finally {
        process.stdout.write = out;
        process.stderr.write = err;
      }
    };
    const empty = await capture(['import', 'swe-agent', join(FIXTURES, 'openhands'), '--out', join(dir, 'new', 'out')]);
    expect(empty.code).not.toBe(0);
    expect(empty.text).toContain(`nothing imported: no swe-agent files (*.traj) in ${join(FIXTURES, 'openhands')}`);
    expect(empty.text).not.toMatch(/ENOENT|at .*\.ts:\d+/);
    expect(JSON.parse(await readFile(join(dir, 'new', 'out', 'import-report.json'), 'utf8'))).toMatchObject({ files: 0, imported: 0 });
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, `${JSON.stringify({ messages: [] })}\n`);
    const invalid = await capture(['import', 'messages', bad, '--out', join(dir, 'other')]);
    expect(invalid.code).not.toBe(0);
    expect(invalid.text).toContain(`nothing imported: 1 record could not be imported; first problem: ${bad}:1: field "instance_id"`);
  });
});
