import { testProvider } from '../tests/helpers/docker.js';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { evaluatePatch, gradeStatusMap, parserNamed } from '../src/eval/index.js';
import { resolveTaskImage } from '../src/docker/images/index.js';
import { engine } from '../src/docker/engine.js';
import { loadTask, type LoadedTask } from '../src/task/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNNERS = ['django', 'sympy', 'unittest', 'pytest'] as const;
const REPOSITORY = `forager-bench-swebench-${process.pid}`;

export interface SwebenchBench {
  tasks: { id: string; parser: string; buildSeconds: number; built: string[]; gradeSeconds: number[]; resolved: boolean; testSeconds: number }[];
  sibling: { buildSeconds: number; built: string[] };
  parse: { parser: string; logBytes: number; microseconds: number }[];
}

/**
 * Grading time per bundled example (the runner fixtures and tasks/repo-fix): each task's
 * image built once (the environment layer shared), then its gold patch graded three
 * times in fresh containers; then a second instance of the pytest repository at another
 * commit, which must build only its task layer; and the parsers alone on recorded logs.
 */
export async function benchSwebench(): Promise<SwebenchBench> {
  const tasks = [...RUNNERS.map((r) => join(ROOT, 'tests/fixtures/swebench-runners', r, 'task.yaml')), join(ROOT, 'tasks/repo-fix/task.yaml')];
  const dir = await mkdtemp(join(tmpdir(), 'forager-bench-swebench-'));
  try {
    const rows: SwebenchBench['tasks'] = [];
    for (const file of tasks) {
      const task = await loadTask(file);
      const started = performance.now();
      const image = await resolveTaskImage(task, { repository: REPOSITORY });
      const buildSeconds = (performance.now() - started) / 1000;
      const gradeSeconds: number[] = [];
      let resolved = true;
      let testSeconds = 0;
      for (let i = 0; i < 3; i += 1) {
        const t = performance.now();
        const evaluation = await evaluatePatch(task, image.id, task.spec.gold_patch ?? '', { provider: testProvider(), runId: `bench-swebench-${process.pid}` });
        gradeSeconds.push((performance.now() - t) / 1000);
        resolved &&= evaluation.resolved;
        testSeconds = (evaluation.tests?.duration_ms ?? 0) / 1000;
      }
      rows.push({ id: task.spec.id, parser: task.spec.eval?.parser ?? '-', buildSeconds, built: image.layers.filter((l) => l.built).map((l) => l.kind), gradeSeconds, resolved, testSeconds });
    }
    const sibling = await siblingInstance(dir);
    return { tasks: rows, sibling, parse: parseTimes() };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await removeBenchImages();
  }
}

/** The pytest fixture repository as a git repository with one more commit: another instance of the same repo and environment. */
async function siblingInstance(dir: string): Promise<SwebenchBench['sibling']> {
  const source = join(ROOT, 'tests/fixtures/swebench-runners/pytest');
  const repo = join(dir, 'repo');
  cpSync(join(source, 'repo'), repo, { recursive: true });
  const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b', GIT_CONFIG_GLOBAL: '/dev/null' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'base');
  await writeFile(join(repo, 'NOTES.md'), 'a later commit of the same repository\n');
  git('add', '-A');
  git('commit', '-qm', 'notes');
  const spec = parse(readFileSync(join(source, 'task.yaml'), 'utf8')) as Record<string, unknown>;
  spec.id = 'runner-pytest-2';
  spec.repo = { path: repo };
  await writeFile(join(dir, 'sibling.task.yaml'), stringify(spec, { lineWidth: 0 }));
  const task: LoadedTask = await loadTask(join(dir, 'sibling.task.yaml'));
  const started = performance.now();
  const image = await resolveTaskImage(task, { repository: REPOSITORY });
  return { buildSeconds: (performance.now() - started) / 1000, built: image.layers.filter((l) => l.built).map((l) => l.kind) };
}

/** Parse + grade time alone, on the recorded logs (median of 200 runs). */
function parseTimes(): SwebenchBench['parse'] {
  const logs: [string, string][] = [['django', 'django-zoo.txt'], ['sympy', 'sympy-zoo.txt'], ['unittest', 'unittest-zoo.txt'], ['pytest', 'pytest-zoo.txt'], ['pytest-v2', 'pytest-zoo.txt'], ['junit', 'pytest-zoo.junit.xml']];
  return logs.map(([name, file]) => {
    const text = readFileSync(join(ROOT, 'tests/fixtures/swebench-logs', file), 'utf8');
    const parser = parserNamed(name);
    const times: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const t = performance.now();
      const map = parser.parse(text);
      gradeStatusMap(map, Object.keys(map).slice(0, 2), Object.keys(map).slice(2), parser.keyOf);
      times.push((performance.now() - t) * 1000);
    }
    return { parser: name, logBytes: Buffer.byteLength(text), microseconds: times.sort((a, b) => a - b)[100]! };
  });
}

async function removeBenchImages(): Promise<void> {
  const docker = engine();
  for (const image of await docker.listImages({ filters: { reference: [REPOSITORY] } })) {
    for (const tag of image.RepoTags ?? []) if (tag.startsWith(`${REPOSITORY}:`)) await docker.getImage(tag).remove().catch(() => undefined);
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export function printSwebenchBench(b: SwebenchBench): void {
  const lines = ['swebench: grading the bundled examples (gold patch, fresh container each time, network off)'];
  for (const t of b.tasks) {
    lines.push(`  ${t.id.padEnd(16)} ${t.parser.padEnd(9)} grade median ${median(t.gradeSeconds).toFixed(2)} s (tests ${t.testSeconds.toFixed(2)} s)  ${t.resolved ? 'resolved' : 'NOT RESOLVED'}  image ${t.buildSeconds.toFixed(1)} s, built: ${t.built.join(', ') || 'nothing'}`);
  }
  lines.push(`  second instance of the pytest repository (another commit): image ${b.sibling.buildSeconds.toFixed(1)} s, built: ${b.sibling.built.join(', ') || 'nothing'}`);
  lines.push(`  parse + grade alone: ${b.parse.map((p) => `${p.parser} ${p.microseconds.toFixed(0)} µs (${p.logBytes} B)`).join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
