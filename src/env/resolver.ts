import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProvidedSandbox } from '../sandbox/index.js';
import { TaskError } from '../core/errors.js';
import { PACKAGE_ROOT } from '../core/package-root.js';
import { runIn, tail } from '../eval/index.js';
import { shellQuote } from '../core/quote.js';
import { parseAptPolicy } from './apt-policy.js';
import { parseFacts, type RepoFacts } from './facts.js';
import { REPO_ROOT } from './recipe.js';
import { readBounded } from './sandbox-files.js';

const WORK = '/tmp/forager-env';
const PROBE = join(PACKAGE_ROOT, 'src', 'env', 'python', 'probe.py');
const MAX_FACTS_BYTES = 4 * 1024 * 1024;

/**
 * The installer's view of the world from inside a sandbox of the repository (bridge
 * network: Debian's mirror, and the pip index where one is named): the repository's own
 * configuration, which Debian packages exist, which names the index serves. Nothing of the
 * repository runs here: the probe only reads its files.
 */
export class Resolver {
  private aptReady = false;
  private readonly versions = new Map<string, string | null>();

  constructor(readonly sandbox: ProvidedSandbox, private readonly signal?: AbortSignal) {}

  /** What probe.py reads of the repository's build and test configuration. */
  async probe(): Promise<RepoFacts> {
    await this.sandbox.writeFile(`${WORK}/probe.py`, await readFile(PROBE), { signal: this.signal });
    const result = await runIn(this.sandbox, REPO_ROOT, `python3 ${WORK}/probe.py > ${WORK}/facts.json`, { timeoutMs: 120_000, signal: this.signal });
    if (result.exitCode !== 0) throw new TaskError('ENV_PROBE_FAILED', `the repository probe failed (exit ${result.exitCode}): ${tail(result.output, 1500)}`);
    const bytes = await readBounded(this.sandbox, `${WORK}/facts.json`, MAX_FACTS_BYTES, this.signal);
    return parseFacts(bytes?.toString('utf8') ?? '', 'probe.py');
  }

  /** Each package's candidate version on Debian's mirror (null: not there). */
  async debianVersions(packages: string[]): Promise<Record<string, string | null>> {
    const wanted = [...new Set(packages)].filter((p) => /^[a-z0-9][a-z0-9+.-]*$/.test(p));
    const unknown = wanted.filter((p) => !this.versions.has(p));
    if (unknown.length > 0) {
      if (!this.aptReady) {
        const update = await runIn(this.sandbox, '/', 'apt-get update -qq 2>&1 | tail -5', { timeoutMs: 300_000, signal: this.signal });
        if (update.exitCode !== 0 || /^(E|Err):/m.test(update.output)) {
          throw new TaskError('ENV_DEBIAN_UNREACHABLE', `Debian's mirror did not answer from the sandbox (apt-get update): ${tail(update.output, 1000)}`);
        }
        this.aptReady = true;
      }
      const policy = await runIn(this.sandbox, '/', `apt-cache policy ${unknown.map(shellQuote).join(' ')}`, { timeoutMs: 120_000, signal: this.signal });
      const found = parseAptPolicy(policy.output, unknown);
      for (const [pkg, version] of Object.entries(found)) this.versions.set(pkg, version);
    }
    return Object.fromEntries(wanted.map((p) => [p, this.versions.get(p) ?? null]));
  }

  /**
   * Whether the index answers from the sandbox, and which of `names` it serves (PEP 503
   * simple pages: `<index>/<name>/` answers 200). Null when it does not answer at all.
   */
  async indexNames(index: string, names: string[], reachTimeoutS = 20): Promise<Record<string, boolean> | null> {
    const script = [
      'import json, sys, urllib.request, urllib.error',
      'index = sys.argv[1].rstrip("/")',
      'def has(name):',
      '    try:',
      '        with urllib.request.urlopen("%s/%s/" % (index, name), timeout=20) as r:',
      '            return r.status == 200',
      '    except urllib.error.HTTPError:',
      '        return False',
      'try:',
      '    # A small page answers whether the index is there (its root can be the whole list of names).',
      '    urllib.request.urlopen(index + "/pip/", timeout=float(sys.argv[2])).close()',
      'except urllib.error.HTTPError:',
      '    pass',
      'except Exception as e:',
      '    print(json.dumps(None)); sys.exit(0)',
      'print(json.dumps({n: has(n) for n in sys.argv[3:]}))',
    ].join('\n');
    await this.sandbox.writeFile(`${WORK}/index.py`, script, { signal: this.signal });
    const result = await runIn(this.sandbox, '/', `python3 ${WORK}/index.py ${[index, String(reachTimeoutS), ...names].map(shellQuote).join(' ')}`, { timeoutMs: 300_000, signal: this.signal });
    let answer: unknown;
    try {
      answer = JSON.parse(result.output.trim().split('\n').pop() ?? 'null');
    } catch {
      answer = null;
    }
    if (answer === null || typeof answer !== 'object') return null;
    return Object.fromEntries(names.map((n) => [n, (answer as Record<string, unknown>)[n] === true]));
  }
}
