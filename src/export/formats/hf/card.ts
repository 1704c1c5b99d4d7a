import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { VERSION } from '../../../core/version.js';
import { featureOf } from './fields.js';
import { HF_CONFIGS, type HfTableOutput } from './sink.js';
import type { CardFacts } from '../format.js';

export type { CardFacts };

const CONFIG_TEXT: Record<(typeof HF_CONFIGS)[number], string> = {
  trajectories: 'one row per trajectory: task, model, outcome, evaluation, the full header and footer as JSON',
  steps: 'one row per step (join on `trajectory_id`): the action, exit code, stdout and stderr kept apart, what the agent was shown, the files it changed',
  chat: 'one conversation per trajectory for supervised fine-tuning: `messages` in OpenAI format with `tools` as a JSON string, `messages_cwm` in CWM\'s text tool format; every message has `train` / `loss_mask`',
};

/** Write README.md: the YAML block `datasets` reads (configs, data_files globs, features, splits) and a readable card. */
export async function writeDatasetCard(dir: string, tables: HfTableOutput[], facts: CardFacts): Promise<string> {
  const splits = [...new Set(tables.map((t) => t.split))];
  const rel = (path: string) => relative(dir, path).split('\\').join('/');
  const configs = HF_CONFIGS.map((config) => ({
    config_name: config,
    ...(config === 'trajectories' ? { default: true } : {}),
    data_files: splits.map((split) => ({ split, path: `data/${config}/${split}-*` })),
  }));
  const datasetInfo = HF_CONFIGS.map((config) => {
    const mine = tables.filter((t) => t.config === config);
    const fields = mine[0]?.fields ?? [];
    return {
      config_name: config,
      features: fields.map(featureOf),
      splits: mine.map((t) => ({ name: t.split, num_bytes: t.bytes, num_examples: t.rows })),
      dataset_size: mine.reduce((sum, t) => sum + t.bytes, 0),
    };
  });
  const front = {
    license: facts.license,
    language: facts.languages,
    pretty_name: facts.prettyName ?? 'forager coding-agent trajectories',
    tags: ['agent-trajectories', 'code', 'software-engineering', 'forager'],
    task_categories: ['text-generation'],
    configs,
    dataset_info: datasetInfo,
  };
  const count = (config: string, split: string) => tables.find((t) => t.config === config && t.split === split)?.rows ?? 0;
  const body = [
    `# ${front.pretty_name}`,
    '',
    `Coding-agent trajectories exported by forager ${VERSION}: every action an agent ran in a repository sandbox and what it observed.`,
    '',
    '## Configs',
    ...HF_CONFIGS.map((config) => `- \`${config}\`: ${CONFIG_TEXT[config]}.`),
    '',
    '| split | trajectories | steps | conversations |',
    '|---|---|---|---|',
    ...splits.map((split) => `| ${split} | ${count('trajectories', split)} | ${count('steps', split)} | ${count('chat', split)} |`),
    '',
    '## Files',
    ...tables.flatMap((t) => t.files.map((f) => `- \`${rel(f)}\``)),
    '',
    '## Where the trajectories come from',
    '| task source | trajectories |', '|---|---|',
    ...Object.entries(facts.sources).sort((a, b) => b[1] - a[1]).map(([source, n]) => `| ${source} | ${n} |`),
    '',
    '| model | trajectories |', '|---|---|',
    ...Object.entries(facts.models).sort((a, b) => b[1] - a[1]).map(([model, n]) => `| ${model} | ${n} |`),
    '',
    '## Filters and deduplication applied',
    ...(facts.filters.length > 0 ? facts.filters.map((f) => `- ${f}`) : ['- no filters']),
    facts.dedup ? `- near-duplicates removed within each repository (MinHash over actions, Jaccard >= ${facts.dedup.threshold}): ${facts.dedup.dropped} dropped` : '- no near-duplicate removal',
    ...(facts.excludedNearDuplicates ? [`- near-duplicates of ${facts.excludedNearDuplicates.sets.map((s) => `\`${s}\``).join(', ')} removed (Jaccard >= ${facts.excludedNearDuplicates.threshold}): ${facts.excludedNearDuplicates.dropped} dropped`] : []),
    facts.split ? `- split by repository: ${facts.split.name} takes ${facts.split.fraction} of the repositories (seed ${facts.split.seed}); a repository is never on both sides` : '- one split (train)',
    '',
    '## Load',
    '```python',
    'from datasets import load_dataset',
    `steps = load_dataset("path/to/this/folder", "steps", split="${splits[0] ?? 'train'}")`,
    `chat = load_dataset("path/to/this/folder", "chat", split="${splits[0] ?? 'train'}")`,
    '```',
    '',
    'The export report (`forager-report.json`) beside `data/` lists every file read, what each filter left out and every dropped duplicate.',
    '',
  ];
  const path = join(dir, 'README.md');
  await writeFile(path, `---\n${stringify(front, { lineWidth: 0 })}---\n\n${body.join('\n')}`);
  return path;
}
