import type { Command } from 'commander';
import { registerSetup } from './setup.js';

/** Every CLI command, one file each; add yours here. */
export function registerCommands(program: Command): void {
  registerSetup(program);
}
