import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { EXPORT_FORMAT_NAMES, EXPORT_FORMATS } from '../../src/export/index.js';

describe('the export format registry', () => {
  it('is where `forager export --format` takes its choices and their help from', () => {
    const exportCommand = buildProgram().commands.find((c) => c.name() === 'export')!;
    const format = exportCommand.options.find((o) => o.long === '--format')!;
    expect(format.argChoices).toEqual(EXPORT_FORMAT_NAMES);
    for (const name of EXPORT_FORMAT_NAMES) expect(format.description).toContain(`${name} (${EXPORT_FORMATS[name].description})`);
  });

  it('says per format where its outputs and its report go', async () => {
    expect(EXPORT_FORMAT_NAMES).toEqual(['jsonl', 'chat', 'parquet', 'hf', 'atif']);
    expect(EXPORT_FORMATS.jsonl.reportPath('/x/data.jsonl')).toBe('/x/data.jsonl.report.json');
    expect(EXPORT_FORMATS.parquet.reportPath('/x/ds')).toBe('/x/ds/report.json');
    expect(EXPORT_FORMATS.hf.reportPath('/x/ds')).toBe('/x/ds/forager-report.json');
  });
});
