import { Command, CommanderError } from 'commander';
import { ForagerError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { registerCommands } from './commands.js';
import { exitCodeFor } from './exit-codes.js';
import { addSandboxOption } from './sandbox-provider.js';

/** Build the program; each command lives in its own file and registers itself. */
export function buildProgram(): Command {
  const program = new Command('forager')
    .description('Harvest lossless coding-agent trajectories from isolated Docker sandboxes')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  addSandboxOption(program);
  registerCommands(program);
  return program;
}

/** Run the CLI; the only place errors become exit codes and messages on stderr. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // Commander has printed its own message (and the help) already.
    if (error instanceof CommanderError) return exitCodeFor(error);
    if (error instanceof ForagerError) {
      process.stderr.write(`forager: ${error.message}\n`);
    } else {
      process.stderr.write(`forager: unexpected error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    }
    return exitCodeFor(error);
  }
}
