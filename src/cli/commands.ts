import type { Command } from 'commander';
import { registerExportCommand } from './export.js';
import { registerStatsCommand } from './stats.js';

/** Every CLI command, one file each; add yours here. */
export function registerCommands(program: Command): void {
  registerExportCommand(program);
  registerStatsCommand(program);
}
