import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../core/package-root.js';

/**
 * The programs forager runs inside a sandbox besides the agent's shell, kept as files in
 * their own language (perl-base and bash only: every Debian or Ubuntu image has both).
 */
const DIR = join(PACKAGE_ROOT, 'src', 'sandbox', 'scripts');
const cache = new Map<string, string>();

function load(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(join(DIR, name), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** The session helper, perl: parent of the agent's bash, reporter of each step's end. */
export const sessionHelperPerl = (): string => load('session-helper.pl');
/** The same helper in bash, for images without perl. */
export const sessionHelperBash = (): string => load('session-helper.sh');
/** PID 1 of a sandbox: ends it after its lifetime, reaps orphans, immune to signals from inside. */
export const deadmanPerl = (): string => load('deadman.pl');
/** Kills without the tool process (bash builtins). */
export const killScriptBash = (): string => load('kill.sh');
/** The tool process: file tools and kills, one per sandbox. */
export const toolServerPerl = (): string => load('tool-server.pl');

/**
 * Variables emptied for forager's own perl and bash processes (a task's PERL5OPT or
 * BASH_ENV must not run code in them); the helper restores them for the agent's bash.
 */
export const INTERPRETER_ENV = ['PERL5OPT', 'PERL5LIB', 'PERLLIB', 'PERL5DB', 'BASH_ENV', 'ENV'];
