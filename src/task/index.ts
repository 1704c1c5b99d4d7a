export { loadTask, findTaskFiles, hashTask, canonicalJson, isTaskFileName, type LoadedTask, type TaskFile } from './load.js';
export { checkTaskPolicy, defaultTaskPolicy, isRemoteGitUrl, setTaskPolicy, taskPolicy, DEFAULT_KEY_ENV, KEY_ENV_VARIABLE, type TaskPolicy } from './policy.js';
export {
  TaskSpecSchema, ImageSpecSchema, RepoSpecSchema, EnvironmentSpecSchema, EvalSpecSchema, DEFAULT_LIMITS, DEFAULT_PATCH_EXCLUDE,
  type TaskSpec, type ImageSpec, type FileSpec, type RepoSpec, type EnvironmentSpec, type EvalSpec,
} from './spec.js';
export { repoRoot, redactSpec } from './repo.js';
