export { loadTask, findTaskFiles, hashTask, canonicalJson, isTaskFileName, type LoadedTask, type TaskFile } from './load.js';
export { TaskSpecSchema, ImageSpecSchema, DEFAULT_LIMITS, type TaskSpec, type ImageSpec, type FileSpec } from './spec.js';
