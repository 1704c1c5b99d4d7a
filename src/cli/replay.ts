import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { applyModelOverrides, createAgent, loadAgentSpec } from '../agent/index.js';
import { TaskError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { forkTrajectory, formatComparison, loadRules, readRecordedAgentSpec, replayTrajectory } from '../replay/index.js';
import { sandboxProvider } from './sandbox-provider.js';
import { EXIT } from './exit-codes.js';
import { addModelOptions, commandLineOnly, modelOverridesFrom } from './model-options.js';
import { abortOnSignals } from './signals.js';
import { exitCodeForFooter, summariseFooter } from './summary.js';

type ReplayFlags = {
  verify?: boolean;
  normalize?: string | boolean;
  out?: string;
  until?: string;
  agentFile?: string;
  allowRetagged?: boolean;
  logLevel: string;
} & Record<string, unknown>;

export function registerReplay(program: Command): void {
  const command = program
    .command('replay')
    .description('Re-run a trajectory\'s recorded actions on its recorded image; verify the observations, or fork from a step')
    .argument('<trajectory>', 'trajectory file (.jsonl)')
    .option('--verify', 'compare every observation with the recorded one; exit 1 when they diverge')
    .option('--normalize [rules]', 'normalise known noise before comparing: the built-in rules, or those of a YAML/JSON rules file')
    .option('-o, --out <file>', 'trajectory file of the new run (default: runs/<name>.replay-<time>.jsonl)')
    .option('--until <step>', 'replay steps 0..step, then hand over to another agent (a fork): --agent-file and/or the model flags')
    .option('--agent-file <file>', 'agent spec (YAML/JSON, the shape of a task\'s agent:) that continues after --until; model flags override its fields')
    .option('--allow-retagged', 'replay on the recorded image ID even when its tag now names another image')
    .option('--log-level <level>', 'log level on stderr', 'warn');
  addModelOptions(command)
    .action(async (file: string, flags: ReplayFlags, command: Command) => {
      // FORAGER_* variables set for harvesting only count when forking (--until).
      const overrides = modelOverridesFrom(flags.until === undefined ? commandLineOnly(command, flags) : flags);
      const newAgent = flags.agentFile !== undefined || Object.values(overrides).some((v) => v !== undefined);
      if ((flags.until === undefined) === newAgent) {
        throw new TaskError('USAGE', '--until goes with --agent-file or model flags (--model-url, --model…): replay up to a step, then continue with that agent');
      }
      const rules = flags.normalize === undefined || flags.normalize === false ? [] : await loadRules(flags.normalize === true ? undefined : flags.normalize);
      // Model flags alone override the parent's own agent spec (e.g. a model in place of a script).
      const agentSpec = newAgent ? applyModelOverrides(flags.agentFile ? await loadAgentSpec(flags.agentFile) : await readRecordedAgentSpec(file), overrides) : undefined;
      const provider = sandboxProvider();
      await provider.health();
      const kind = agentSpec ? 'fork' : 'replay';
      const out = flags.out ?? join('runs', `${basename(file, '.jsonl')}.${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
      const common = { out, rules, allowRetagged: flags.allowRetagged, log: createLogger({ level: flags.logLevel }), provider };
      const controller = new AbortController();
      const release = abortOnSignals(controller, (signal) => process.stderr.write(`forager: ${signal}: stopping the ${kind}…\n`));
      try {
        if (agentSpec) {
          const until = Number(flags.until);
          const result = await forkTrajectory(file, { ...common, until, agent: createAgent(agentSpec, { log: common.log }), signal: controller.signal });
          const faithful = result.prefix.divergent.length === 0;
          process.stdout.write(`forked ${result.parent.header.trajectory_id} after step ${until}: ${summariseFooter(result.run.footer)}\n`);
          process.stdout.write(faithful ? `prefix: ${result.prefix.compared} replayed steps matched the parent\n` : `warning: the replayed prefix diverged from the parent, the state at step ${until} may differ:\n${formatComparison(result.prefix)}\n`);
          process.stdout.write(`trajectory: ${result.run.path}\n`);
          process.exitCode = controller.signal.aborted ? EXIT.interrupted : exitCodeForFooter(result.run.footer);
          return;
        }
        const result = await replayTrajectory(file, { ...common, signal: controller.signal });
        process.stdout.write(`replayed ${result.comparison.compared} actions: ${summariseFooter(result.run.footer)}\ntrajectory: ${result.run.path}\n`);
        if (controller.signal.aborted) {
          process.exitCode = EXIT.interrupted;
        } else if (result.run.footer.failure_kind === 'infrastructure') {
          process.exitCode = EXIT.infrastructure;
        } else if (flags.verify || rules.length) {
          process.stdout.write(`${formatComparison(result.comparison)}\n`);
          process.exitCode = result.comparison.divergent.length ? EXIT.failed : EXIT.ok;
        }
      } finally {
        release();
      }
    });
}
