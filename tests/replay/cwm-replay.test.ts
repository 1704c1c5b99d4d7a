// @needs docker
import { testProvider } from '../helpers/docker.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTask } from '../../src/runner/index.js';
import { loadTask } from '../../src/task/index.js';
import { readTrajectory, type Trajectory } from '../../src/trajectory/reader.js';
import { completion, startChatServer, type ChatServer } from '../model/support/chat-server.js';
import { runCli } from '../helpers/cli.js';
import { BASE_IMAGE } from '../helpers/images.js';

// A run recorded in CWM's environment, replayed and forked on the real Docker engine; a local
// chat-completions server stands in for the model only.
const BUGGY = 'def add(a, b):\n    return a - b\n';
const say = (content: string) => ({ body: completion({ content, usage: { prompt_tokens: 100, completion_tokens: 20 } }) });
const servers: ChatServer[] = [];
let root: string;
let parentPath: string;
let parent: Trajectory;
let recorder: ChatServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'forager-cwm-replay-'));
  recorder = await startChatServer([
    say('<tool: bash>\necho out; echo err >&2; false\n</tool>'),
    say('<tool: edit>\ncalc.py\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE\n</tool>'),
    say('<tool: create>\ncalc.py\nx\n</tool>'),
    say('Let me look first, without a call.'),
    say('<tool: create>\nNOTES.md\nfixed add\n</tool>'),
    say('<tool: submit>\n/tmp/none.patch\n</tool>'),
    say('<tool: bash>\ngit diff > /tmp/fix.patch\n</tool>'),
    say('<tool: submit>\n/tmp/fix.patch\n</tool>'),
    say('## Summary\n\nadd() subtracted; it adds now.'),
  ]);
  servers.push(recorder);
  const task = {
    id: 'cwm-replay', instruction: 'add() subtracts.', image: { ref: BASE_IMAGE }, workdir: '/work',
    files: [{ path: 'calc.py', content: BUGGY }],
    setup: ['git init -q && git add -A && git -c user.email=t@f -c user.name=t commit -qm base'],
    agent: { type: 'model', base_url: recorder.url, model: 'recorded-model', tool_format: 'cwm', cwm: { strict: false } },
    limits: { action_timeout_s: 30, wall_time_s: 300, max_steps: 20 },
  };
  await writeFile(join(root, 'task.json'), JSON.stringify(task));
  parentPath = join(root, 'parent.jsonl');
  await runTask(await loadTask(join(root, 'task.json')), { provider: testProvider(), out: parentPath, runId: `cwm-replay-${process.pid}` });
  parent = await readTrajectory(parentPath);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(root, { recursive: true, force: true });
});

describe('replay of a run recorded in CWM\'s format', () => {
  it('recorded what CWM answers: the edit plugin\'s message, a refused create and submit, a format error, the final answer', () => {
    expect(parent.steps.map((s) => s.action?.tool ?? null)).toEqual(['bash', 'edit', 'create', null, 'create', 'submit', 'bash', 'submit', null]);
    expect(parent.steps[1]!.shown).toMatch(/^<output>\nFile calc\.py has been successfully updated at line 2/);
    expect(parent.steps[2]!.shown).toMatch(/^<output>\ncalc\.py already exists\./);
    expect(parent.steps[5]!.observation!.exit_code).not.toBe(0);
    expect(parent.footer).toMatchObject({ exit_status: 'submitted', submission: expect.stringMatching(/^diff --git a\/calc.py/) });
  });

  it('replay --verify carries every action out with CWM\'s rules and finds every observation identical, each shown as CWM showed it', async () => {
    const out = join(root, 'replay.jsonl');
    const result = await runCli(['replay', parentPath, '--verify', '--out', out]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const replayed = await readTrajectory(out);
    const acted = parent.steps.filter((s) => s.action !== null);
    expect(replayed.steps.map((s) => s.replay_of)).toEqual(acted.map((s) => s.index));
    // The same text with the same budget blocks: CWM's answers, its token ledger fed the recorded answers.
    expect(replayed.steps.map((s) => s.shown)).toEqual(acted.map((s) => s.shown));
    expect(replayed.steps[1]!.observation!.stdout.text).toMatch(/^File calc\.py has been successfully updated at line 2/);
  });

  it('replay --until K hands a CWM model the parent\'s conversation, and the run goes on by CWM\'s rules to a submitted patch', async () => {
    const server = await startChatServer([
      say('<tool: bash>\ngit diff > /tmp/child.patch\n</tool>'),
      say('<tool: submit>\n/tmp/child.patch\n</tool>'),
      say('## Summary\n\nThe child submitted.'),
    ]);
    servers.push(server);
    const out = join(root, 'child.jsonl');
    const result = await runCli(['replay', parentPath, '--until', '4', '--model-url', server.url, '--model', 'child-model', '--tool-format', 'cwm', '--out', out]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    // The child's first request is the parent's conversation after step 4, token budgets included.
    const recorded = recorder.requests[5]!.body.messages as unknown[];
    expect(server.requests[0]!.body.messages).toEqual(recorded);
    const child = await readTrajectory(out);
    expect(child.steps.slice(0, 5).map((s) => s.shown)).toEqual(parent.steps.slice(0, 5).map((s) => s.shown));
    expect(child.steps.slice(5).map((s) => s.action?.tool ?? null)).toEqual(['bash', 'submit', null]);
    expect(child.steps[6]!.shown).toMatch(/^<output>\nThe following patch content is marked as your final submission:\n\n<submission>\ndiff --git a\/calc.py/);
    expect(child.footer).toMatchObject({ exit_status: 'submitted', submission: expect.stringMatching(/^diff --git a\/calc.py/) });
  });
});
