import { basename, dirname, extname, join } from 'node:path';
import { plainWriter, type ExportFormatDefinition } from './format.js';
import type { DatasetTrajectory as Trajectory } from '../../trajectory/dataset-reader.js';
import type { Trajectory as HarvestedTrajectory } from '../../trajectory/reader.js';
import { buildConversation, type ChatOptions } from './chat.js';
import { LineFile } from './line-file.js';
import type { TrajectorySink } from './sink.js';

/**
 * Full fidelity: one `{header, steps, footer}` object per line (footer null when partial),
 * and `grade` when an official harness graded the attempt (see harness-grades.ts).
 */
export async function openJsonlSink(path: string): Promise<TrajectorySink> {
  const file = await LineFile.open(path);
  return {
    files: [path],
    write: (trajectory: Trajectory) => file.write({ header: trajectory.header, steps: trajectory.steps, footer: trajectory.footer ?? null, ...(trajectory.grade ? { grade: trajectory.grade } : {}) }),
    close: () => file.close(),
  };
}

/** One conversation per line, in the chosen tool format, with loss-mask fields. */
export async function openChatSink(path: string, options: ChatOptions): Promise<TrajectorySink> {
  const file = await LineFile.open(path);
  return {
    files: [path],
    write: (trajectory: Trajectory) => file.write(conversationOf(trajectory, options)),
    close: () => file.close(),
  };
}

/**
 * The chat builder (chat.ts) is typed for harvested trajectories but reads only what
 * imported ones have too: the action, the model turn, `shown`, and the header through
 * renderOpening and summarise, which take either.
 */
export function conversationOf(trajectory: Trajectory, options: ChatOptions) {
  return buildConversation(trajectory as HarvestedTrajectory, options);
}

/** `--format jsonl`: the full-fidelity record, one trajectory per line; a split S goes to `<out>.S.jsonl`. */
export const jsonlFormat: ExportFormatDefinition = {
  description: 'full-fidelity JSON Lines, one trajectory (header, steps, footer) per line',
  reportPath: (out) => `${out}.report.json`,
  start: (out) => plainWriter((split) => openJsonlSink(splitFile(out, split))),
};

/** `--format chat`: one conversation per line in the chosen tool format, with loss masks. */
export const chatFormat: ExportFormatDefinition = {
  description: 'chat/SFT conversations (OpenAI or CWM tool format) with loss masks, one per line',
  reportPath: (out) => `${out}.report.json`,
  start: (out, options) => plainWriter((split) => openChatSink(splitFile(out, split), options.chat)),
};

/** `data.jsonl` for the unsplit export, `data.S.jsonl` for split S. */
function splitFile(out: string, split: string): string {
  if (split === 'all') return out;
  const ext = extname(out) || '.jsonl';
  return join(dirname(out), `${basename(out, extname(out))}.${split}${ext}`);
}

