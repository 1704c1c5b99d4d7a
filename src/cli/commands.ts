import type { Command } from 'commander';
import { registerGc } from './gc.js';
import { registerHarvest } from './harvest.js';
import { registerRun } from './run.js';
import { registerSetup } from './setup.js';
import { registerShow } from './show.js';
import { registerStatus } from './status.js';
import { registerValidate } from './validate.js';
import { registerWorker } from './worker.js';
import { registerReplay } from './replay.js';
import { registerExportCommand } from './export.js';
import { registerTasks } from './tasks.js';
import { registerStatsCommand } from './stats.js';
import { registerView } from './view.js';

/** Every CLI command, one file each; add yours here. */
export function registerCommands(program: Command): void {
  registerSetup(program);
  registerRun(program);
  registerValidate(program);
  registerShow(program);
  registerHarvest(program);
  registerStatus(program);
  registerGc(program);
  registerWorker(program);
  registerTasks(program);
  registerReplay(program);
  registerView(program);
  registerExportCommand(program);
  registerStatsCommand(program);
}
