import { atifFormat } from './atif/index.js';
import type { ExportFormatDefinition } from './format.js';
import { hfFormat } from './hf/index.js';
import { chatFormat, jsonlFormat } from './jsonl.js';
import { parquetFormat } from './parquet.js';

/** Every export format: adding one is its folder (or file) plus one line here; `--format`'s choices come from it. */
export const EXPORT_FORMATS = {
  jsonl: jsonlFormat,
  chat: chatFormat,
  parquet: parquetFormat,
  hf: hfFormat,
  atif: atifFormat,
} satisfies Record<string, ExportFormatDefinition>;

export type ExportFormat = keyof typeof EXPORT_FORMATS;
export const EXPORT_FORMAT_NAMES = Object.keys(EXPORT_FORMATS) as ExportFormat[];

export function getExportFormat(name: ExportFormat): ExportFormatDefinition {
  return EXPORT_FORMATS[name];
}
