// @needs docker
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnvironment, createModelInstaller, envDir, INSTALL_SCRIPT, resolveRepo, TEST_COMMAND_FILE, type EnvRecord } from '../../src/env/index.js';
import { createProvider } from '../../src/providers/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { completion, startChatServer, type ChatServer, type ReceivedRequest, type ScriptedReply } from '../model/support/chat-server.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { REPO_BUNDLES } from '../helpers/repos.js';
import { tempDir } from '../helpers/tasks.js';
import { removeTestImages, TEST_REPOSITORY } from '../docker/images/helpers.js';

// The model-driven installer on hukkin/tomli at 920e20b (tests/fixtures/repos), the scripted one switched off.
// Two stand-ins for the model speak OpenAI function calling: one makes the suite run and writes it down;
// the other makes it run by hand in its own sandbox, writes a script that installs nothing, and says it is done.
const provider = createProvider('docker');
const runId = testRunId();
const tomli = REPO_BUNDLES.tomli;
const INSTALL = ['apt-get update -qq', 'apt-get install -y -qq --no-install-recommends python3-pytest', 'echo /testbed/src > /usr/lib/python3/dist-packages/tomli-src.pth'];

function bash(command: string): ScriptedReply {
  return { body: completion({ tool_calls: [{ name: 'bash', arguments: { command } }] }) };
}

function writeFiles(script: string[]): ScriptedReply {
  return bash(`mkdir -p .forager && printf '%s\\n' ${script.map((l) => `'${l}'`).join(' ')} > ${INSTALL_SCRIPT} && echo 'python3 -m pytest -rA -p no:cacheprovider tests' > ${TEST_COMMAND_FILE} && python3 -m pytest -q -p no:cacheprovider tests | tail -1`);
}

const submit = (result: string): ScriptedReply => ({ body: completion({ tool_calls: [{ name: 'submit', arguments: { result } }] }) });

const honest = [bash(INSTALL.join(' && ')), writeFiles(INSTALL), submit('the test suite runs: 16 passed')];
const liar = [bash(INSTALL.join(' && ')), writeFiles(['true']), submit('the test suite runs: 16 passed')];

async function install(script: ScriptedReply[], label: string): Promise<{ record: EnvRecord; server: ChatServer; out: string }> {
  const server = await startChatServer(script.map((reply) => (request: ReceivedRequest) => {
    void request;
    return reply;
  }));
  const out = await tempDir(`forager-model-install-${label}-`);
  try {
    const source = await resolveRepo({ location: tomli.path, name: tomli.name }, join(out, 'sources'));
    const record = await buildEnvironment(source, {
      provider, dir: envDir(out, source.key), runId, scripted: false, repository: TEST_REPOSITORY, testTimeoutS: 300,
      modelInstaller: createModelInstaller({ provider, out, overrides: { baseUrl: server.url, model: 'stand-in', toolFormat: 'openai' } }),
    });
    return { record, server, out };
  } finally {
    await server.close();
  }
}

let verified: Awaited<ReturnType<typeof install>>;
let lied: Awaited<ReturnType<typeof install>>;

beforeAll(async () => {
  verified = await install(honest, 'honest');
  lied = await install(liar, 'liar');
}, 1_800_000);

afterAll(async () => {
  await removeTestImages();
  await Promise.all([verified?.out, lied?.out].filter(Boolean).map((d) => rm(d!, { recursive: true, force: true })));
  expect(await containersOf(runId)).toEqual([]);
});

describe('the model-driven installer', () => {
  it('is verified when its script, rebuilt from scratch without the model, makes the suite run in two fresh containers', () => {
    const { record } = verified;
    expect(record).toMatchObject({ status: 'verified', installer: 'model', reason: null });
    expect(record.recipe).toMatchObject({ installer: 'model', apt: [], pip: null, install: { mode: 'script' }, test: { command: 'python3 -m pytest -rA -p no:cacheprovider tests', parser: 'pytest' } });
    expect(record.counts).toMatchObject({ PASSED: 16, flaky: 0 });
    expect(record.attempts).toEqual([expect.objectContaining({ installer: 'model', outcome: 'verified', trajectory: 'trajectories/hukkin__tomli-install/0.jsonl' })]);
  });

  it('records its work as a harvest trajectory, with the task it was given and the files it left in the patch', async () => {
    const trajectory = await readTrajectory(join(verified.out, 'trajectories', 'hukkin__tomli-install', '0.jsonl'));
    expect(trajectory.footer).toMatchObject({ exit_status: 'submitted' });
    expect(trajectory.header.task.instruction).toContain('Make the test suite of the repository at /testbed run');
    expect(trajectory.header.agent).toMatchObject({ type: 'model', model: { model: 'stand-in', tool_format: 'openai' } });
    expect(trajectory.header.limits.network).toBe('bridge');
    expect(trajectory.steps.map((s) => s.action?.tool)).toEqual(['bash', 'bash', 'submit']);
    expect(trajectory.footer!.patch).toContain(`+++ b/${INSTALL_SCRIPT}`);
    expect(verified.server.requests[0]!.body.messages.some((m: { content?: string }) => m.content?.includes('no PyPI'))).toBe(true);
  });

  it('is rejected when it claims success but its script installs nothing: the rebuilt image runs no test', async () => {
    const { record, out } = lied;
    expect(record.status).toBe('failed');
    expect(record.reason).toMatchObject({ code: 'ENV_DEPENDENCY_MISSING', message: expect.stringContaining('pytest') });
    expect(record.image).toBeNull();
    expect(record.attempts).toEqual([expect.objectContaining({ installer: 'model', outcome: 'failed' })]);
    // It did say it was done: its own sandbox ran the tests (installed by hand, outside its script).
    const trajectory = await readTrajectory(join(out, 'trajectories', 'hukkin__tomli-install', '0.jsonl'));
    expect(trajectory.footer).toMatchObject({ exit_status: 'submitted', submission: 'the test suite runs: 16 passed' });
    expect(trajectory.steps[1]!.observation!.stdout.text ?? '').toMatch(/16 passed/);
    expect(JSON.parse(await readFile(join(out, 'envs', 'hukkin__tomli', 'env.json'), 'utf8')).status).toBe('failed');
  });
});
