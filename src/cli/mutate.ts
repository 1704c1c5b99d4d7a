import { InvalidArgumentError, type Command } from 'commander';
import { createLogger } from '../core/log.js';
import { DEFAULT_SHARES, loadMutationSource, MUTATION_KINDS, mutateRepository, parseKinds, type MutateReport } from '../mutate/index.js';
import { requireEngine } from '../sandbox/docker/engine.js';
import { EXIT } from './exit-codes.js';

function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}, got "${value}"`);
    return n;
  };
}

const DEFAULT_KINDS = MUTATION_KINDS.map((k) => `${k}=${DEFAULT_SHARES[k]}`).join(',');

/** `forager tasks mutate`: mutate-fix tasks from a repository task or folder. */
export function registerMutate(tasks: Command): void {
  tasks
    .command('mutate')
    .description('Make mutate-fix tasks: AST mutations of tested functions that make tests fail, with the inverse diff as gold patch')
    .argument('<source>', 'a repository task file, or a repository folder (python recipe, pytest)')
    .requiredOption('--count <n>', 'tasks to make', integer(1))
    .requiredOption('--out <dir>', 'folder for the task folders (and repo/, their starting states)')
    .option('--seed <s>', 'seed: the same seed gives the same tasks', integer(0), 0)
    .option('--kinds <mix>', 'mix of mutation kinds (kinds left out get none)', DEFAULT_KINDS)
    .option('--max-candidates <m>', 'mutants tried at most (default 20 × count)', integer(1))
    .option('--test-command <command>', 'test command writing JUnit XML to $FORAGER_JUNIT (default: the task\'s eval.test_command, else pytest)')
    .option('--recipe <name>', 'for a repository folder: the image recipe', 'python')
    .option('--environment <command...>', 'for a repository folder: commands installing its dependencies')
    .option('--log-level <level>', 'log level on stderr', 'warn')
    .action(async (path: string, options: { count: number; out: string; seed: number; kinds: string; maxCandidates?: number; testCommand?: string; recipe: string; environment?: string[]; logLevel: string }) => {
      const shares = parseKinds(options.kinds);
      const source = await loadMutationSource(path, options);
      await requireEngine();
      const log = createLogger({ level: options.logLevel });
      const report = await mutateRepository(source, { count: options.count, seed: options.seed, out: options.out, shares, maxCandidates: options.maxCandidates, log });
      process.stdout.write(renderReport(report));
      if (report.tasks.length < options.count) process.exitCode = EXIT.failed;
    });
}

function renderReport(report: MutateReport): string {
  const lines = report.tasks.map((t) => `wrote ${t.path}  [${t.kind}] ${t.description} (${t.failToPass} failing)`);
  const d = report.discarded;
  lines.push(`${report.passingTests} passing tests, ${report.functions} functions called by tests, ${report.candidates} candidate mutants`);
  lines.push(`${report.tried} tried: ${report.tasks.length} kept, ${d.uncaught} caught by no test, ${d.timedOut} timed out${d.mismatched ? `, ${d.mismatched} mismatched` : ''}`);
  return `${lines.join('\n')}\n`;
}
