import type { Trajectory } from '../../trajectory/reader.js';
import type { Step } from '../../trajectory/schema.js';
import { seededUnit } from '../hash.js';
import { hasCwmCall, renderCwmCall, renderCwmOutput, stripCwmCall } from './cwm.js';
import { summarise, type TrajectorySummary } from './record.js';
import { actionArguments, OPENAI_TOOLS } from './tools.js';

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
  tools?: typeof OPENAI_TOOLS;
  messages: ChatMessage[];
}

export const DEFAULT_SYSTEM_PROMPT = 'You are a software engineering agent working in a repository inside a sandbox. Use the tools to inspect, run and change code, one tool call per turn, then submit.';

/** Rebuild a trajectory as one training conversation: system, instruction, then per step the assistant turn and what it was shown. */
export function buildConversation(trajectory: Trajectory, options: ChatOptions): ChatRecord {
  const rate = options.maskObservations ?? 0.5;
  const seed = options.seed ?? 0;
  const systemPrompt = trajectory.header.agent['system_prompt'];
  const messages: ChatMessage[] = [
    message('system', typeof systemPrompt === 'string' ? systemPrompt : DEFAULT_SYSTEM_PROMPT, false),
    message('user', trajectory.header.task.instruction, false),
  ];
  for (const step of trajectory.steps) {
    const observationTrained = seededUnit(seed, `${trajectory.header.trajectory_id}:${step.index}`) >= rate;
    messages.push(...(options.toolFormat === 'openai' ? openaiTurn(step, observationTrained) : cwmTurn(step, observationTrained)));
  }
  return {
    ...summarise(trajectory),
    tool_format: options.toolFormat,
    ...(options.toolFormat === 'openai' ? { tools: OPENAI_TOOLS } : {}),
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

function message(role: string, content: string | null, train: boolean): ChatMessage {
  return { role, content, train, loss_mask: train ? 1 : 0 };
}
