import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import {
  chooseAttempts, HARNESS_SIDECAR, makeRunReport, perRepository, predictionsOf, readBatchAttempts, renderPredictions, renderRepoTable, writeHarnessSidecar,
} from '../swebench/index.js';

/** `forager swebench …`: what the SWE-bench harness and its leaderboards consume, from a batch. */
export function registerSwebench(program: Command): Command {
  const swebench = program.command('swebench').description('SWE-bench predictions and reports from a batch; official harness results back into it');
  swebench
    .command('predictions')
    .description('Write the batch as a SWE-bench predictions file (one line per instance: resolved attempt first, else the last complete one)')
    .argument('<batch>', 'batch folder (forager harvest --out)')
    .requiredOption('--out <file>', 'predictions JSONL to write (instance_id, model_name_or_path, model_patch)')
    .option('--model-name <name>', 'model_name_or_path for every line (default: the attempt\'s agent model)')
    .action(async (batch: string, options: { out: string; modelName?: string }) => {
      const chosen = chooseAttempts(await readBatchAttempts(batch));
      const predictions = predictionsOf(chosen, options.modelName);
      await writeAtomically(options.out, renderPredictions(predictions));
      const missing = [...chosen].filter(([, a]) => !a).length;
      process.stdout.write(`${predictions.length} predictions written to ${options.out}${missing ? ` (${missing} task${missing === 1 ? '' : 's'} without a complete attempt left out)` : ''}\n`);
    });
  swebench
    .command('report')
    .description('Write the harness\'s run report (schema_version 2) from the batch\'s grades, and print a table per repository')
    .argument('<batch>', 'batch folder')
    .option('--out <file>', 'report JSON to write (default: <batch>/swebench-report.json)')
    .option('--from-harness <report.json>', 'instead: attach an official harness report\'s results to the batch as rewards (sidecar swebench-harness.json)')
    .option('--json', 'print the report JSON instead of the table')
    .action(async (batch: string, options: { out?: string; fromHarness?: string; json?: boolean }) => {
      const attempts = await readBatchAttempts(batch);
      const chosen = chooseAttempts(attempts);
      if (options.fromHarness) {
        const sidecar = await writeHarnessSidecar(batch, options.fromHarness, chosen);
        const graded = Object.values(sidecar.instances);
        process.stdout.write(`${graded.length} instances from ${options.fromHarness}: ${graded.filter((i) => i.resolved).length} resolved; written to ${join(batch, HARNESS_SIDECAR)}`
          + `${sidecar.unknown_ids.length ? `; ${sidecar.unknown_ids.length} ids not in the batch: ${sidecar.unknown_ids.slice(0, 5).join(', ')}` : ''}\n`);
        return;
      }
      const report = makeRunReport(chosen);
      const out = options.out ?? join(batch, 'swebench-report.json');
      await writeAtomically(out, `${JSON.stringify(report, null, 4)}\n`);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      process.stdout.write(renderRepoTable(perRepository(chosen, attempts)));
      process.stdout.write(`submitted ${report.submitted_instances}, completed ${report.completed_instances}, resolved ${report.resolved_instances}, unresolved ${report.unresolved_instances}, empty patch ${report.empty_patch_instances}, error ${report.error_instances}; report written to ${out}\n`);
    });
  return swebench;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}
