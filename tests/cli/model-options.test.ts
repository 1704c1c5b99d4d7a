import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { addModelOptions, commandLineOnly, MODEL_FLAGS, modelOverridesFrom, pricesFrom } from '../../src/cli/model-options.js';

const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('FORAGER_') && !(key in saved)) delete process.env[key];
});

function parse(args: string[], keep?: (command: Command) => void): Record<string, unknown> {
  const command = addModelOptions(new Command().exitOverride().configureOutput({ writeErr: () => undefined })).action(() => undefined);
  command.parse(['node', 'forager', ...args]);
  keep?.(command);
  return command.opts();
}

describe('addModelOptions()', () => {
  it('reads every model flag from its FORAGER_* variable, a flag on the command line winning', () => {
    Object.assign(process.env, { FORAGER_MODEL_URL: 'http://gpu:8000/v1', FORAGER_MODEL: 'facebook/cwm', FORAGER_TEMPERATURE: '0.3', FORAGER_MAX_TOKENS: '1024', FORAGER_REQUEST_TIMEOUT: '90', FORAGER_MODEL_RETRIES: '2', FORAGER_STREAM: '1', FORAGER_ENDPOINT: 'anthropic', FORAGER_COST_LIMIT: '1.5' });
    const overrides = modelOverridesFrom(parse(['--model', 'other-model']));
    expect(overrides).toMatchObject({ baseUrl: 'http://gpu:8000/v1', model: 'other-model', temperature: 0.3, maxTokens: 1024, requestTimeoutS: 90, maxRetries: 2, stream: true, endpoint: 'anthropic', costLimit: 1.5 });
  });

  it('commandLineOnly() drops what came from variables, for commands that re-run a recorded configuration', () => {
    process.env.FORAGER_MODEL_URL = 'http://gpu:8000/v1';
    let command: Command | undefined;
    const options = parse(['--model', 'cwm'], (c) => { command = c; });
    expect(modelOverridesFrom(commandLineOnly(command!, options))).toMatchObject({ baseUrl: undefined, model: 'cwm' });
  });

  it('refuses a bad value from a variable as from a flag', () => {
    process.env.FORAGER_MAX_TOKENS = 'lots';
    expect(() => parse([])).toThrow(/--max-tokens <n>' value 'lots' from env 'FORAGER_MAX_TOKENS' is invalid. expected a number, found "lots"/);
    delete process.env.FORAGER_MAX_TOKENS;
    expect(() => parse(['--endpoint', 'gemini'])).toThrow(/Allowed choices are openai, anthropic/);
  });

  it('names one FORAGER_ variable per flag, and docs/model-agents.md lists each of them', async () => {
    const docs = await import('node:fs/promises').then((fs) => fs.readFile(new URL('../../docs/model-agents.md', import.meta.url), 'utf8'));
    for (const flag of MODEL_FLAGS) {
      expect(flag.env).toMatch(/^FORAGER_[A-Z_]+$/);
      expect(docs).toContain(`| \`${flag.flags.split(' ')[0]}`);
      expect(docs).toContain(`\`${flag.env}\``);
    }
  });
});

describe('pricesFrom()', () => {
  it('reads the price table and makes the --price-* flags its * entry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forager-prices-cli-'));
    const file = join(dir, 'prices.yaml');
    await writeFile(file, 'gpt-5: { input: 1.25, output: 10, cache_read: 0.125 }\n');
    expect(await pricesFrom(parse(['--prices', file, '--price-input', '0.5', '--price-output', '2']))).toEqual({
      'gpt-5': { input: 1.25, output: 10, cache_read: 0.125 },
      '*': { input: 0.5, output: 2 },
    });
    expect(await pricesFrom(parse([]))).toBeUndefined();
    await expect(pricesFrom(parse(['--price-input', '0.5']))).rejects.toThrow(/--price-output is needed too/);
  });
});
