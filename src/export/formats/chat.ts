import type { Trajectory } from '../../trajectory/reader.js';
import type { Step } from '../../trajectory/schema.js';
import { seededUnit } from '../hash.js';
import { hasCwmCall, renderCwmCall, renderCwmOutput, stripCwmCall } from './cwm.js';
import { renderOpening } from './prompts.js';
import { summarise, type TrajectorySummary } from './record.js';
import { OPENAI_TOOLS } from '../../agent/protocols/openai-tools.js';
import { actionArguments } from './tools.js';

export type ToolFormat = 'openai' | 'cwm';

export interface ChatOptions {
  toolFormat: ToolFormat;
  /** Share of observation messages left out of the loss (0..1); default 0.5 as CWM did. */
  maskObservations?: number;
  /** Seeds which observations are masked; the choice depends only on it and the step. */
  seed?: number;
}

/**
 * One message. `train` says whether its tokens count in the loss; `loss_mask` says the
 * same as 1 (counts) or 0 (masked), for trainers that read a number.
 */
export interface ChatMessage {
  role: string;
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  name?: string;
  reasoning_content?: string;
  train: boolean;
  loss_mask: 0 | 1;
}

export interface ChatRecord extends TrajectorySummary {
  tool_format: ToolFormat;
  tools?: unknown[];
  messages: ChatMessage[];
}

/** Rebuild a trajectory as one training conversation: system, instruction, then per step the assistant turn and what it was shown. */
export function buildConversation(trajectory: Trajectory, options: ChatOptions): ChatRecord {
  const rate = options.maskObservations ?? 0.5;
  const seed = options.seed ?? 0;
  const opening = renderOpening(trajectory, options.toolFormat);
  const messages: ChatMessage[] = [message('system', opening.system, false), message('user', opening.user, false)];
  for (const step of trajectory.steps) {
    const observationTrained = seededUnit(seed, `${trajectory.header.trajectory_id}:${step.index}`) >= rate;
    messages.push(...(options.toolFormat === 'openai' ? openaiTurn(step, observationTrained) : cwmTurn(step, observationTrained)));
  }
  return {
    ...summarise(trajectory),
    tool_format: options.toolFormat,
    ...(options.toolFormat === 'openai' ? { tools: toolsOf(trajectory) } : {}),
    messages,
  };
}

function openaiTurn(step: Step, observationTrained: boolean): ChatMessage[] {
  const model = step.model;
  const assistant = message('assistant', null, step.action !== null);
  if (model?.reasoning !== undefined) assistant.reasoning_content = model.reasoning;
  const recordedCall = model?.tool_calls?.[0];
  if (recordedCall) {
    assistant.content = model?.raw_text ? model.raw_text : null;
    assistant.tool_calls = [{ id: recordedCall.id, type: 'function', function: { name: recordedCall.name, arguments: recordedCall.arguments } }];
  } else if (step.action) {
    const text = model ? stripCwmCall(model.raw_text) : '';
    assistant.content = text === '' ? null : text;
    assistant.tool_calls = [{ id: `call_${step.index}`, type: 'function', function: { name: step.action.tool, arguments: actionArguments(step.action) } }];
  } else {
    assistant.content = model?.raw_text ?? '';
  }
  const call = assistant.tool_calls?.[0];
  const observation = call
    ? { ...message('tool', step.shown, observationTrained), tool_call_id: call.id, name: call.function.name }
    : message('user', step.shown, observationTrained);
  return [assistant, observation];
}

function cwmTurn(step: Step, observationTrained: boolean): ChatMessage[] {
  const raw = step.model?.raw_text ?? '';
  if (!step.action) {
    // A malformed call: CWM answers it with a user message (`FormatError: …`).
    return [message('assistant', raw, false), message('user', step.shown, observationTrained)];
  }
  const content = hasCwmCall(raw) ? raw : [raw.trim(), renderCwmCall(step.action)].filter((part) => part !== '').join('\n');
  return [message('assistant', content, true), message(`tool: ${step.action.tool}`, renderCwmOutput(step.shown), observationTrained)];
}

/** The tools the model was offered when it used function calling, else forager's five tools. */
function toolsOf(trajectory: Trajectory): unknown[] {
  const recorded = trajectory.header.agent['tools'];
  return Array.isArray(recorded) && recorded.length > 0 ? recorded : OPENAI_TOOLS;
}

function message(role: string, content: string | null, train: boolean): ChatMessage {
  return { role, content, train, loss_mask: train ? 1 : 0 };
}
