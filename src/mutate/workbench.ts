import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { TaskError } from '../core/errors.js';
import { parseJunit, runIn, statusesOf, tail, type TestCase, type TestStatus } from '../eval/index.js';
import type { ProvidedSandbox } from '../sandbox/index.js';
import { PACKAGE_ROOT } from '../core/package-root.js';
import { shellQuote } from '../core/quote.js';

/** The Python helpers shipped with forager, copied into the container at run time. */
export const HELPERS_DIR = join(PACKAGE_ROOT, 'src', 'mutate', 'python');
const HELPER_FILES = ['forager_trace.py', 'mutate.py', 'mutations.py', 'source_edit.py'];
/** Outside the repository, so nothing forager adds is ever part of a diff. */
export const WORK_DIR = '/tmp/forager-mutate';
const JUNIT = `${WORK_DIR}/junit.xml`;
const TRACE = `${WORK_DIR}/trace.json`;
const SELECT = `${WORK_DIR}/select.txt`;

export interface TestRun {
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  cases: TestCase[];
  log: string;
}

/** The repository's container for mutation work: its root, its test command and a live sandbox. */
export class Workbench {
  constructor(readonly sandbox: ProvidedSandbox, readonly root: string, readonly testCommand: string) {}

  /** Copy the helpers in; a container without python3 cannot host mutation. */
  async install(signal?: AbortSignal): Promise<void> {
    for (const name of HELPER_FILES) await this.sandbox.writeFile(`${WORK_DIR}/py/${name}`, await readFile(join(HELPERS_DIR, name)), { signal });
    const probe = await runIn(this.sandbox, this.root, 'python3 -c "import sys, ast; assert sys.version_info >= (3, 9); ast.unparse"', { timeoutMs: 60_000, signal });
    if (probe.exitCode !== 0) throw new TaskError('MUTATE_NO_PYTHON', `the task image needs python3 >= 3.9 (with ast.unparse) for mutation: ${tail(probe.output, 500)}`);
  }

  /**
   * Run the test command with the tracing plugin loaded through PYTEST_ADDOPTS: with
   * `trace`, record the functions each test calls; with `select`, run only those tests.
   */
  async runTests(options: { trace?: boolean; select?: string[]; timeoutMs: number; signal?: AbortSignal }): Promise<TestRun> {
    if (options.select) await this.sandbox.writeFile(SELECT, `${options.select.join('\n')}\n`, { signal: options.signal });
    const env = [
      `FORAGER_JUNIT=${JUNIT}`,
      `FORAGER_ROOT=${shellQuote(this.root)}`,
      `PYTHONPATH=${WORK_DIR}/py\${PYTHONPATH:+:$PYTHONPATH}`,
      `PYTEST_ADDOPTS="-p forager_trace \${PYTEST_ADDOPTS:-}"`,
      `FORAGER_TRACE_OUT=${options.trace ? TRACE : ''}`,
      `FORAGER_SELECT=${options.select ? SELECT : ''}`,
    ];
    const script = `rm -f ${JUNIT} ${TRACE} && export ${env.join(' ')} && ${this.testCommand}`;
    const result = await runIn(this.sandbox, this.root, script, { timeoutMs: options.timeoutMs, signal: options.signal });
    const xml = await this.sandbox.readFile(JUNIT, { signal: options.signal });
    let cases: TestCase[] = [];
    try {
      cases = xml ? parseJunit(xml.toString('utf8')) : [];
    } catch {
      cases = [];
    }
    return { exitCode: result.exitCode, timedOut: result.timedOut, durationMs: result.durationMs, cases, log: tail(result.output) };
  }

  async readTrace(signal?: AbortSignal): Promise<string | null> {
    return (await this.sandbox.readFile(TRACE, { signal }))?.toString('utf8') ?? null;
  }

  /** Run mutate.py over the traced functions; the candidates file's text. */
  async enumerate(signal?: AbortSignal): Promise<string> {
    const out = `${WORK_DIR}/candidates.json`;
    const result = await runIn(this.sandbox, this.root, `python3 ${WORK_DIR}/py/mutate.py --trace ${TRACE} --out ${out}`, { timeoutMs: 600_000, signal });
    if (result.exitCode !== 0) throw new TaskError('MUTATE_ENUMERATE_FAILED', `mutate.py failed (exit ${result.exitCode}): ${tail(result.output, 2000)}`);
    return (await this.sandbox.readFile(out, { signal }))!.toString('utf8');
  }

  async readRepoFile(path: string, signal?: AbortSignal): Promise<string> {
    const bytes = await this.sandbox.readFile(posix.join(this.root, path), { signal });
    if (bytes === null) throw new TaskError('MUTATE_FILE_MISSING', `${path} is not in the repository at ${this.root}`);
    return bytes.toString('utf8');
  }

  async writeRepoFile(path: string, content: string, signal?: AbortSignal): Promise<void> {
    await this.sandbox.writeFile(posix.join(this.root, path), content, { signal });
  }

  /** Put the working tree back to the commit: tracked files restored, untracked ones removed. */
  async restore(signal?: AbortSignal): Promise<void> {
    const result = await runIn(this.sandbox, this.root, 'git checkout -q HEAD -- . && git clean -fdq', { timeoutMs: 120_000, signal });
    if (result.exitCode !== 0) throw new TaskError('MUTATE_RESTORE_FAILED', `could not restore ${this.root}: ${tail(result.output, 500)}`);
  }

  /** The repository at HEAD as a tar archive (tracked files only). */
  async archive(signal?: AbortSignal): Promise<Buffer> {
    const file = `${WORK_DIR}/repo.tar`;
    const result = await runIn(this.sandbox, this.root, `git archive --format=tar -o ${file} HEAD`, { timeoutMs: 600_000, signal });
    if (result.exitCode !== 0) throw new TaskError('MUTATE_ARCHIVE_FAILED', `git archive failed: ${tail(result.output, 500)}`);
    return (await this.sandbox.readFile(file, { signal }))!;
  }
}

/** Each named test's status in a run (JUnit report, matched by node id). */
export function statusesIn(run: TestRun, ids: string[]): Record<string, TestStatus> {
  return statusesOf(ids, run.cases);
}
