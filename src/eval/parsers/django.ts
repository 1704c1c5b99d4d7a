import type { StatusMap } from './types.js';

// The harness's parse_log_django, restated. A test is named by what its verbose line shows
// before ` ... `: `test_x (module.Class)` (Python ≥ 3.11: `test_x (module.Class.test_x)`),
// or the first docstring line when the test has one (the name then stands on the line above).

const PASS_SUFFIXES = [' ... ok', ' ... OK', ' ...  OK'];

// A test whose `ok` lands on the next line because the runner printed in between.
const SPLIT_OK = [
  /^(.*?)\s\.\.\.\sTesting against Django installed in ([\s\S]*?) silenced\)\.\nok$/gm,
  /^(.*?)\s\.\.\.\sInternal Server Error: \/(.*)\/\nok$/gm,
  /^(.*?)\s\.\.\.\sSystem check identified no issues \(0 silenced\)\nok$/gm,
];

/** Django's runner (`./tests/runtests.py --verbosity 2`), and any unittest runner at verbosity 2. */
export function parseDjango(log: string): StatusMap {
  const map: StatusMap = {};
  let previous: string | undefined;
  for (const raw of log.split('\n')) {
    let line = raw.trim();
    if (line.includes('--version is equivalent to version')) map['--version is equivalent to version'] = 'PASSED';
    if (line.includes(' ... ')) previous = line.split(' ... ')[0]!;
    for (const suffix of PASS_SUFFIXES) {
      if (!line.endsWith(suffix)) continue;
      // The harness's own exception for django__django-7188, whose migration output shares the line.
      if (line.startsWith('Applying sites.0002_alter_domain_unique...test_no_migrations')) line = line.split('...').slice(1).join('...').trim();
      map[line.slice(0, line.lastIndexOf(suffix))] = 'PASSED';
      break;
    }
    if (line.includes(' ... skipped')) map[line.split(' ... skipped')[0]!] = 'SKIPPED';
    if (line.endsWith(' ... FAIL')) map[line.split(' ... FAIL')[0]!] = 'FAILED';
    if (line.startsWith('FAIL:')) setWord(map, line, 'FAILED');
    if (line.endsWith(' ... ERROR')) map[line.split(' ... ERROR')[0]!] = 'ERROR';
    if (line.startsWith('ERROR:')) setWord(map, line, 'ERROR');
    if (line.startsWith('ok') && previous !== undefined) map[previous] = 'PASSED';
  }
  for (const pattern of SPLIT_OK) {
    for (const match of log.matchAll(pattern)) map[match[1]!] = 'PASSED';
  }
  return map;
}

/** `FAIL: test_x (module.Class)` marks `test_x` (the second word), as the harness does. */
function setWord(map: StatusMap, line: string, status: 'FAILED' | 'ERROR'): void {
  const word = line.split(/\s+/)[1];
  if (word) map[word] = status;
}
