import { createTwoFilesPatch } from 'diff';
import type { Action } from '../trajectory/schema.js';
import type { Comparison, FieldDifference, StepDivergence } from './compare.js';

const DIFF_LIMIT = 200;

/** A readable account: identical, or the first divergent step with unified diffs and a list of the others. */
export function formatComparison(comparison: Comparison): string {
  const mode = comparison.normalized ? 'after normalisation' : 'byte for byte (sha256 + length)';
  const [first, ...rest] = comparison.divergent;
  if (!first) return `identical: ${comparison.compared} steps replayed with the same observations, ${mode}`;
  const lines = [
    `diverged at step ${first.recordedIndex} (${comparison.divergent.length} of ${comparison.compared} steps differ, compared ${mode})`,
    ...formatDivergence(first),
  ];
  if (rest.length) {
    lines.push('', 'other divergent steps:');
    for (const d of rest.slice(0, 50)) lines.push(`  step ${d.recordedIndex}: ${d.differences.map((f) => f.summary).join('; ')}`);
    if (rest.length > 50) lines.push(`  … and ${rest.length - 50} more`);
  }
  return lines.join('\n');
}

/** One divergent step: its action, then each field with a unified diff where text differs. */
export function formatDivergence(divergence: StepDivergence): string[] {
  const lines = [`── step ${divergence.recordedIndex}${divergence.replayedIndex !== null && divergence.replayedIndex !== divergence.recordedIndex ? ` (replayed as step ${divergence.replayedIndex})` : ''}: ${describeAction(divergence.action)}`];
  for (const difference of divergence.differences) {
    lines.push(`  ${difference.field}: ${difference.summary}`);
    if (hasText(difference)) lines.push(...unifiedDiff(difference));
  }
  return lines;
}

function hasText(difference: FieldDifference): boolean {
  return ['stdout', 'stderr', 'changes', 'action', 'shown'].includes(difference.field);
}

function unifiedDiff(difference: FieldDifference): string[] {
  const patch = createTwoFilesPatch(`recorded/${difference.field}`, `replayed/${difference.field}`, withNewline(difference.recorded), withNewline(difference.replayed), undefined, undefined, { context: 3 });
  const body = patch.split('\n').filter((line) => !line.startsWith('====') && line !== '');
  const shown = body.slice(0, DIFF_LIMIT).map((line) => `    ${line}`);
  if (body.length > DIFF_LIMIT) shown.push(`    … ${body.length - DIFF_LIMIT} more diff lines`);
  return shown;
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

function describeAction(action: Action | null): string {
  if (!action) return '(no action)';
  switch (action.tool) {
    case 'bash': return `$ ${action.command.split('\n')[0]}${action.command.includes('\n') ? ' …' : ''}`;
    case 'view': return `view ${action.path}`;
    case 'create': return `create ${action.path}`;
    case 'edit': return `edit ${action.path}`;
    case 'submit': return 'submit';
  }
}
