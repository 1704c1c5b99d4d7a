/**
 * `apt-cache policy P…` output → each package's candidate version (null: no candidate,
 * the mirror does not have it). Packages apt knows nothing of are absent from the output
 * and come back null too.
 */
export function parseAptPolicy(output: string, packages: string[]): Record<string, string | null> {
  const found: Record<string, string | null> = Object.fromEntries(packages.map((p) => [p, null]));
  let current: string | null = null;
  for (const line of output.split('\n')) {
    const header = /^(\S+):$/.exec(line);
    if (header) {
      current = header[1]!;
      continue;
    }
    const candidate = /^\s+Candidate:\s*(\S+)/.exec(line);
    if (candidate && current !== null && Object.hasOwn(found, current)) found[current] = candidate[1] === '(none)' ? null : candidate[1]!;
  }
  return found;
}

/** The upstream part of a Debian version (`1:2.3.4-1+b1` → `2.3.4`; `1.2.1+actually1.2.1-1` → `1.2.1`). */
export function upstreamVersion(debian: string): string {
  const noEpoch = debian.replace(/^\d+:/, '');
  const noRevision = noEpoch.includes('-') ? noEpoch.slice(0, noEpoch.lastIndexOf('-')) : noEpoch;
  return noRevision.replace(/[+~].*$/, '');
}
