import { type Json } from '../errors.js';
import { pyFindAll, pyStrip, timeOf } from '../python-text.js';
import { textOf } from '../read-input.js';
import type { Turn } from '../record.js';
import { answerTurn } from './answers.js';

/**
 * The turns of a trajectory that kept no parsed actions (`mini-swe-agent-1` files, and bare
 * message lists): each assistant message is parsed as mini-swe-agent parsed it —
 * `re.findall(action_regex, content, re.DOTALL)`, exactly one match or the answer is
 * refused, the action `match.strip()` — and the next user message is what it was shown
 * (the observation, a timeout notice, the format error, or the submission).
 */
export function turnsFromText(messages: Json[], start: number, actionRegex: string, where: string): Turn[] {
  const turns: Turn[] = [];
  for (let i = start; i < messages.length; i += 1) {
    const message = messages[i]!;
    if (message['role'] !== 'assistant') continue;
    const text = textOf(message['content']);
    const found = pyFindAll(actionRegex, text, where);
    const reply = messages[i + 1]?.['role'] === 'user' ? textOf(messages[i + 1]!['content']) : '';
    const turn: Turn = { ...answerTurn(message), action: null, shown: reply };
    if (found.length === 1) {
      turn.action = { tool: 'bash', command: pyStrip(found[0]!) };
      // The observation template of mini-swe-agent's configs opens with the exit code; a timeout notice has none.
      const code = /^<returncode>(-?\d+)<\/returncode>/.exec(reply);
      if (code && Number(code[1]) >= 0) turn.exitCode = Number(code[1]);
    } else turn.formatError = reply;
    const time = timeOf(message['timestamp']);
    if (time && !turn.timestamp) turn.timestamp = time;
    turns.push(turn);
  }
  return turns;
}
