import type { Step } from '../../../trajectory/schema.js';
import { readProblem, renderProblem } from '../problem.js';
import type { ChatExportMessage, ExportTurnContext, RecordedTurn } from '../types.js';
import { formatCwmCall } from './call.js';
import { CWM_DEFAULTS, CwmLedger } from './ledger.js';
import { toolFeedback } from './observe.js';
import { getTokenCounter } from './tokens.js';

/**
 * A recorded turn as CWM's chat turns. A turn CWM's agent recorded is exported as it was
 * shown (the tool results hold their budget blocks), each assistant turn opened with the
 * `<think>\n` of tag reasoning as CWM's environment opens it. A turn recorded in another format is
 * converted only where CWM's environment would have answered the same: bash results (output,
 * session sentences and budget block rebuilt with CWM's token ledger) and format errors;
 * view, forager's edit and create (other rules, other answers) and free-text submits are
 * refused through `context.refuse` and left out.
 */
export function exportCwmTurn(turn: RecordedTurn, context: ExportTurnContext): ChatExportMessage[] {
  return context.source === 'cwm' ? exportRecorded(turn, context) : exportConverted(turn, context);
}

function exportRecorded(turn: RecordedTurn, context: ExportTurnContext): ChatExportMessage[] {
  const out: ChatExportMessage[] = [];
  for (const step of turn.steps) {
    const raw = step === turn.steps[0] ? turn.model?.raw_text ?? '' : '';
    // The turn as CWM's context holds it: the `<think>\n` the environment opened it with, then the model's words.
    out.push(message('assistant', (context.assistantPrefix ?? '') + raw, step.model?.format_error === undefined));
    if (step.shown === '') continue;
    const trained = context.observationTrained(String(step.index));
    if (step.action) out.push(message(`tool: ${step.action.tool}`, step.shown, trained));
    else if (step.shown.startsWith('<output>\n')) out.push(message(`tool: ${toolNameOf(raw)}`, step.shown, trained));
    else out.push(message('user', step.shown, trained));
  }
  return out;
}

/** The tool a refused call named: the last `<tool: NAME>` of the answer (the one after any reasoning). */
function toolNameOf(text: string): string {
  return [...text.matchAll(/<tool:\s([a-zA-Z_]+)>/g)].at(-1)?.[1] ?? 'unknown';
}

const REFUSED: Record<string, string> = {
  view: 'CWM has no view tool',
  edit: "forager's edit matches anywhere and answers differently; CWM's edit result cannot be rebuilt from the record",
  create: "forager's create makes parent folders and answers differently; CWM's create result cannot be rebuilt from the record",
  submit: "forager's submit takes free text; CWM's takes the path of a patch file",
};

function exportConverted(turn: RecordedTurn, context: ExportTurnContext): ChatExportMessage[] {
  const ledger = ledgerOf(context);
  const out: ChatExportMessage[] = [];
  for (const step of turn.steps) {
    if (step.action && REFUSED[step.action.tool]) {
      context.refuse?.(step.index, REFUSED[step.action.tool]!);
      continue;
    }
    if (step.action && step.observation && !step.observation.stdout) {
      // An imported step: its source kept the text its own agent was shown, not the streams CWM's answer is built from.
      context.refuse?.(step.index, 'imported step: the source recorded only the text its agent was shown, not the output CWM would answer with');
      continue;
    }
    const call = step.action ? formatCwmCall(step.action) : turn.model?.raw_text ?? '';
    ledger.answer(call);
    out.push(message('assistant', call, step.action !== null));
    out.push(reply(step, ledger, context));
  }
  return out;
}

function reply(step: Step, ledger: CwmLedger, context: ExportTurnContext): ChatExportMessage {
  const trained = context.observationTrained(String(step.index));
  if (!step.action || !step.observation) return message('user', ledger.userReply(renderProblem(readProblem(step.shown))).body, trained);
  const { feedback } = toolFeedback(step.action, step.observation);
  return message(`tool: ${step.action.tool}`, ledger.toolReply(step.action.tool, feedback).message.body, trained);
}

/** One ledger per exported trajectory, opened with the exported system and user messages. */
function ledgerOf(context: ExportTurnContext): CwmLedger {
  const scratch = context.scratch ?? {};
  if (scratch.cwmLedger instanceof CwmLedger) return scratch.cwmLedger;
  const opening = context.opening;
  const ledger = new CwmLedger(
    { contextSize: opening?.contextWindow ?? CWM_DEFAULTS.contextSize, maxTurns: opening?.maxTurns ?? CWM_DEFAULTS.maxTurns, reasoning: 'off', maxPromptTokens: CWM_DEFAULTS.maxPromptTokens, maxResultTokens: CWM_DEFAULTS.maxResultTokens },
    getTokenCounter('llama3'),
  );
  ledger.start(opening?.system ?? '', opening?.user ?? '');
  scratch.cwmLedger = ledger;
  return ledger;
}

function message(role: string, content: string, train: boolean): ChatExportMessage {
  return { role, content, train, loss_mask: train ? 1 : 0 };
}
