import { distributionOfModule, FIXTURE_PLUGINS, MARKER_PLUGINS } from './debian.js';
import { unrecognisedOptions } from './pytest-options.js';

/** What a test run's log says is missing, for the scripted installer's next round. */
export interface Diagnosis {
  /** Top-level modules that failed to import. */
  modules: string[];
  /** Distributions that would provide them, and the plugins of missing fixtures. */
  distributions: string[];
  /** pytest options the run did not know. */
  options: string[];
  /** The run needed the network (name resolution or connections refused). */
  network: boolean;
  /** pytest stopped because some test files did not collect (no test of the others ran). */
  collectionInterrupted: boolean;
}

// `python3 -m X` without X says `python3: No module named X` (no quotes, no exception name).
const MISSING_MODULE = /(?:ModuleNotFoundError: No module named|ImportError: No module named|python[\d.]*: No module named) '?([A-Za-z_][\w.]*)'?/g;
const MISSING_FIXTURE = /fixture '([\w]+)' not found/g;
const UNKNOWN_MARK = /Unknown pytest\.mark\.(\w+)/g;
const NETWORK = /(Temporary failure in name resolution|Name or service not known|Network is unreachable|urlopen error|socket\.gaierror|ConnectionRefusedError|Failed to establish a new connection)/;

/** Read a test run's log for missing modules, fixtures, options and network needs. */
export function diagnoseLog(log: string, ownPackages: string[] = []): Diagnosis {
  const modules = new Set<string>();
  for (const m of log.matchAll(MISSING_MODULE)) modules.add(m[1]!.split('.')[0]!);
  const distributions = new Set<string>();
  for (const module of modules) if (!ownPackages.includes(module)) distributions.add(distributionOfModule(module));
  for (const m of log.matchAll(MISSING_FIXTURE)) {
    const plugin = FIXTURE_PLUGINS[m[1]!];
    if (plugin && plugin !== 'pytest') distributions.add(plugin);
  }
  for (const m of log.matchAll(UNKNOWN_MARK)) {
    const plugin = MARKER_PLUGINS[m[1]!];
    if (plugin) distributions.add(plugin);
  }
  return {
    modules: [...modules], distributions: [...distributions], options: unrecognisedOptions(log), network: NETWORK.test(log),
    collectionInterrupted: /Interrupted: \d+ errors? during collection/.test(log),
  };
}
