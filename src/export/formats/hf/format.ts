import { join } from 'node:path';
import type { ExportFormatDefinition, FormatWriter } from '../format.js';
import { writeDatasetCard } from './card.js';
import { openHfSink, type HfSink } from './sink.js';

/**
 * `--format hf`: a Hugging Face dataset folder (configs trajectories/steps/chat, sharded
 * Parquet, a dataset card). Every split shares the folder (the split is in the shard names);
 * the unsplit export is `train`; the card is written once every split is closed.
 */
export const hfFormat: ExportFormatDefinition = {
  description: 'a Hugging Face dataset folder: configs trajectories/steps/chat as sharded Parquet, with a dataset card',
  // Beside the dataset's data/, never inside it: `datasets` would take it for data.
  reportPath: (out) => join(out, 'forager-report.json'),
  start(out, options): FormatWriter {
    const sinks: HfSink[] = [];
    return {
      async open(split) {
        const sink = await openHfSink(out, split, { chat: options.chat, shardBytes: options.shardBytes });
        sinks.push(sink);
        return sink;
      },
      splitName: (split) => (split === 'all' ? 'train' : split),
      finish: async (facts) => ({ card: await writeDatasetCard(out, sinks.flatMap((s) => s.tables), facts) }),
    };
  },
};
