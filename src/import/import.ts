import { ForagerError } from '../core/errors.js';
import { importAtif } from './atif/index.js';
import type { Json } from './errors.js';
import { findInputFiles } from './files.js';
import { importMessages } from './messages.js';
import { importMiniSweAgent } from './mini-swe-agent/index.js';
import { importOpenHands } from './openhands.js';
import { readRecords } from './read-input.js';
import type { ImportedRecord } from './record.js';
import { importSweAgent } from './swe-agent.js';
import { ImportWriter } from './write.js';

export const IMPORT_FORMATS = ['atif', 'mini-swe-agent', 'swe-agent', 'openhands', 'messages'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

interface FormatSpec {
  /** The files a folder holds. */
  files: RegExp;
  /** How one record becomes imported trajectories (ATIF: a document and its embedded subagents). */
  convert: (value: Json, where: string, path: string, record?: number) => ImportedRecord | ImportedRecord[];
  /**
   * Whether a record found in a folder is of this format at all, when the folder's pattern also
   * matches other files (ATIF: a Harbor job folder's config.json and result.json sit beside its
   * trajectories). One that is not is listed in the report as not of the format, not as invalid;
   * a file named on the command line is always read as the format.
   */
  recognise?: (value: Json) => boolean;
}

const FORMATS: Record<ImportFormat, FormatSpec> = {
  atif: { files: /\.json$/, convert: importAtif, recognise: (value) => value['schema_version'] !== undefined },
  'mini-swe-agent': { files: /\.traj\.json$/, convert: (v, w, p) => importMiniSweAgent(v, w, p) },
  'swe-agent': { files: /\.traj$/, convert: (v, w, p) => importSweAgent(v, w, p) },
  openhands: { files: /^output\.jsonl$/, convert: importOpenHands },
  messages: { files: /\.(jsonl|json|parquet)$/, convert: importMessages },
};

/** What a folder is searched for, per format, in words (for messages that say why nothing was found). */
export const IMPORT_FILE_PATTERNS: Record<ImportFormat, string> = {
  atif: '*.json', 'mini-swe-agent': '*.traj.json', 'swe-agent': '*.traj', openhands: 'output.jsonl', messages: '*.jsonl, *.json, *.parquet',
};

export interface ImportReport {
  format: ImportFormat;
  files: number;
  imported: number;
  /** Records that could not be imported, with why (the first 20), and how many in all. */
  invalid: number;
  invalidRecords: { where: string; error: string }[];
  /** Records found in folders that are not of the format at all (the first 20 listed), read and left. */
  otherFormat: number;
  otherFormatRecords: string[];
  written: string[];
}

/**
 * Read peers' trajectory files and write them as forager trajectories marked imported
 * (`header.source`), in a batch-shaped folder under `out`. A record that does not hold
 * what its format promises is reported (file, field, what was expected) and skipped.
 */
export async function importTrajectories(format: ImportFormat, paths: readonly string[], out: string): Promise<ImportReport> {
  const spec = FORMATS[format];
  const writer = new ImportWriter(out);
  const report: ImportReport = { format, files: 0, imported: 0, invalid: 0, invalidRecords: [], otherFormat: 0, otherFormatRecords: [], written: writer.files };
  const fail = (where: string, error: unknown) => {
    if (!(error instanceof ForagerError)) throw error;
    report.invalid += 1;
    if (report.invalidRecords.length < 20) report.invalidRecords.push({ where, error: error.message });
  };
  for await (const { path, found } of findInputFiles(paths, spec.files)) {
    report.files += 1;
    try {
      for await (const input of readRecords(path)) {
        if (input.error) {
          fail(input.where, input.error);
          continue;
        }
        if (found && spec.recognise && !spec.recognise(input.value)) {
          report.otherFormat += 1;
          if (report.otherFormatRecords.length < 20) report.otherFormatRecords.push(input.where);
          continue;
        }
        try {
          // Converted whole before any is written: a document that does not convert writes nothing.
          const converted = spec.convert(input.value, input.where, path, input.record);
          for (const record of Array.isArray(converted) ? converted : [converted]) {
            await writer.write(record);
            report.imported += 1;
          }
        } catch (error) {
          fail(input.where, error);
        }
      }
    } catch (error) {
      fail(path, error);
    }
  }
  return report;
}
