import type { Trajectory } from '../../trajectory/reader.js';
import { buildConversation, type ChatOptions } from './chat.js';
import { LineFile } from './line-file.js';
import type { TrajectorySink } from './sink.js';

/** Full fidelity: one `{header, steps, footer}` object per line (footer null when partial). */
export async function openJsonlSink(path: string): Promise<TrajectorySink> {
  const file = await LineFile.open(path);
  return {
    files: [path],
    write: (trajectory: Trajectory) => file.write({ header: trajectory.header, steps: trajectory.steps, footer: trajectory.footer ?? null }),
    close: () => file.close(),
  };
}

/** One conversation per line, in the chosen tool format, with loss-mask fields. */
export async function openChatSink(path: string, options: ChatOptions): Promise<TrajectorySink> {
  const file = await LineFile.open(path);
  return {
    files: [path],
    write: (trajectory: Trajectory) => file.write(buildConversation(trajectory, options)),
    close: () => file.close(),
  };
}
