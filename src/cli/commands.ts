import type { Command } from 'commander';

/** Every CLI command, one file each; add yours here. */
export function registerCommands(program: Command): void {
  void program;
}
