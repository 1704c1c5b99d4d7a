import { z } from 'zod';
import { AgentSpecSchema } from '../agent/spec.js';

/**
 * Where a task's image comes from: a recipe folder under images/ (`"python"` is short
 * for `{ recipe: "python" }`), a Dockerfile next to the task, or an existing image.
 */
export const ImageSpecSchema = z.union([
  z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a recipe name under images/ (lower case, digits, . _ -)'),
  z.object({ recipe: z.string().min(1) }).strict(),
  z.object({
    dockerfile: z.string().min(1),
    /** Build context folder, relative to the task file (default: the Dockerfile's folder). */
    context: z.string().optional(),
  }).strict(),
  z.object({ ref: z.string().min(1) }).strict(),
]);
export type ImageSpec = z.infer<typeof ImageSpecSchema>;

export const FileSpecSchema = z.union([
  z.object({ path: z.string().min(1), content: z.string(), mode: z.number().int().optional() }).strict(),
  /** A file or a folder next to the task file, copied to `path` (relative paths are under workdir). */
  z.object({ path: z.string().min(1), from: z.string().min(1) }).strict(),
]);
export type FileSpec = z.infer<typeof FileSpecSchema>;

export const DEFAULT_LIMITS = {
  wall_time_s: 1800,
  action_timeout_s: 120,
  max_steps: 128,
  memory_mb: 2048,
  cpus: 1,
  pids: 512,
  network: 'none',
  max_output_bytes: 480 * 1024,
} as const;

export const LimitsInputSchema = z.object({
  wall_time_s: z.number().positive(),
  action_timeout_s: z.number().positive(),
  max_steps: z.number().int().positive(),
  memory_mb: z.number().int().min(16),
  cpus: z.number().positive(),
  pids: z.number().int().min(8),
  network: z.enum(['none', 'bridge']),
  max_output_bytes: z.number().int().min(1024),
}).strict().partial();

export const TaskSpecSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ - (starting with a letter or digit)'),
  instruction: z.string().min(1),
  image: ImageSpecSchema,
  workdir: z.string().startsWith('/').default('/work'),
  files: z.array(FileSpecSchema).default([]),
  setup: z.array(z.string()).default([]),
  agent: AgentSpecSchema,
  limits: LimitsInputSchema.default({}),
  env: z.record(z.string(), z.string()).default({}),
  seed: z.number().int().default(0),
  /** Free-form labels carried into trajectories and exports (repo, difficulty…). */
  metadata: z.record(z.string(), z.unknown()).default({}),
}).strict();
export type TaskSpec = z.infer<typeof TaskSpecSchema>;
