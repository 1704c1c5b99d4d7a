import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { ImportError, importTrajectories, IMPORT_FILE_PATTERNS, IMPORT_FORMATS, type ImportFormat, type ImportReport } from '../import/index.js';

/** `forager import`: read peers' trajectories into forager trajectories marked imported. */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description('Import other harvesters\' trajectories (ATIF, mini-swe-agent, SWE-agent, OpenHands, SFT message lists) as forager trajectories for view, stats and export')
    .addArgument(new Command().createArgument('<format>', 'the input format').choices([...IMPORT_FORMATS]))
    .argument('<paths...>', 'files, or folders searched for the format\'s files (*.json, *.traj.json, *.traj, output.jsonl, *.jsonl|*.json|*.parquet)')
    .addOption(new Option('--out <dir>', 'where to write: DIR/trajectories/<task-id>/<n>.jsonl, and DIR/import-report.json').makeOptionMandatory())
    .action(async (format: ImportFormat, paths: string[], flags: { out: string }) => {
      const report = await importTrajectories(format, paths, flags.out);
      // The report is written even when nothing imported (the folder may not exist yet): it says why.
      await mkdir(flags.out, { recursive: true });
      const reportPath = join(flags.out, 'import-report.json');
      await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
      process.stdout.write(renderSummary(report, flags.out, reportPath));
      if (report.imported === 0) throw new ImportError(nothingImported(report, paths));
    });
}

function nothingImported(report: ImportReport, paths: string[]): string {
  if (report.files === 0) return `nothing imported: no ${report.format} files (${IMPORT_FILE_PATTERNS[report.format]}) in ${paths.join(', ')}`;
  if (report.invalid === 0 && report.otherFormat > 0) return `nothing imported: none of the ${report.otherFormat} record${report.otherFormat === 1 ? '' : 's'} found in ${paths.join(', ')} is ${report.format} (first: ${report.otherFormatRecords[0]})`;
  if (report.invalid === 0) return `nothing imported: the ${report.files} ${report.format} file${report.files === 1 ? '' : 's'} read held no records`;
  return `nothing imported: ${report.invalid} record${report.invalid === 1 ? '' : 's'} could not be imported; first problem: ${report.invalidRecords[0]?.error ?? 'unknown'}`;
}

function renderSummary(report: ImportReport, out: string, reportPath: string): string {
  const lines = [`read ${report.files} ${report.format} files: ${report.imported} trajectories imported into ${out}, ${report.invalid} records skipped`];
  if (report.otherFormat > 0) lines.push(`  ${report.otherFormat} other record${report.otherFormat === 1 ? '' : 's'} found in the folders ${report.otherFormat === 1 ? 'is' : 'are'} not ${report.format} (listed in the report), e.g. ${report.otherFormatRecords[0]}`);
  for (const bad of report.invalidRecords.slice(0, 5)) lines.push(`  skipped ${bad.error}`);
  lines.push(`report: ${reportPath}`);
  return `${lines.join('\n')}\n`;
}
