import type { Command } from 'commander';
import { registerRun } from './run.js';
import { registerShow } from './show.js';
import { registerValidate } from './validate.js';

/** Every CLI command, one file each; add yours here. */
export function registerCommands(program: Command): void {
  registerRun(program);
  registerValidate(program);
  registerShow(program);
}
