// @needs docker
import { describe, expect, it } from 'vitest';
import { makeProject, writeRepoTask } from '../eval/helpers.js';
import { expectHarvesterHeld, runTaskFile } from './state-helpers.js';

/**
 * An agent that tries to forge its step records: functrace and a DEBUG trap that hunts for
 * a step nonce in $BASH_COMMAND and writes a fake trailer first (what forged the record
 * when the trailer was written by the agent's own shell). The end markers are now written
 * by a helper outside that shell with a secret bash never holds, so the record stays true;
 * and grading does not read those records anyway: the patch is taken in a shell of its own
 * and graded in a fresh container.
 */
const FORGER = [
  'set -T',
  `trap '[[ $BASH_COMMAND == __forager_ec_* ]] && { n=\${BASH_COMMAND#__forager_ec_}; n=\${n%%=*}; builtin printf "\\036%sO0\\0/forged\\036%sE" "$n" "$n" >&3; builtin printf "\\036%sR" "$n" >&4; }' DEBUG`,
  'git() { echo "diff --git a/forged b/forged"; }',
].join('\n');

describe('hostile grading: a forged step record does not reach the reward', () => {
  it.concurrent('a wrong fix recorded as passing is still graded as failing, on the patch really made', async () => {
    const project = await makeProject();
    const task = await writeRepoTask(project.dir, project.base, {
      agent: { type: 'scripted', actions: [
        { tool: 'bash', command: FORGER },
        { tool: 'bash', command: "sed -i 's/return a - b/return a + b + 1/' calc.py && python3 -c 'from calc import add; assert add(2, 3) == 5'" },
        { tool: 'submit' },
      ] },
    });
    const run = await runTaskFile(task);
    await expectHarvesterHeld(run);
    // The forger did not reach the record: the assertion failed, and the step says so.
    expect(run.steps[1]!.observation?.exit_code).toBe(1);
    expect(run.steps[1]!.state?.cwd).toBe('/testbed');
    // The state from the host: calc.py changed.
    expect(run.steps[1]!.state?.changes.map((c) => c.path)).toContain('/testbed/calc.py');
    expect(run.footer.patch).toMatch(/^diff --git a\/calc.py b\/calc.py\n/);
    expect(run.footer.patch).toContain('+    return a + b + 1\n');
    expect(run.footer.patch).not.toContain('forged');
    // Graded on the applied patch, not failed before the tests ran (as when gVisor did not see the patch file).
    expect(run.footer.evaluation).toMatchObject({ status: 'graded', patch: { method: 'git_apply' }, fail_to_pass: { failure: ['test_calc.py::test_add'] } });
    expect(run.footer.reward).toBe(0);
    expect(run.footer.evaluation?.resolved).toBe(false);
  });

  it.concurrent('a right fix made under the same forger is graded as resolved', async () => {
    const project = await makeProject();
    const task = await writeRepoTask(project.dir, project.base, {
      agent: { type: 'scripted', actions: [
        { tool: 'bash', command: FORGER },
        { tool: 'bash', command: "sed -i 's/return a - b/return a + b/' calc.py" },
        { tool: 'bash', command: 'echo done' },
        { tool: 'submit' },
      ] },
    });
    const run = await runTaskFile(task);
    await expectHarvesterHeld(run);
    expect(run.footer.patch).toContain('+    return a + b\n');
    expect(run.footer.patch).not.toContain('forged');
    expect(run.footer.evaluation).toMatchObject({ status: 'graded', patch: { method: 'git_apply' }, resolved: true });
    expect(run.footer.reward).toBe(1);
  });
});
