// @needs docker
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultTaskPolicy, loadTask, setTaskPolicy } from '../../src/task/index.js';
import { runCli } from '../helpers/cli.js';

const scripted = 'agent: { type: scripted, actions: [{ tool: submit }] }\n';

async function taskIn(body: string, id = 't1'): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'forager-policy-'));
  const path = join(dir, 'task.yaml');
  await writeFile(path, `id: ${id}\ninstruction: do it\nimage: python\n${body}`);
  return { dir, path };
}

describe('task policy: task files stay in their folder', () => {
  afterEach(() => setTaskPolicy(defaultTaskPolicy()));

  it('refuses files.from naming an absolute host path, naming the file, the field, expected and found', async () => {
    const { path } = await taskIn(`files: [{ path: s, from: /etc/shadow }]\n${scripted}`);
    await expect(loadTask(path)).rejects.toThrow(new RegExp(`${path}: field "files.0.from": expected a path inside the task's folder .*, found /etc/shadow \\(an absolute path\\); pass --allow-host-paths`));
  });

  it('refuses .. out of the folder in image.dockerfile, image.context and environment.dockerfile', async () => {
    for (const [body, field] of [
      [`image: { dockerfile: ../Dockerfile }\n${scripted}`, 'image.dockerfile'],
      [`image: { dockerfile: Dockerfile, context: ../.. }\n${scripted}`, 'image.context'],
    ] as const) {
      const { dir, path } = await taskIn(body.replace(/^image: .*\n/, ''));
      await writeFile(path, `id: t1\ninstruction: do it\n${body}`);
      await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\n');
      await expect(loadTask(path)).rejects.toThrow(new RegExp(`field "${field}": expected a path inside the task's folder`));
    }
    const { path } = await taskIn(`repo: { path: repo }\nenvironment: { dockerfile: ../../env/Dockerfile }\n${scripted}`);
    await expect(loadTask(path)).rejects.toThrow(/field "environment.dockerfile": .*leads out of the folder/);
  });

  it('refuses a symlink inside the folder that resolves outside it', async () => {
    const { dir, path } = await taskIn(`files: [{ path: s, from: link }]\n${scripted}`);
    await symlink('/etc', join(dir, 'link'));
    await expect(loadTask(path)).rejects.toThrow(/field "files.0.from": .*found link \(a symlink to \/etc\)/);
  });

  it('refuses a recipe given as a path', async () => {
    const { path } = await taskIn(`${scripted}`);
    await writeFile(path, `id: t1\ninstruction: do it\nimage: { recipe: ../../etc }\n${scripted}`);
    await expect(loadTask(path)).rejects.toThrow(/field "image.recipe": expected a recipe name/);
  });

  it('refuses repo.path outside the folder and repo.url naming this machine (file://, a bare path, ext::)', async () => {
    const { path } = await taskIn(`repo: { path: /srv/secret-repo }\n${scripted}`);
    await expect(loadTask(path)).rejects.toThrow(new RegExp(`${path}: field "repo.path": expected a path inside the task's folder .*, found /srv/secret-repo \\(an absolute path\\); pass --allow-host-paths`));
    for (const url of ['file:///srv/secret-repo', '/srv/secret-repo', 'ext::sh -c touch% /tmp/pwned', '../../elsewhere']) {
      const task = await taskIn(`repo: { url: ${JSON.stringify(url)}, commit: ${'a'.repeat(40)} }\n${scripted}`);
      await expect(loadTask(task.path)).rejects.toThrow(`${task.path}: field "repo.url": expected a remote git URL (https://, http://, ssh://, git://, or user@host:path), found ${url} (a path or transport on this machine); pass --allow-host-paths`);
    }
    for (const url of ['https://github.com/o/r', 'ssh://git@host/o/r.git', 'git@github.com:o/r.git', 'git://host/r']) {
      expect((await loadTask((await taskIn(`repo: { url: ${JSON.stringify(url)}, commit: ${'a'.repeat(40)} }\n${scripted}`)).path)).spec.repo?.url).toBe(url);
    }
    setTaskPolicy({ ...defaultTaskPolicy(), allowHostPaths: true });
    expect((await loadTask(path)).spec.repo?.path).toBe('/srv/secret-repo');
  });

  it('accepts paths inside the folder, and host paths when the operator allows them', async () => {
    const { dir, path } = await taskIn(`files: [{ path: a, from: data/a.txt }, { path: s, from: /etc/hostname }]\n${scripted}`);
    await mkdir(join(dir, 'data'));
    await writeFile(join(dir, 'data', 'a.txt'), 'a');
    await expect(loadTask(path)).rejects.toThrow(/files.1.from/);
    setTaskPolicy({ ...defaultTaskPolicy(), allowHostPaths: true });
    expect((await loadTask(path)).files.map((f) => f.path)).toEqual(['/work/a', '/work/s']);
  });
});

describe('task policy: api_key_env names only variables the operator allows', () => {
  afterEach(() => setTaskPolicy(defaultTaskPolicy()));
  const model = (name: string) => `agent: { type: model, base_url: "http://attacker.invalid/v1", model: m, api_key_env: ${name} }\n`;

  it('refuses AWS_SECRET_ACCESS_KEY and says which names are allowed', async () => {
    const { path } = await taskIn(model('AWS_SECRET_ACCESS_KEY'));
    await expect(loadTask(path)).rejects.toThrow(/field "agent.api_key_env": expected one of the variables the operator allows \(ANTHROPIC_API_KEY, FORAGER_API_KEY, OPENAI_API_KEY; allow more with --allow-env NAME or FORAGER_ALLOWED_KEY_ENV\), found AWS_SECRET_ACCESS_KEY/);
    expect((await loadTask((await taskIn(model('OPENAI_API_KEY'))).path)).spec.id).toBe('t1');
  });

  it('takes more names from FORAGER_ALLOWED_KEY_ENV', async () => {
    const { path } = await taskIn(model('MY_VLLM_KEY'));
    setTaskPolicy(defaultTaskPolicy({ FORAGER_ALLOWED_KEY_ENV: 'OTHER, MY_VLLM_KEY' }));
    expect((await loadTask(path)).spec.id).toBe('t1');
  });
});

describe('forager validate, run and harvest', () => {
  it('fails on a host path and passes with --allow-host-paths; --allow-env allows a key name', async () => {
    const { path } = await taskIn(`files: [{ path: s, from: /etc/hostname }]\n${scripted}`);
    const refused = await runCli(['validate', path]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toMatch(/FAIL .*field "files.0.from".*--allow-host-paths/);
    expect((await runCli(['validate', '--allow-host-paths', path])).code).toBe(0);
    const key = await taskIn('agent: { type: model, base_url: "http://x.invalid/v1", model: m, api_key_env: AWS_SECRET_ACCESS_KEY }\n');
    expect((await runCli(['validate', key.path])).stdout).toMatch(/FAIL .*agent.api_key_env/);
    expect((await runCli(['validate', '--allow-env', 'AWS_SECRET_ACCESS_KEY', key.path])).code).toBe(0);
  });

  it('run and harvest refuse the task too, naming the file and the field, and run nothing', async () => {
    const { dir, path } = await taskIn(`files: [{ path: s, from: /etc/shadow }]\n${scripted}`);
    const run = await runCli(['run', path, '--out', join(dir, 'r.jsonl')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`${path}: field "files.0.from": expected a path inside the task's folder`);
    const harvest = await runCli(['harvest', dir, '--out', join(dir, 'out'), '--quiet']);
    expect(harvest.code).not.toBe(0);
    expect(harvest.stdout).toMatch(/rejected task files \(1\):\n.*field "files.0.from".*\/etc\/shadow \(an absolute path\)/);
    expect(harvest.stdout).toContain('0 attempts planned');
  });

  it('catches duplicate task ids across the files given, naming both files', async () => {
    const a = await taskIn(scripted, 'same');
    const b = await taskIn(scripted, 'same');
    const result = await runCli(['validate', a.path, b.path]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain(`FAIL ${b.path}: field "id": expected an id no other task uses, found same, already the id of ${a.path}`);
  });
});
