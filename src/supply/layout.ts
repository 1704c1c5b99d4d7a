import { join } from 'node:path';

/**
 * The one place that knows a supply folder:
 *
 *     OUT/supply.jsonl                      append-only event log (history; the files below are the truth)
 *     OUT/sources/<key>.git                 mirrors of repositories given by URL
 *     OUT/envs/<key>/env.json               the environment's record (verified or failed, with its reason)
 *     OUT/trajectories/<key>-install/0.jsonl the model installer's trajectory (a harvest batch's layout)
 *     OUT/mine/<key>/{instances.jsonl,tasks/,mine.json}   mined issue-fix tasks
 *     OUT/mutants/<key>/{source.task.yaml,repo/,<id>/task.yaml,mutate.json}   mutate-fix tasks
 *     OUT/validate/<key>.json               each task's soundness (gold resolves, empty does not)
 */
export const SUPPLY_LOG = 'supply.jsonl';

export const supplyPaths = {
  log: (out: string) => join(out, SUPPLY_LOG),
  sources: (out: string) => join(out, 'sources'),
  env: (out: string, key: string) => join(out, 'envs', key),
  mine: (out: string, key: string) => join(out, 'mine', key),
  mutants: (out: string, key: string) => join(out, 'mutants', key),
  validate: (out: string, key: string) => join(out, 'validate', `${key}.json`),
};
