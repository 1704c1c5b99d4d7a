/**
 * PEP 508 requirement strings, as far as choosing what to install needs them: the
 * distribution name (PEP 503-normalised), extras, the version specifier as written, and
 * the environment marker evaluated for the sandbox's Python on Linux.
 */
export interface Requirement {
  /** As written (`Foo_Bar`). */
  raw: string;
  /** PEP 503 normalised: lower case, runs of `-_.` as one `-` (`foo-bar`). */
  name: string;
  extras: string[];
  /** `>=1.2,<2` (empty: any). */
  specifier: string;
  marker: string | null;
}

const NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(.*)$/;

/** PEP 503's normal form of a distribution name. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** One requirement line, or null when it names no distribution (a URL, a path, an option). */
export function parseRequirement(raw: string): Requirement | null {
  const text = raw.trim();
  if (!text || text.startsWith('-') || text.startsWith('.') || text.startsWith('/')) return null;
  const [spec, ...markerParts] = text.split(';');
  const match = NAME.exec(spec!);
  if (!match) return null;
  let rest = match[3]!.trim();
  if (rest.startsWith('@')) return null; // a direct URL reference: no index or Debian name provides it
  if (rest.startsWith('(') && rest.endsWith(')')) rest = rest.slice(1, -1).trim();
  const marker = markerParts.join(';').trim();
  return {
    raw: text,
    name: normaliseName(match[1]!),
    extras: (match[2] ?? '').split(',').map((e) => normaliseName(e.trim())).filter(Boolean),
    specifier: rest.replace(/\s+/g, ''),
    marker: marker || null,
  };
}

/** The environment a marker is evaluated in (PEP 508's variables). */
export interface MarkerEnvironment {
  python_version: string;
  python_full_version: string;
  extras: string[];
}

/** The Linux, CPython environment of a sandbox with this Python (`3.11.2`). */
export function markerEnvironment(pythonVersion: string, extras: string[] = []): MarkerEnvironment {
  const [major, minor] = pythonVersion.split('.');
  return { python_version: `${major}.${minor}`, python_full_version: pythonVersion, extras };
}

const FIXED: Record<string, string> = {
  os_name: 'posix',
  sys_platform: 'linux',
  platform_system: 'Linux',
  platform_machine: 'x86_64',
  platform_python_implementation: 'CPython',
  implementation_name: 'cpython',
  platform_release: '',
  platform_version: '',
};

type Token = { kind: 'str' | 'var' | 'op' | 'lparen' | 'rparen' | 'and' | 'or'; value: string };

function tokenize(marker: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(["'])(.*?)\1|(\()|(\))|(===|==|!=|<=|>=|~=|<|>|not\s+in\b|in\b)|(and\b)|(or\b)|([A-Za-z_][A-Za-z0-9_.]*))/y;
  let at = 0;
  while (at < marker.length) {
    if (/^\s*$/.test(marker.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(marker);
    if (!m) throw new Error(`cannot read the marker ${JSON.stringify(marker)} at ${at}`);
    at = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'str', value: m[2]! });
    else if (m[3]) tokens.push({ kind: 'lparen', value: '(' });
    else if (m[4]) tokens.push({ kind: 'rparen', value: ')' });
    else if (m[5]) tokens.push({ kind: 'op', value: m[5].replace(/\s+/, ' ') });
    else if (m[6]) tokens.push({ kind: 'and', value: 'and' });
    else if (m[7]) tokens.push({ kind: 'or', value: 'or' });
    else tokens.push({ kind: 'var', value: m[8]! });
  }
  return tokens;
}

/**
 * Whether a marker holds in `env` (PEP 508: `or` of `and`s of comparisons, parentheses;
 * versions compared as versions for version variables). An unreadable marker holds: the
 * requirement is then tried, and what the tests need decides.
 */
export function evaluateMarker(marker: string | null, env: MarkerEnvironment): boolean {
  if (!marker) return true;
  let tokens: Token[];
  try {
    tokens = tokenize(marker);
  } catch {
    return true;
  }
  let i = 0;
  const value = (t: Token): string => (t.kind === 'str' ? t.value : t.value === 'extra' ? '\0extra' : (env as unknown as Record<string, string>)[t.value] ?? FIXED[t.value] ?? '');
  const comparison = (): boolean => {
    const t = tokens[i];
    if (t?.kind === 'lparen') {
      i += 1;
      const result = disjunction();
      i += 1; // ')'
      return result;
    }
    const left = tokens[i++]!;
    const op = tokens[i++]!;
    const right = tokens[i++]!;
    if (!left || !op || !right) return true;
    const [l, r] = [value(left), value(right)];
    if (l === '\0extra' || r === '\0extra') {
      const extra = normaliseName(l === '\0extra' ? r : l);
      const has = env.extras.includes(extra);
      return op.value === '!=' || op.value === 'not in' ? !has : has;
    }
    const versionVariable = [left, right].some((x) => x.kind === 'var' && /python(_full)?_version|platform_release/.test(x.value));
    return compare(l, op.value, r, versionVariable);
  };
  const conjunction = (): boolean => {
    let result = comparison();
    while (tokens[i]?.kind === 'and') {
      i += 1;
      result = comparison() && result;
    }
    return result;
  };
  const disjunction = (): boolean => {
    let result = conjunction();
    while (tokens[i]?.kind === 'or') {
      i += 1;
      result = conjunction() || result;
    }
    return result;
  };
  return disjunction();
}

function compare(left: string, op: string, right: string, asVersion: boolean): boolean {
  if (op === 'in') return right.includes(left);
  if (op === 'not in') return !right.includes(left);
  if (!asVersion) return op === '==' || op === '===' ? left === right : op === '!=' ? left !== right : true;
  if (op === '==' && right.endsWith('.*')) return left === right.slice(0, -2) || left.startsWith(right.slice(0, -1));
  if (op === '!=' && right.endsWith('.*')) return !(left === right.slice(0, -2) || left.startsWith(right.slice(0, -1)));
  const c = compareVersions(left, right);
  switch (op) {
    case '==': case '===': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
    case '~=': return c >= 0 && compareVersions(left, right.split('.').slice(0, -1).join('.') + '.99999') <= 0;
    default: return true;
  }
}

/** Release segments compared numerically (`3.10` > `3.9`); pre/post/dev suffixes ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => (/^\d+(\.\d+)*/.exec(v.trim())?.[0] ?? '0').split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether `version` satisfies a specifier set such as `>=3.8,!=3.0.*` (an empty set: yes). */
export function satisfies(version: string, specifier: string): boolean {
  return specifier.split(',').map((s) => s.trim()).filter(Boolean).every((clause) => {
    const m = /^(===|==|!=|<=|>=|~=|<|>)\s*(.+)$/.exec(clause);
    return m ? compare(version, m[1]!, m[2]!.trim(), true) : true;
  });
}
