import { join } from 'node:path';
import { plainWriter, type ExportFormatDefinition } from '../format.js';
import { openAtifSink } from './sink.js';

/** `--format atif`: one Harbor ATIF document per trajectory in the folder `out`, a split S in `out/S/`. */
export const atifFormat: ExportFormatDefinition = {
  description: 'Harbor ATIF documents, one <trajectory_id>.json per trajectory in the folder --out',
  reportPath: (out) => `${out}.report.json`,
  start: (out) => plainWriter((split) => openAtifSink(split === 'all' ? out : join(out, split))),
};
