import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMA_PATH, trajectoryJsonSchema } from '../../src/trajectory/json-schema.js';

describe('trajectory JSON Schema', () => {
  it('is committed and matches the zod schema (run `npm run schema` after changing it)', () => {
    const committed = JSON.parse(readFileSync(JSON_SCHEMA_PATH, 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(trajectoryJsonSchema())));
  });
});
