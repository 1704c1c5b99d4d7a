/**
 * pytest command-line options that belong to a plugin: the distribution that provides
 * them. `strip` options are dropped from the repository's addopts whatever happens —
 * coverage, parallel runs and random order change timing and order, not which tests
 * pass — the others only when their plugin cannot be installed.
 */
const PLUGIN_OPTIONS: { pattern: RegExp; plugin: string; strip?: boolean; takesValue?: boolean }[] = [
  { pattern: /^--cov(-\w+)?(=|$)|^--no-cov/, plugin: 'pytest-cov', strip: true },
  { pattern: /^-n$|^--numprocesses|^--dist|^--maxprocesses|^-n\d+$|^-nauto$/, plugin: 'pytest-xdist', strip: true },
  { pattern: /^--randomly|^-p\s*randomly$/, plugin: 'pytest-randomly', strip: true },
  { pattern: /^--timeout/, plugin: 'pytest-timeout' },
  { pattern: /^--benchmark/, plugin: 'pytest-benchmark' },
  { pattern: /^--codspeed/, plugin: 'pytest-codspeed', strip: true },
  { pattern: /^--mypy/, plugin: 'pytest-mypy', strip: true },
  { pattern: /^--flake8/, plugin: 'pytest-flake8', strip: true },
  { pattern: /^--black/, plugin: 'pytest-black', strip: true },
  { pattern: /^--isort/, plugin: 'pytest-isort', strip: true },
  { pattern: /^--ruff/, plugin: 'pytest-ruff', strip: true },
  { pattern: /^--reruns/, plugin: 'pytest-rerunfailures' },
  { pattern: /^--asyncio-mode/, plugin: 'pytest-asyncio' },
  { pattern: /^--html/, plugin: 'pytest-html', strip: true },
  { pattern: /^--mpl/, plugin: 'pytest-mpl' },
  { pattern: /^--color/, plugin: 'pytest', strip: true },
];

/** Options of the repository's addopts that take the next word as their value when given without `=`. */
const VALUE_OPTIONS = new Set(['-n', '--cov', '--cov-report', '--cov-config', '--dist', '--timeout', '--numprocesses', '--reruns', '-p', '--color', '--asyncio-mode']);

export interface AddoptsPlan {
  /** Plugins the addopts need (to install where they exist). */
  plugins: string[];
  /** The addopts to run with, when they had to change; null: the repository's own stand. */
  addopts: string[] | null;
}

/** Split addopts into option groups (an option and its value). */
function groups(addopts: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < addopts.length; i += 1) {
    const word = addopts[i]!;
    if (VALUE_OPTIONS.has(word) && i + 1 < addopts.length) {
      out.push([word, addopts[i + 1]!]);
      i += 1;
    } else out.push([word]);
  }
  return out;
}

/**
 * Which plugins the addopts need, and the addopts with what must go removed: always
 * coverage, parallelism, random order and colour; a plugin's options when `available`
 * says it cannot be installed.
 */
export function planAddopts(addopts: string[], available: (plugin: string) => boolean): AddoptsPlan {
  const plugins = new Set<string>();
  const kept: string[] = [];
  let changed = false;
  for (const group of groups(addopts)) {
    const joined = group.join(' ');
    const rule = PLUGIN_OPTIONS.find((r) => r.pattern.test(group[0]!) || r.pattern.test(joined));
    if (!rule || rule.plugin === 'pytest') {
      if (rule) changed = true;
      else kept.push(...group);
      continue;
    }
    if (rule.strip || !available(rule.plugin)) {
      changed = true;
      continue;
    }
    plugins.add(rule.plugin);
    kept.push(...group);
  }
  return { plugins: [...plugins], addopts: changed ? kept : null };
}

/** The options a pytest error says it does not know (`unrecognized arguments: --foo --bar=1`). */
export function unrecognisedOptions(log: string): string[] {
  const m = /unrecognized arguments: (.+)$/m.exec(log);
  return m ? m[1]!.trim().split(/\s+/) : [];
}
