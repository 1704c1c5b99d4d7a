import { HARNESS_STATUSES, type HarnessStatus, type StatusMap } from './types.js';

// The harness's rules for pytest's `-rA` short summary (swebench/harness/log_parsers/python.py),
// restated: each line starting with a status word names one test.

const SKIP_COUNT = /^\[\d+\]$/;

/** Python's str.split(): runs of whitespace, no empty ends. */
function words(line: string): string[] {
  return line.split(/\s+/).filter((w) => w !== '');
}

function statusAt(line: string): boolean {
  return HARNESS_STATUSES.some((s) => line.startsWith(s));
}

function isStatus(word: string): word is HarnessStatus {
  return (HARNESS_STATUSES as readonly string[]).includes(word);
}

/** `SKIPPED [N] path:line: reason` names no test: its [N] is a count. */
function isSkipSummary(status: string, name: string): boolean {
  return status === 'SKIPPED' && SKIP_COUNT.test(name);
}

/**
 * The harness's parse_log_pytest: the test id is the word after the status, so a
 * parametrised id holding a space is cut at the space (SWE-bench's FAIL_TO_PASS lists hold
 * such cut ids; grading matches them by prefix). On FAILED lines ` - ` is dropped first.
 */
export function parsePytest(log: string, rewrite: (line: string) => string = (l) => l): StatusMap {
  const map: StatusMap = {};
  for (const raw of log.split('\n')) {
    let line = rewrite(raw);
    if (!statusAt(line)) continue;
    if (line.startsWith('FAILED')) line = line.replaceAll(' - ', ' ');
    const [status, name] = words(line);
    if (name === undefined || !isStatus(status!) || isSkipSummary(status!, name)) continue;
    map[name] = status!;
  }
  return map;
}

/** The harness's parse_log_pytest_options (requests, pydicom, pylint): a path-like option keeps only its last segment. */
export function parsePytestOptions(log: string): StatusMap {
  const map: StatusMap = {};
  for (const [name, status] of Object.entries(parsePytest(log))) {
    const option = /^(.*?)\[(.*)\]/.exec(name);
    if (!option) {
      map[name] = status;
      continue;
    }
    let [, main, value] = option as unknown as [string, string, string];
    if (value.startsWith('/') && !value.startsWith('//') && !value.includes('*')) value = `/${value.split('/').pop()}`;
    map[`${main}[${value}]`] = status;
  }
  return map;
}

const CONTROL = /[\x01-\x1f]/g;

/**
 * The harness's parse_log_pytest_v2 (astropy, scikit-learn, sphinx): colour codes and control
 * characters removed, the whole rest of the line is the id (spaces kept), FAILED lines cut at
 * the first ` - `; lines ending in a status word (`-v` progress lines) count too.
 */
export function parsePytestV2(log: string): StatusMap {
  const map: StatusMap = {};
  for (const raw of log.split('\n')) {
    const line = raw.replace(/\[(\d+)m/g, '').replace(CONTROL, '');
    if (statusAt(line)) {
      const cut = line.startsWith('FAILED') ? line.split(' - ')[0]! : line;
      const w = words(cut);
      if (w.length >= 2 && isStatus(w[0]!) && !isSkipSummary(w[0]!, w[1]!)) map[w.slice(1).join(' ')] = w[0]!;
    } else if (HARNESS_STATUSES.some((s) => line.endsWith(s))) {
      const w = words(line);
      const last = w.at(-1)!;
      if (w.length >= 2 && isStatus(last)) map[w.slice(0, -1).join(' ')] = last;
    }
  }
  return map;
}

/** The harness's parse_log_matplotlib: parse_log_pytest with mouse-button names as numbers. */
export function parseMatplotlib(log: string): StatusMap {
  return parsePytest(log, (line) => line.replaceAll('MouseButton.LEFT', '1').replaceAll('MouseButton.RIGHT', '3'));
}

/** The harness's parse_log_seaborn: `FAILED id`, `PASSED id` and `id PASSED …` lines. */
export function parseSeaborn(log: string): StatusMap {
  const map: StatusMap = {};
  for (const line of log.split('\n')) {
    const parts = words(line);
    if (parts.length < 2) continue;
    if (line.startsWith('FAILED')) map[parts[1]!] = 'FAILED';
    else if (line.includes(' PASSED ')) {
      if (parts[1] === 'PASSED') map[parts[0]!] = 'PASSED';
    } else if (line.startsWith('PASSED')) map[parts[1]!] = 'PASSED';
  }
  return map;
}
