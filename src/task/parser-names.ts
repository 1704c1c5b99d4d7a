/**
 * The log parsers a task may name in `eval.parser` (a leaf module: the task schema reads it
 * without loading the parsers). Names follow the SWE-bench harness's parse_log_* functions.
 */
export const PARSER_NAMES = [
  'junit',
  'pytest',
  'pytest-options',
  'pytest-v2',
  'matplotlib',
  'seaborn',
  'django',
  'sympy',
  'unittest',
] as const;
export type ParserName = (typeof PARSER_NAMES)[number];
