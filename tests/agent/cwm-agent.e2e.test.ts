// @needs docker
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCwmEdit } from '../../src/agent/formats/cwm/index.js';
import { runTask } from '../../src/runner/index.js';
import { loadTask } from '../../src/task/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { completion, startChatServer, type ChatServer } from '../model/support/chat-server.js';
import { containersOf, testProvider } from '../helpers/docker.js';
import { BASE_IMAGE } from '../helpers/images.js';

// The model is the only stand-in: a local chat-completions server. Docker is real.
const BUGGY = 'def add(a, b):\n    return a - b\n';
let root: string;
let server: ChatServer | undefined;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'forager-cwm-e2e-'));
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

const say = (content: string) => ({ body: completion({ content, usage: { prompt_tokens: 100, completion_tokens: 20 } }) });

describe("a model-driven run in CWM's environment, in a real sandbox", () => {
  it('edits, creates and submits a patch file with CWM rules and answers, and ends on the final answer', async () => {
    const search = '    return a - b';
    server = await startChatServer([
      say('<tool: bash>\necho out; echo err >&2\n</tool>'),
      say(`<tool: edit>\ncalc.py\n<<<<<<< SEARCH\n${search}\n=======\n    return a + b\n>>>>>>> REPLACE\n</tool>`),
      say('<tool: create>\nno/such/notes.md\nx\n</tool>'),
      say('<tool: create>\nNOTES.md\nfixed add\n</tool>'),
      say('<tool: view>\ncalc.py\n</tool>'),
      say('<tool: bash>\ngit diff > /tmp/fix.patch\n</tool>'),
      say('<tool: submit>\n/tmp/fix.patch\n</tool>'),
      say('## Summary\n\nadd() subtracted; it adds now.'),
    ]);
    const dir = join(root, 'cwm-run');
    await mkdir(dir, { recursive: true });
    const task = {
      id: 'cwm-run', instruction: 'add() subtracts.', image: { ref: BASE_IMAGE }, workdir: '/work',
      files: [{ path: 'calc.py', content: BUGGY }],
      setup: ['git init -q && git add -A && git -c user.email=t@f -c user.name=t commit -qm base'],
      agent: { type: 'model', base_url: server.url, model: 'scripted-model', tool_format: 'cwm', cwm: { strict: false } },
      limits: { action_timeout_s: 30 },
    };
    await writeFile(join(dir, 'task.json'), JSON.stringify(task));
    const runId = `cwm-e2e-${process.pid}`;
    await runTask(await loadTask(join(dir, 'task.json')), { provider: testProvider(), out: join(dir, 't.jsonl'), runId });
    expect(await containersOf(runId)).toEqual([]);
    const { steps, footer } = await readTrajectory(join(dir, 't.jsonl'));

    const outputs = steps.map((s) => /^<output>\n([\s\S]*)\n<\/output>\n\n<budget>\n\* Remaining turns: (\d+)\n/.exec(s.shown)?.slice(1));
    expect(outputs[0]).toEqual(['out\nerr\n', '127']);
    const edited = applyCwmEdit(BUGGY, 'calc.py', search, '    return a + b');
    expect(outputs[1]).toEqual([`${edited.message}\n`, '126']);
    expect(outputs[2]![0]).toBe('File creation failed. The parent directory /work/no/such does not exist.\n');
    expect(outputs[3]![0]).toBe('File created successfully at: NOTES.md (1 lines).\n');
    expect(steps[4]!.shown).toBe("NoSuchToolError: Tool 'view' not found.");
    expect(outputs[6]![0]).toMatch(/^The following patch content is marked as your final submission:\n\n<submission>\ndiff --git a\/calc.py b\/calc.py\n[\s\S]*\+    return a \+ b\n\n<\/submission>\n\nReview the patch content/);
    expect(steps.map((s) => s.action?.tool ?? null)).toEqual(['bash', 'edit', 'create', 'create', null, 'bash', 'submit', null]);
    expect(steps[1]!.state?.changes).toEqual([expect.objectContaining({ path: '/work/calc.py', change: 'modified' })]);
    expect(footer).toMatchObject({ exit_status: 'submitted', submission: expect.stringMatching(/^diff --git/) });
  });

  it('answers an edit of a directory, of a file that is not UTF-8, and with empty search lines as CWM\'s plugin answered in the same image', async () => {
    const runs = (JSON.parse(await readFile(join(import.meta.dirname, '../fixtures/cwm/plugin-runs/edit-tracebacks.json'), 'utf8')) as { cases: { case: string; output: string }[] }).cases;
    const expected = ['directory', 'invalid-start-byte', 'empty-search-many-lines', 'empty-search-one-line'].map((name) => runs.find((r) => r.case === name)!.output);
    const edit = (path: string, search: string, replace: string) => say(`<tool: edit>\n${path}\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE\n</tool>`);
    const odd = await startChatServer([edit('adir', 'x', 'y'), edit('start.txt', 'ab', 'AB'), edit('two.txt', '', 'zero'), edit('solo.txt', '', 'first'), say('done')]);
    const dir = join(root, 'cwm-odd');
    await mkdir(dir, { recursive: true });
    const task = {
      id: 'cwm-odd', instruction: 'Edit odd files.', image: { ref: BASE_IMAGE }, workdir: '/testbed',
      setup: ["mkdir adir && printf 'ab\\xffcd\\n' > start.txt && printf 'one\\ntwo\\n' > two.txt && printf 'solo' > solo.txt"],
      agent: { type: 'model', base_url: odd.url, model: 'scripted-model', tool_format: 'cwm' },
      limits: { action_timeout_s: 30, max_steps: 5 },
    };
    await writeFile(join(dir, 'task.json'), JSON.stringify(task));
    try {
      await runTask(await loadTask(join(dir, 'task.json')), { provider: testProvider(), out: join(dir, 't.jsonl'), runId: `cwm-odd-${process.pid}` });
    } finally {
      await odd.close();
    }
    const { steps } = await readTrajectory(join(dir, 't.jsonl'));
    expect(steps.slice(0, 4).map((s) => /^<output>\n([\s\S]*)\n<\/output>\n\n<budget>/.exec(s.shown)?.[1])).toEqual(expected);
    expect(steps[0]!.observation).toMatchObject({ exit_code: 1, stdout: { bytes: 0 } });
  });
});
