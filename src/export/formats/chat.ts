import { getToolFormat, groupTurns, isToolFormatName, proseOf, type ChatExportMessage, type ToolFormatName } from '../../agent/index.js';
import { assistantPrefix, renderDialog } from '../../agent/formats/cwm/index.js';
import type { Trajectory } from '../../trajectory/reader.js';
import { recordedModel } from '../../trajectory/schema.js';
import { seededUnit } from '../hash.js';
import { renderOpening } from './prompts.js';
import { summarise, type TrajectorySummary } from './record.js';

export type ToolFormat = ToolFormatName;

export interface ChatOptions {
  toolFormat: ToolFormat;
  /** Share of observation messages left out of the loss (0..1); default 0.5 as CWM did. */
  maskObservations?: number;
  /** Seeds which observations are masked; the choice depends only on it and the step. */
  seed?: number;
  /**
   * `cwm`: also write the conversation as the text CWM's tokenizer makes of it (`<|begin_of_text|>`,
   * header ids, `<|eot_id|>`, bodies stripped as CWM strips them) in the record's `text`; cwm tool format only.
   */
  template?: 'cwm';
}

/**
 * One message. `train` says whether its tokens count in the loss; `loss_mask` says the
 * same as 1 (counts) or 0 (masked), for trainers that read a number.
 */
export type ChatMessage = ChatExportMessage;

export interface ChatRecord extends TrajectorySummary {
  tool_format: ToolFormat;
  tools?: unknown[];
  messages: ChatMessage[];
  /** Steps the target format could not express exactly and left out (CWM from another format's record). */
  refused?: { step: number; reason: string }[];
  /** With `template: 'cwm'`: the whole conversation in CWM's chat template, as one string. */
  text?: string;
}

/**
 * Rebuild a trajectory as one training conversation: system, instruction, then each model
 * answer and what it was shown, written by the target tool format (agent/formats/).
 */
export function buildConversation(trajectory: Trajectory, options: ChatOptions): ChatRecord {
  const rate = options.maskObservations ?? 0.5;
  const seed = options.seed ?? 0;
  const format = getToolFormat(options.toolFormat);
  const model = recordedModel(trajectory.header.agent);
  const source = model?.model.tool_format;
  const opening = renderOpening(trajectory, options.toolFormat);
  const refused: { step: number; reason: string }[] = [];
  const context = {
    observationTrained: (key: string) => seededUnit(seed, `${trajectory.header.trajectory_id}:${key}`) >= rate,
    // The recording format knows its own call syntax; an unknown one: strip every format's.
    prose: isToolFormatName(source) ? getToolFormat(source).prose : proseOf,
    source,
    opening: { ...opening, maxTurns: opening.maxTurns, contextWindow: model?.model.context_window },
    scratch: {},
    refuse: (step: number, reason: string) => refused.push({ step, reason }),
    // A CWM run in tag reasoning opened every assistant turn with `<think>\n`; its recorded text starts after it.
    assistantPrefix: source === 'cwm' && options.toolFormat === 'cwm' && (model?.model.cwm as { reasoning?: unknown } | undefined)?.reasoning === 'tag' ? assistantPrefix('tag') : '',
  };
  const messages: ChatMessage[] = [message('system', opening.system), message('user', opening.user)];
  for (const turn of groupTurns(trajectory.steps)) messages.push(...format.exportTurn(turn, context));
  const tools = format.exportTools(model?.tools);
  const text = options.template === 'cwm' ? { text: renderDialog(messages) } : {};
  return { ...summarise(trajectory), tool_format: options.toolFormat, ...(tools ? { tools } : {}), messages, ...(refused.length ? { refused } : {}), ...text };
}

function message(role: string, content: string): ChatMessage {
  return { role, content, train: false, loss_mask: 0 };
}
