import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { JSON_SCHEMA_PATH, trajectoryJsonSchema } from '../src/trajectory/json-schema.js';

mkdirSync(dirname(JSON_SCHEMA_PATH), { recursive: true });
writeFileSync(JSON_SCHEMA_PATH, `${JSON.stringify(trajectoryJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${JSON_SCHEMA_PATH}\n`);
