import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTaskFiles, loadTask } from '../../src/task/index.js';

async function taskFile(content: string, name = 'task.yaml'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'forager-task-'));
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

const minimal = `id: t1
instruction: do it
image: python
agent: { type: scripted, actions: [{ tool: bash, command: "true" }] }
`;

describe('loadTask', () => {
  it('fills in defaults and hashes the task', async () => {
    const task = await loadTask(await taskFile(minimal));
    expect(task.spec.workdir).toBe('/work');
    expect(task.spec.limits).toEqual({});
    expect(task.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the file, the field, what was expected and what was found', async () => {
    const path = await taskFile(minimal.replace('instruction: do it', 'instruction: do it\nlimits: { memory_mb: "2g" }'));
    await expect(loadTask(path)).rejects.toThrow(new RegExp(`${path}: field "limits.memory_mb": .*expected number.*found "2g"`));
  });

  it('refuses unknown keys', async () => {
    const path = await taskFile(`${minimal}colour: blue\n`);
    await expect(loadTask(path)).rejects.toThrow(/field "colour": unknown key/);
  });

  it('refuses an action of an unknown tool', async () => {
    const path = await taskFile(minimal.replace('tool: bash, command: "true"', 'tool: rm'));
    await expect(loadTask(path)).rejects.toThrow(/field "agent.actions.0.tool"/);
  });

  it('says when YAML does not parse', async () => {
    const path = await taskFile('id: [unclosed');
    await expect(loadTask(path)).rejects.toThrow(/not valid YAML/);
  });

  it('reads files and folders next to the task, and the hash follows their content', async () => {
    const path = await taskFile(`${minimal}files:\n  - { path: src, from: repo }\n  - { path: /etc/x.conf, content: "k=v" }\n`);
    const dir = join(path, '..');
    await mkdir(join(dir, 'repo', 'pkg'), { recursive: true });
    await writeFile(join(dir, 'repo', 'pkg', 'mod.py'), 'x = 1\n');
    const first = await loadTask(path);
    expect(first.files.map((f) => f.path)).toEqual(['/work/src/pkg/mod.py', '/etc/x.conf']);
    await writeFile(join(dir, 'repo', 'pkg', 'mod.py'), 'x = 2\n');
    expect((await loadTask(path)).hash).not.toBe(first.hash);
  });

  it('reports a missing folder by its field', async () => {
    const path = await taskFile(`${minimal}files:\n  - { path: src, from: nowhere }\n`);
    await expect(loadTask(path)).rejects.toThrow(/field "files.0.from": expected a file or folder/);
  });
});

describe('findTaskFiles', () => {
  it('finds task files in folders and ignores other YAML', async () => {
    const path = await taskFile(minimal);
    const dir = join(path, '..');
    await writeFile(join(dir, 'other.yaml'), 'not: a task');
    await writeFile(join(dir, 'b.task.json'), '{}');
    expect((await findTaskFiles([dir])).map((p) => p.slice(dir.length + 1))).toEqual(['b.task.json', 'task.yaml']);
  });
});
