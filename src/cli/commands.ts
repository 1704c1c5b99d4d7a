import type { Command } from 'commander';
import { registerExportCommand } from './export.js';
import { registerGc } from './gc.js';
import { registerImport } from './import.js';
import { registerHarvest } from './harvest.js';
import { registerReplay } from './replay.js';
import { registerRun } from './run.js';
import { registerSetup } from './setup.js';
import { registerShow } from './show.js';
import { registerStatsCommand } from './stats.js';
import { registerStatus } from './status.js';
import { registerSwebench } from './swebench.js';
import { registerTasks } from './tasks.js';
import { registerSupply } from './supply.js';
import { registerTrace } from './trace.js';
import { registerValidate } from './validate.js';
import { registerView } from './view.js';
import { registerWorker } from './worker.js';

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
  registerSupply(program, registerTasks(program));
  registerReplay(program);
  registerView(program);
  registerExportCommand(program);
  registerStatsCommand(program);
  registerImport(program);
  registerSwebench(program);
  registerTrace(program);
}
