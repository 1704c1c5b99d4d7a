/**
 * Produce tests/fixtures/sdk/expected.json: what the official SDKs return for each fixture
 * of tests/fixtures/sdk/fixtures.json, the fixture's bytes served by a local HTTP server to
 * the SDK's own client (openai's chat.completions.create / .stream().finalChatCompletion(),
 * @anthropic-ai/sdk's messages.create / .stream().finalMessage()). Run once, by hand, when a
 * fixture or an SDK version changes: `npx tsx scripts/sdk-expected.ts`. The SDKs are
 * devDependencies; forager never uses them at run time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

const DIR = join(import.meta.dirname, '..', 'tests', 'fixtures', 'sdk');
const version = (name: string) => (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

interface Fixture {
  file: string;
  endpoint: 'openai' | 'anthropic';
  stream: boolean;
}

const fixtures = JSON.parse(readFileSync(join(DIR, 'fixtures.json'), 'utf8')) as Fixture[];
let current: Buffer = Buffer.alloc(0);
let stream = false;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
    res.end(current);
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const openai = new OpenAI({ apiKey: 'fixture', baseURL: `${url}/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: 'fixture', baseURL: url, maxRetries: 0 });
const messages = [{ role: 'user' as const, content: 'fixture' }];

const results: Record<string, unknown> = {};
for (const fixture of fixtures) {
  current = readFileSync(join(DIR, fixture.file));
  stream = fixture.stream;
  let result: unknown;
  if (fixture.endpoint === 'openai') {
    result = fixture.stream
      ? await openai.chat.completions.stream({ model: 'fixture', messages }).finalChatCompletion()
      : await openai.chat.completions.create({ model: 'fixture', messages });
  } else {
    result = fixture.stream
      ? await anthropic.messages.stream({ model: 'fixture', max_tokens: 1024, messages }).finalMessage()
      : await anthropic.messages.create({ model: 'fixture', max_tokens: 1024, messages });
  }
  // Through JSON, as a record would hold it (getters evaluated, undefined fields gone).
  results[fixture.file] = JSON.parse(JSON.stringify(result));
}
server.close();

const expected = {
  produced_by: 'scripts/sdk-expected.ts',
  sdks: { openai: version('openai'), '@anthropic-ai/sdk': version('@anthropic-ai/sdk') },
  node: process.version,
  results,
};
writeFileSync(join(DIR, 'expected.json'), `${JSON.stringify(expected, null, 2)}\n`);
process.stdout.write(`wrote ${join(DIR, 'expected.json')}: ${Object.keys(results).length} results\n`);
