import { TaskError } from '../../core/errors.js';
import { parseDjango } from './django.js';
import { junitKey, parseJunitReport } from './junit.js';
import { PARSER_NAMES, type ParserName } from './names.js';
import { parseMatplotlib, parsePytest, parsePytestOptions, parsePytestV2, parseSeaborn } from './pytest.js';
import { parseSympy } from './sympy.js';
import type { LogParser } from './types.js';
import { parseUnittest } from './unittest.js';

export { PARSER_NAMES, type ParserName } from './names.js';
export type { HarnessStatus, LogParser, StatusMap } from './types.js';
export { parseDjango, parseJunitReport, parseMatplotlib, parsePytest, parsePytestOptions, parsePytestV2, parseSeaborn, parseSympy, parseUnittest };

/**
 * A log as the harness reads it: grading.py opens the log file in text mode, so Python's
 * universal newlines end a line at `\r\n`, `\r` and `\n` alike. A test that draws progress
 * with `\r` (`... 10%\r100%\rok`) ends its line where the harness sees it end.
 */
export function universalNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

const log = (name: ParserName, parse: (text: string) => ReturnType<LogParser['parse']>): LogParser => ({ name, input: 'log', parse: (text) => parse(universalNewlines(text)) });

/** Every parser by name (`eval.parser` in a task file). */
export const PARSERS: Record<ParserName, LogParser> = {
  junit: { name: 'junit', input: 'junit', parse: parseJunitReport, keyOf: junitKey },
  pytest: log('pytest', (t) => parsePytest(t)),
  'pytest-options': log('pytest-options', parsePytestOptions),
  'pytest-v2': log('pytest-v2', parsePytestV2),
  matplotlib: log('matplotlib', parseMatplotlib),
  seaborn: log('seaborn', parseSeaborn),
  django: log('django', parseDjango),
  sympy: log('sympy', parseSympy),
  unittest: log('unittest', parseUnittest),
};

/** The parser named `name`; an unknown name is a task error listing the known ones. */
export function parserNamed(name: string): LogParser {
  if ((PARSER_NAMES as readonly string[]).includes(name)) return PARSERS[name as ParserName];
  throw new TaskError('TASK_INVALID', `unknown test log parser "${name}": expected one of ${PARSER_NAMES.join(', ')}`);
}
