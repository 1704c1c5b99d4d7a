import { benchHarvest, printHarvestBench } from './harvest.js';
import { benchExport, parseExportBenchArgs, printExportBench } from './export.js';
import { benchSandbox, printSandboxBench } from './sandbox.js';
import { benchRuntimes, printRuntimeBench } from './runtimes.js';
import { benchState, printStateBench } from './state.js';
import { benchSwebench, printSwebenchBench } from './swebench.js';
import { benchTrace, printTraceBench } from './trace.js';
import { benchSupply, parseSupplyBenchArgs, printSupplyBench } from './supply.js';

/** `npm run bench`: every benchmark, each comparing forager with a baseline in the same run. */
const only = process.argv[2];
if (!only || only === 'sandbox') {
  printSandboxBench(await benchSandbox());
  printRuntimeBench(await benchRuntimes());
}
if (!only || only === 'harvest') printHarvestBench(await benchHarvest());
if (!only || only === 'export') printExportBench(await benchExport(parseExportBenchArgs(process.argv.slice(3))));
if (!only || only === 'state') printStateBench(await benchState());
if (!only || only === 'swebench') printSwebenchBench(await benchSwebench());
if (only === 'trace') printTraceBench(await benchTrace());
if (only === 'supply') printSupplyBench(await benchSupply(parseSupplyBenchArgs(process.argv.slice(3))));
