import { z } from 'zod';
import { DatasetLineSchema, TRAJECTORY_VERSION } from './schema.js';

/** The trajectory line schema as JSON Schema, for readers outside TypeScript (harvested lines, and the relaxed lines of imported trajectories). */
export function trajectoryJsonSchema(): Record<string, unknown> {
  return {
    $id: `https://forager.dev/schema/trajectory.v${TRAJECTORY_VERSION}.schema.json`,
    title: `forager trajectory v${TRAJECTORY_VERSION}: one JSON object per line (header, steps, footer)`,
    ...z.toJSONSchema(DatasetLineSchema, { io: 'input', unrepresentable: 'any' }),
  };
}

export const JSON_SCHEMA_PATH = `schema/trajectory.v${TRAJECTORY_VERSION}.schema.json`;
