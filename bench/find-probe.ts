import { shellQuote } from '../src/core/quote.js';

/**
 * The state probe forager used before the overlay reader, kept for the state bench only:
 * one `find` over the workdir run in the agent's own session after each step, its whole
 * listing split and diffed in the harvester.
 */
const PRUNED = ['.git', '__pycache__', 'node_modules', '.pytest_cache'];

export function findProbe(root: string): string {
  const prune = PRUNED.map((name) => `-name ${name}`).join(' -o ');
  return `find ${shellQuote(root)} -xdev \\( ${prune} \\) -prune -o \\( -type f -o -type l \\) -printf '%P\\t%T@\\t%s\\0'`;
}

/** The old diff: the listing after the step against the one before it. */
export class FindTracker {
  private previous: Map<string, string> | undefined;

  update(listing: Buffer): number {
    const now = new Map<string, string>();
    for (const record of listing.toString('utf8').split('\0')) {
      const at = record.indexOf('\t');
      if (at >= 0) now.set(record.slice(0, at), record.slice(at + 1));
    }
    const before = this.previous;
    this.previous = now;
    if (!before) return 0;
    let changed = 0;
    for (const [path, sig] of now) if (before.get(path) !== sig) changed += 1;
    for (const path of before.keys()) if (!now.has(path)) changed += 1;
    return changed;
  }
}
