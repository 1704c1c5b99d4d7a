import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { JSON_SCHEMA_PATH, trajectoryJsonSchema } from '../src/trajectory/json-schema.js';
import { TRACE_JSON_SCHEMA_PATH, traceJsonSchema } from '../src/trace/schema.js';

mkdirSync(dirname(JSON_SCHEMA_PATH), { recursive: true });
writeFileSync(JSON_SCHEMA_PATH, `${JSON.stringify(trajectoryJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${JSON_SCHEMA_PATH}\n`);
writeFileSync(TRACE_JSON_SCHEMA_PATH, `${JSON.stringify(traceJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${TRACE_JSON_SCHEMA_PATH}\n`);
