import { benchHarvest, printHarvestBench } from './harvest.js';
import { benchExport, printExportBench } from './export.js';
import { benchSandbox, printSandboxBench } from './sandbox.js';
import { benchSwebench, printSwebenchBench } from './swebench.js';

/** `npm run bench`: every benchmark, each comparing forager with a baseline in the same run. */
const only = process.argv[2];
if (!only || only === 'sandbox') printSandboxBench(await benchSandbox());
if (!only || only === 'harvest') printHarvestBench(await benchHarvest());
if (!only || only === 'export') printExportBench(await benchExport());
if (!only || only === 'swebench') printSwebenchBench(await benchSwebench());
