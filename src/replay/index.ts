export { replayTrajectory, type ReplayOptions, type ReplayResult } from './replay.js';
export { forkTrajectory, checkForkStep, type ForkOptions, type ForkResult } from './fork.js';
export { rerunTrajectory, recordedAgentSpec, readRecordedAgentSpec, type RerunOptions } from './rerun.js';
export { compareTrajectories, compareStep, type Comparison, type StepDivergence, type FieldDifference } from './compare.js';
export { formatComparison, formatDivergence } from './report.js';
export { loadRules, parseRules, normalizeText, DEFAULT_RULES, RulesFileSchema, type NormalizeRule } from './normalize.js';
export { loadRecordedTask } from './recorded-task.js';
export { resolveRecordedImage } from './recorded-image.js';
export { ReplayRefusedError } from './errors.js';
