import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TRACE_JSON_SCHEMA_PATH, traceJsonSchema } from '../../src/trace/index.js';

describe('trace JSON Schema', () => {
  it('is committed and matches the zod schema (run `npm run schema` after changing it)', () => {
    const committed = JSON.parse(readFileSync(TRACE_JSON_SCHEMA_PATH, 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(traceJsonSchema())));
  });
});
