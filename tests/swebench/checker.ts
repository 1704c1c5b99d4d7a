import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The rules the official harness applies to a predictions file (run_evaluation.py
 * get_predictions / get_dataset_from_preds): JSON lines holding exactly instance_id,
 * model_name_or_path and model_patch (strings), instance ids unique, and each non-empty
 * patch applying to its instance's base commit (`git apply --check`). Returns the problems.
 */
export function checkPredictions(text: string, checkoutOf: (instanceId: string) => string | undefined): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
    } catch {
      problems.push(`line ${i + 1}: not JSON`);
      continue;
    }
    const keys = Object.keys(value).sort().join(',');
    if (keys !== 'instance_id,model_name_or_path,model_patch') problems.push(`line ${i + 1}: keys ${keys}`);
    if (!['instance_id', 'model_name_or_path', 'model_patch'].every((k) => typeof value[k] === 'string')) problems.push(`line ${i + 1}: a field is not a string`);
    const id = value.instance_id as string;
    if (seen.has(id)) problems.push(`line ${i + 1}: duplicate instance_id ${id}`);
    seen.add(id);
    const patch = value.model_patch as string;
    if (patch === '') continue;
    const checkout = checkoutOf(id);
    if (!checkout) {
      problems.push(`line ${i + 1}: no base checkout for ${id}`);
      continue;
    }
    const file = join(checkout, '.forager-check.patch');
    writeFileSync(file, patch);
    try {
      execFileSync('git', ['apply', '--check', file], { cwd: checkout, stdio: 'pipe' });
    } catch (error) {
      problems.push(`line ${i + 1}: ${id}: patch does not apply: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
    }
  }
  return problems;
}

/** The harness's run report (schema_version 2): every count equals its list, outcomes disjoint, completed = resolved + unresolved, lists sorted. */
export function checkRunReport(report: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const list = (key: string): string[] => {
    const v = report[key];
    if (!Array.isArray(v)) {
      problems.push(`${key}: not a list`);
      return [];
    }
    if (JSON.stringify([...v].sort()) !== JSON.stringify(v)) problems.push(`${key}: not sorted`);
    return v as string[];
  };
  if (report.schema_version !== 2) problems.push('schema_version is not 2');
  for (const name of ['completed', 'resolved', 'unresolved', 'empty_patch', 'error']) {
    if (report[`${name}_instances`] !== list(`${name}_ids`).length) problems.push(`${name}_instances does not count ${name}_ids`);
  }
  if (report.submitted_instances !== list('submitted_ids').length) problems.push('submitted_instances does not count submitted_ids');
  const outcomes = ['resolved_ids', 'unresolved_ids', 'empty_patch_ids', 'error_ids'].flatMap(list);
  if (new Set(outcomes).size !== outcomes.length) problems.push('an id is in two outcome lists');
  const completed = [...list('resolved_ids'), ...list('unresolved_ids')].sort();
  if (JSON.stringify(completed) !== JSON.stringify(list('completed_ids'))) problems.push('completed_ids is not resolved + unresolved');
  const submitted = new Set(list('submitted_ids'));
  for (const id of outcomes) if (!submitted.has(id)) problems.push(`${id} has an outcome but was not submitted`);
  if ((report.total_instances as number) < submitted.size + list('incomplete_ids').length) problems.push('total_instances is too small');
  return problems;
}
