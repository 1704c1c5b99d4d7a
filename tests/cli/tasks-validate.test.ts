// @needs docker
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeProject, WRONG, writeRepoTask } from '../eval/helpers.js';
import { docker } from '../docker/images/helpers.js';

const made: string[] = [];
const commits: string[] = [];
// The CLI builds into the default repositories: remove the task layers of this run's project.
afterAll(async () => {
  for (const commit of commits) {
    for (const image of await docker.listImages({ filters: { label: [`forager.repo.commit=${commit}`] } })) {
      for (const tag of image.RepoTags ?? []) await docker.getImage(tag).remove().catch(() => undefined);
    }
  }
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('forager tasks validate', () => {
  it('proves the example repository task sound and a task whose gold patch is wrong unsound', async () => {
    const project = await makeProject();
    made.push(project.dir);
    commits.push(project.base);
    const unsound = await writeRepoTask(project.dir, project.base, { id: 'calc-wrong-gold', gold_patch: WRONG });
    const result = await runCli(['tasks', 'validate', 'tasks/repo-fix', unsound]);
    expect(result.stdout).toMatch(/^repo-fix\s+junit\s+resolved 1\/1\s+unresolved 0\/1\s+sound$/m);
    expect(result.stdout).toMatch(/^calc-wrong-gold\s+junit\s+unresolved 0\/1\s+unresolved 0\/1\s+UNSOUND: gold patch fails test_calc.py::test_add$/m);
    expect(result.stdout).toMatch(/^runner junit: 1 sound, 1 unsound$/m);
    expect(result.stdout).toContain('1 sound, 1 unsound');
    expect(result.code).toBe(1);
  });
});
