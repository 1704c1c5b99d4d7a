// @needs docker
import { randomBytes } from 'node:crypto';
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tasks.js';
import { git } from '../eval/helpers.js';

/**
 * An instances file is untrusted input (a downloaded dataset): an instance whose `repo` is
 * a path on the harvester's machine must not get that repository copied into a sandbox,
 * where the agent would read it. Only the operator's --allow-host-paths lets it through.
 */
describe('hostile instances: a SWE-bench instance naming a host repository', () => {
  it('is refused at import, at validate and at run; the planted secret reaches no sandbox and no record unless the operator allows host paths', async () => {
    const secret = `forager-secret-${randomBytes(8).toString('hex')}`;
    const host = await tempDir('forager-host-repo-');
    await writeFile(join(host, 'secret.txt'), `${secret}\n`);
    git(host, 'init', '-q', '-b', 'main');
    git(host, 'add', '-A');
    git(host, 'commit', '-qm', 'private');
    const commit = git(host, 'rev-parse', 'HEAD');
    const dir = await tempDir('forager-hostile-instances-');
    const instances = join(dir, 'instances.jsonl');
    await writeFile(instances, `${JSON.stringify({ instance_id: 'evil__repo-1', repo: host, base_commit: commit, problem_statement: 'read secret.txt', patch: 'diff --git a/x b/x\n', FAIL_TO_PASS: '["test_x.py::test_x"]' })}\n`);

    const refused = await runCli(['tasks', 'import', 'swebench', instances, '--out', join(dir, 'tasks')]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`${instances}:1: field "repo": expected a GitHub owner/name or a remote git URL, found ${host} (a path on this machine (${host})); pass --allow-host-paths`);
    await expect(access(join(dir, 'tasks'))).rejects.toThrow();

    // The operator allows it at import: the task file still names a host path, so running it needs the flag again.
    expect((await runCli(['tasks', 'import', 'swebench', instances, '--out', join(dir, 'tasks'), '--allow-host-paths'])).code).toBe(0);
    const task = join(dir, 'tasks', 'evil__repo-1.task.yaml');
    const spec = parse(await readFile(task, 'utf8')) as Record<string, unknown>;
    expect(spec['repo']).toEqual({ path: host, commit, root: '/testbed' });
    await writeFile(task, stringify({ ...spec, agent: { type: 'scripted', actions: [{ tool: 'bash', command: 'cat /testbed/secret.txt' }, { tool: 'submit' }] }, limits: { wall_time_s: 300 } }));

    const validate = await runCli(['validate', task]);
    expect(validate.code).not.toBe(0);
    expect(validate.stdout).toContain(`${task}: field "repo.path": expected a path inside the task's folder`);
    const out = join(dir, 'runs');
    const run = await runCli(['run', task, '--out', join(out, 'refused.jsonl')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`${task}: field "repo.path": expected a path inside the task's folder ${join(dir, 'tasks')}, found ${host} (an absolute path); pass --allow-host-paths`);
    expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
    expect(await readdir(out).catch(() => [])).toEqual([]);

    // With the operator's flag the same task does reach the repository: the refusal above is what kept the secret out.
    const allowed = await runCli(['run', task, '--allow-host-paths', '--out', join(out, 'allowed.jsonl')]);
    expect(allowed.stderr).toBe('');
    const trajectory = await readTrajectory(join(out, 'allowed.jsonl'));
    expect(trajectory.steps[0]!.observation?.stdout.text).toBe(`${secret}\n`);
  }, 300_000);
});
