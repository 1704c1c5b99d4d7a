import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { AgentSpecSchema, type AgentSpec } from '../agent/index.js';
import { TaskError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { DEFAULT_SHARES, loadMutationSource, MUTATION_KINDS, mutateRepository, parseKinds, type MutateReport } from '../mutate/index.js';
import { sandboxProvider } from './sandbox-provider.js';
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
    .option('--agent <file>', 'YAML or JSON file holding the agent spec the tasks name (default: the source task\'s, or a placeholder)')
    .option('--log-level <level>', 'log level on stderr', 'warn')
    .action(async (path: string, options: { count: number; out: string; seed: number; kinds: string; maxCandidates?: number; testCommand?: string; recipe: string; environment?: string[]; agent?: string; logLevel: string }) => {
      const shares = parseKinds(options.kinds);
      const source = await loadMutationSource(path, options);
      const agent = options.agent ? await readAgentSpec(options.agent) : undefined;
      const provider = sandboxProvider();
      await provider.health();
      const log = createLogger({ level: options.logLevel });
      const report = await mutateRepository(source, { count: options.count, seed: options.seed, out: options.out, shares, maxCandidates: options.maxCandidates, agent, log, provider });
      process.stdout.write(renderReport(report));
      if (report.tasks.length < options.count) process.exitCode = EXIT.failed;
    });
}

async function readAgentSpec(file: string): Promise<AgentSpec> {
  const parsed = AgentSpecSchema.safeParse(parseYaml(await readFile(file, 'utf8')));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new TaskError('MUTATE_AGENT_INVALID', `${file}: field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

function renderReport(report: MutateReport): string {
  const lines = report.tasks.map((t) => `wrote ${t.path}  [${t.kind}] ${t.description} (${t.failToPass} failing)`);
  const d = report.discarded;
  lines.push(`${report.passingTests} passing tests, ${report.functions} functions called by tests, ${report.candidates} candidate mutants`);
  lines.push(`${report.tried} tried: ${report.tasks.length} kept, ${d.uncaught} caught by no test, ${d.timedOut} timed out${d.mismatched ? `, ${d.mismatched} mismatched` : ''}`);
  return `${lines.join('\n')}\n`;
}
