import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importTrajectories } from '../../src/import/index.js';
import { readDatasetTrajectory } from '../../src/trajectory/dataset-reader.js';
import { makeTempDir } from '../export/fixtures.js';

/**
 * ATIF files Harbor itself wrote (its integration tests' golden trajectories and real job
 * trials) and a v1.7 multi-agent file another producer wrote to Harbor's models (sources in
 * fixtures/atif-harbor-real/README.md), against what expected.py read from each with json
 * only: every step, call, action text and observation, compared byte for byte.
 */
const ROOT = fileURLToPath(new URL('./fixtures/atif-harbor-real', import.meta.url));
const SOURCES = join(ROOT, 'sources');

interface ExpectedCall { id: string; name: string; arguments: Record<string, unknown> }
interface ExpectedStep { source_step: number; text: string | null; call: ExpectedCall | null; shown: string }
interface Expected {
  schema_version: string; id: string | null; system_prompt: string | null; instruction: string;
  copied_context_steps: number; other_steps: unknown[]; images: number; subagent_refs: number;
  steps: ExpectedStep[]; subagents: Expected[];
}

/** The forager action each of Harbor's tool names is, from a call's arguments as the file holds them. */
function actionOf(call: ExpectedCall | null): unknown {
  if (!call) return null;
  const args = call.arguments;
  switch (call.name) {
    case 'bash_command': return { tool: 'bash', command: args['keystrokes'] ?? args['command'] };
    case 'terminal_run_command': return { tool: 'bash', command: args['command'] };
    case 'mark_task_complete': return { tool: 'submit' };
    case 'finish': return { tool: 'submit', result: args['message'] };
    case 'str_replace_editor': return args['command'] === 'create' ? { tool: 'create', path: args['path'], content: args['file_text'] } : undefined;
    case 'shell': return { tool: 'bash', command: args['command'] };
    case 'worker': return null;
    // navigator's computer_* tools have no forager action: the call is kept with its arguments.
    default: return call.name.startsWith('computer_') ? null : undefined;
  }
}

describe('import atif: the files Harbor wrote', () => {
  it('imports every golden and job trajectory with each step, call, action text and observation as the file holds them', async () => {
    const out = await makeTempDir('forager-atif-harbor-');
    const report = await importTrajectories('atif', [SOURCES], out);
    expect(report.invalidRecords).toEqual([]);
    const counted = { files: 0, steps: 0, calls: 0, actions: 0, shown: 0, turns: 0 };
    const expectedTotals = { steps: 0, calls: 0 };
    for (const written of report.written) {
      const t = await readDatasetTrajectory(written);
      const source = (t.header as { source?: { path: string; extra?: Record<string, unknown> } }).source!;
      const document = JSON.parse(await readFile(join(ROOT, 'expected', relative(SOURCES, source.path)), 'utf8')) as Expected;
      // An embedded v1.7 subagent is its own trajectory, naming where it stood in its parent.
      const field = source.extra?.['parent_field'] as string | undefined;
      const expected = field ? field.split('.').reduce<Expected>((e, part) => (part === 'subagent_trajectories' ? e : e.subagents[Number(part)]!), document) : document;
      const label = `${relative(SOURCES, source.path)}${field ? ` ${field}` : ''}`;
      counted.files += 1;
      expectedTotals.steps += expected.steps.length;
      expectedTotals.calls += expected.steps.filter((s) => s.call).length;
      expect(t.header.trajectory_id, label).toBe(expected.id);
      expect(t.header.task.instruction, label).toBe(expected.instruction);
      expect((t.header.agent as { system_prompt?: string }).system_prompt, label).toBe(expected.system_prompt ?? undefined);
      const extra = source.extra ?? {};
      expect(extra['schema_version'], label).toBe(expected.schema_version);
      expect(extra['copied_context_steps'] ?? 0, label).toBe(expected.copied_context_steps);
      expect(extra['other_steps'] ?? [], label).toEqual(expected.other_steps);
      expect((extra['images'] as unknown[] | undefined)?.length ?? 0, label).toBe(expected.images);
      expect((extra['subagent_refs'] as unknown[] | undefined)?.length ?? 0, label).toBe(expected.subagent_refs);
      expect(t.steps.length, label).toBe(expected.steps.length);
      let turnCalls: unknown[] | undefined;
      t.steps.forEach((step, i) => {
        const want = expected.steps[i]!;
        const where = `${label} step ${i} (source step ${want.source_step})`;
        counted.steps += 1;
        if (want.text !== null) {
          // The first step of an answer carries the model's turn: its text, and all its calls as written.
          counted.turns += 1;
          expect(step.model?.raw_text, where).toBe(want.text);
          turnCalls = step.model?.tool_calls;
        } else {
          expect(step.model, where).toBeUndefined();
        }
        if (want.call) {
          counted.calls += 1;
          expect(step.tool_call_id, where).toBe(want.call.id);
          expect(turnCalls, where).toContainEqual({ id: want.call.id, name: want.call.name, arguments: JSON.stringify(want.call.arguments) });
        }
        const action = actionOf(want.call);
        expect(action, `${where}: a tool name this test does not know: ${want.call?.name}`).not.toBeUndefined();
        expect(step.action, where).toEqual(action);
        if (action !== null) counted.actions += 1;
        expect(step.shown, where).toBe(want.shown);
        counted.shown += want.shown.length;
      });
    }
    // Counted, not sampled: every file and every step of every file was compared.
    expect(counted.files).toBe(report.imported);
    expect(counted.files).toBe(14);
    expect(counted.steps).toBe(expectedTotals.steps);
    expect(counted.calls).toBe(expectedTotals.calls);
    console.log(`ATIF: ${counted.files} trajectories, ${counted.steps} steps (${counted.turns} model turns), ${counted.calls} tool calls, ${counted.actions} actions, ${counted.shown} characters shown — all equal to the source`);
  });

  it('the files of one trial take its name and its other JSON files are listed as not ATIF; copied context is counted; a summarisation\'s handoff and subagent references are kept where they stood', async () => {
    const out = await makeTempDir('forager-atif-harbor-');
    const golden = join(SOURCES, 'golden');
    // Laid out as Harbor writes a trial: <trial>/agent/trajectory.json and trajectory.cont-1.json beside it.
    const agent = join(out, 'jobs', 'hello-world__Ab3dE9f', 'agent');
    await mkdir(agent, { recursive: true });
    await copyFile(join(golden, 'hello-world-context-summarization-linear-history.trajectory.json'), join(agent, 'trajectory.json'));
    await copyFile(join(golden, 'hello-world-context-summarization-linear-history.trajectory.cont-1.json'), join(agent, 'trajectory.cont-1.json'));
    await copyFile(join(golden, 'openhands-hello-world.trajectory.json'), join(out, 'jobs', 'openhands.json'));
    // A trial's config.json and result.json sit beside: found in the folder, they are listed as not ATIF, not imported nor invalid.
    const config = join(out, 'jobs', 'hello-world__Ab3dE9f', 'config.json');
    await writeFile(config, JSON.stringify({ trial_name: 'hello-world__Ab3dE9f', agent: { name: 'terminus-2' } }));
    await writeFile(join(out, 'jobs', 'hello-world__Ab3dE9f', 'result.json'), JSON.stringify({ verifier_result: { rewards: { reward: 1 } } }));
    const report = await importTrajectories('atif', [join(out, 'jobs')], join(out, 'imported'));
    expect(report.invalidRecords).toEqual([]);
    expect(report).toMatchObject({ files: 5, imported: 3, invalid: 0, otherFormat: 2, otherFormatRecords: [config, join(out, 'jobs', 'hello-world__Ab3dE9f', 'result.json')] });
    // Named on the command line, the same file is read as ATIF, and says why it is not.
    const named = await importTrajectories('atif', [config], join(out, 'named'));
    expect(named.invalidRecords.map((r) => r.error)).toEqual([`${config}: field "schema_version": expected one of ATIF-v1.0, ATIF-v1.1, ATIF-v1.2, ATIF-v1.3, ATIF-v1.4, ATIF-v1.5, ATIF-v1.6, ATIF-v1.7, ATIF-v1.8, found nothing`]);
    const byPath = new Map((await Promise.all(report.written.map(readDatasetTrajectory))).map((t) => [relative(join(out, 'jobs'), (t.header as { source?: { path: string } }).source!.path), t]));
    const head = byPath.get(join('hello-world__Ab3dE9f', 'agent', 'trajectory.json'));
    const cont = byPath.get(join('hello-world__Ab3dE9f', 'agent', 'trajectory.cont-1.json'));
    const openhands = byPath.get('openhands.json');
    expect([head?.header.task.id, cont?.header.task.id]).toEqual(['hello-world__Ab3dE9f', 'hello-world__Ab3dE9f']);
    expect((cont!.header as { source?: { extra?: Record<string, unknown> } }).source!.extra).toMatchObject({ copied_context_steps: 4 });
    expect(cont!.steps).toHaveLength(4);
    const headSource = (head!.header as { source?: { extra?: Record<string, unknown> } }).source!;
    expect(headSource.extra).toMatchObject({
      continued_trajectory_ref: 'trajectory.cont-1.json',
      other_steps: [{ step: 4, source: 'system', message: 'Performed context summarization and handoff to continue task.' }],
      subagent_refs: [
        { step: 4, result: 0, session_id: 'test-session-linear-history-summarization-1-summary', trajectory_path: 'trajectory.summarization-1-summary.json', extra: { summary: 'Context summarization 1: Step 1 - Summary generation' } },
        { step: 4, result: 0, session_id: 'test-session-linear-history-summarization-1-questions', trajectory_path: 'trajectory.summarization-1-questions.json' },
        { step: 4, result: 0, session_id: 'test-session-linear-history-summarization-1-answers', trajectory_path: 'trajectory.summarization-1-answers.json' },
      ],
    });
    // The summarisation notice is not the agent's system prompt: the prompt came in the first user step.
    expect((head!.header.agent as { system_prompt?: string }).system_prompt).toBeUndefined();
    // OpenHands' later system steps (a recall, workspace context) are kept, in order.
    expect((openhands!.header as { source?: { extra?: Record<string, unknown> } }).source!.extra!['other_steps']).toEqual([
      { step: 2, source: 'system', message: 'Retrieving content for: Create a file called hello.txt with "Hello, world!' },
      { step: 3, source: 'system', message: 'Added workspace context' },
    ]);
  });
});

describe('import atif: v1.7 and v1.8', () => {
  type Source = { path: string; extra?: Record<string, unknown> };
  const sourceOf = (t: { header: unknown }) => (t.header as { source?: Source }).source!;

  it('v1.7: embedded subagents are trajectories of their own naming their parent; trajectory_id is the id; step fields forager has no place for are kept', async () => {
    const out = await makeTempDir('forager-atif-v17-');
    const report = await importTrajectories('atif', [join(SOURCES, 'fast-agent', 'harbor_multiagent_v1_7.json')], out);
    expect(report).toMatchObject({ imported: 2, invalid: 0 });
    const [root, child] = await Promise.all(report.written.map(readDatasetTrajectory));
    expect([root!.header.trajectory_id, child!.header.trajectory_id]).toEqual(['traj_root_golden', 'traj_child_golden']);
    expect(child!.header.task.id).toBe(root!.header.task.id);
    expect(sourceOf(root!).extra).toMatchObject({
      schema_version: 'ATIF-v1.7', trajectory_id: 'traj_root_golden', session_id: 'harbor-golden-run', subagent_trajectories: ['traj_child_golden'],
      agent_extra: { target_agent: 'dev', provider: 'codexresponses' },
      final_metrics: { total_cached_tokens: 120, total_steps: 3, extra: { root_prompt_tokens: 230, root_completion_tokens: 40, subagent_prompt_tokens: 20, subagent_completion_tokens: 10 } },
      subagent_refs: [{ step: 1, result: 1, trajectory_id: 'traj_child_golden', session_id: 'harbor-golden-run' }],
      step_fields: [
        { step: 1, reasoning_effort: 'high', llm_call_count: 1, observation_results: { 0: { extra: { is_error: false } }, 1: { extra: { is_error: false } } } },
        { step: 2, reasoning_effort: 'high', llm_call_count: 1 },
      ],
    });
    expect(sourceOf(child!).extra).toMatchObject({ parent_trajectory_id: 'traj_root_golden', parent_field: 'subagent_trajectories.0', step_fields: [{ step: 1, llm_call_count: 1 }] });
    // ATIF's cached tokens are part of its prompt tokens, as forager's cache reads are.
    expect(root!.steps[0]!.model?.usage).toEqual({ prompt_tokens: 100, completion_tokens: 25, total_tokens: 125, cache_read_tokens: 40 });
  });

  const doc = (version: string, steps: unknown[], more: Record<string, unknown> = {}) => ({ schema_version: version, session_id: 's-1', agent: { name: 'a', version: '1' }, steps, ...more });
  async function importOne(value: unknown) {
    const dir = await makeTempDir('forager-atif-v18-');
    await writeFile(join(dir, 'doc.json'), JSON.stringify(value));
    const report = await importTrajectories('atif', [join(dir, 'doc.json')], join(dir, 'out'));
    return { report, path: join(dir, 'doc.json'), trajectories: await Promise.all(report.written.map(readDatasetTrajectory)) };
  }

  it('v1.8: audio content parts are listed with their duration, text parts kept in order', async () => {
    const { report, trajectories: [t] } = await importOne(doc('ATIF-v1.8', [
      { step_id: 1, source: 'user', message: [{ type: 'text', text: 'Transcribe ' }, { type: 'audio', source: { media_type: 'audio/mpeg', path: 'audio/q.mp3', duration_sec: 4.5 } }, { type: 'text', text: 'this.' }] },
      { step_id: 2, source: 'agent', message: 'ok', tool_calls: [{ tool_call_id: 'c1', function_name: 'bash', arguments: { command: 'whisper q.mp3' } }],
        observation: { results: [{ source_call_id: 'c1', content: [{ type: 'text', text: 'hello' }, { type: 'image', source: { media_type: 'image/png', path: 'spec.png' } }] }] } },
    ], { session_id: null, trajectory_id: 't-18' }));
    expect(report.invalidRecords).toEqual([]);
    expect(t!.header.trajectory_id).toBe('t-18');
    expect(t!.header.task.instruction).toBe('Transcribe this.');
    expect(t!.steps.map((s) => [s.action, s.shown])).toEqual([[{ tool: 'bash', command: 'whisper q.mp3' }, 'hello']]);
    expect(sourceOf(t!).extra).toMatchObject({
      audio: [{ step: 0, field: 'message', media_type: 'audio/mpeg', path: 'audio/q.mp3', duration_sec: 4.5 }],
      images: [{ step: 1, field: 'observation.results.0.content', media_type: 'image/png', path: 'spec.png' }],
    });
  });

  it('names the file, field and expectation of what no ATIF version holds', async () => {
    const cases: [unknown, string][] = [
      [doc('ATIF-v1.9', []), 'field "schema_version": expected one of ATIF-v1.0, ATIF-v1.1, ATIF-v1.2, ATIF-v1.3, ATIF-v1.4, ATIF-v1.5, ATIF-v1.6, ATIF-v1.7, ATIF-v1.8, found "ATIF-v1.9"'],
      [doc('ATIF-v1.6', [], { session_id: null }), 'field "session_id": expected a non-empty string, found null'],
      [doc('ATIF-v1.8', [{ step_id: 1, source: 'user', message: [{ type: 'video', source: { path: 'v.mp4' } }] }]), 'field "steps.0.message.0.type": expected "text", "image" or "audio", found "video"'],
      [doc('ATIF-v1.7', [], { subagent_trajectories: [doc('ATIF-v1.7', [])] }), 'field "subagent_trajectories.0.trajectory_id": expected a non-empty string (every embedded subagent names itself), found nothing'],
      [doc('ATIF-v1.7', [], { subagent_trajectories: [doc('ATIF-v1.7', [], { trajectory_id: 'x' }), doc('ATIF-v1.7', [], { trajectory_id: 'x' })] }), 'field "subagent_trajectories.1.trajectory_id": expected an id unique among subagent_trajectories, found "x" twice'],
      [doc('ATIF-v1.5', [{ step_id: 1, source: 'agent', message: '', tool_calls: [{ tool_call_id: 'c', function_name: 'bash', arguments: 'ls' }] }]), 'field "steps.0.tool_calls.0.arguments": expected an object, found "ls"'],
      [doc('ATIF-v1.7', [], { subagent_trajectories: [doc('ATIF-v1.8', [{ step_id: 1, source: 'agent', message: [{ type: 'text' }] }], { trajectory_id: 'x' })] }), 'field "subagent_trajectories.0.steps.0.message.0.text": expected a string, found nothing'],
    ];
    for (const [value, error] of cases) {
      const { report, path } = await importOne(value);
      expect(report.written).toEqual([]);
      expect(report.invalidRecords.map((r) => r.error)).toEqual([`${path}: ${error}`]);
    }
  });
});
