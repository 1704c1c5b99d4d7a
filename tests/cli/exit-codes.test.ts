// @needs docker
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { exitCodeFor, EXIT } from '../../src/cli/exit-codes.js';
import { AbortedError, ForagerError, InfrastructureError, TaskError } from '../../src/core/errors.js';
import { runCli } from '../helpers/cli.js';

describe('exitCodeFor() - errors to exit codes in one place', () => {
  it('maps usage and input errors to 2, infrastructure and bugs to 3, an abort to 130', () => {
    expect(exitCodeFor(new CommanderError(1, 'commander.invalidArgument', 'bad value'))).toBe(EXIT.badInput);
    expect(exitCodeFor(new CommanderError(1, 'commander.unknownOption', 'unknown option'))).toBe(EXIT.badInput);
    expect(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(EXIT.ok);
    expect(exitCodeFor(new TaskError('USAGE', 'x'))).toBe(EXIT.badInput);
    expect(exitCodeFor(new ForagerError('MODEL_HTTP_401', 'task', 'x'))).toBe(EXIT.badInput);
    expect(exitCodeFor(new InfrastructureError('ENGINE_UNREACHABLE', 'x'))).toBe(EXIT.infrastructure);
    expect(exitCodeFor(new Error('a bug'))).toBe(EXIT.infrastructure);
    expect(exitCodeFor(new AbortedError())).toBe(EXIT.interrupted);
  });
});

describe('forager usage errors', () => {
  it('exit 2 for a bad flag value, an unknown option, a missing argument or no command; 0 for --help', async () => {
    const bad = await runCli(['harvest', 'tasks', '--concurrency', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("option '-c, --concurrency <n>' argument 'many' is invalid");
    expect((await runCli(['stats', 'x', '--no-such-flag'])).code).toBe(2);
    expect((await runCli(['export'])).code).toBe(2);
    expect((await runCli([])).code).toBe(2);
    expect((await runCli(['--help'])).code).toBe(0);
  });
});
