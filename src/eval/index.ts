export { extractPatch, type ExtractOptions } from './extract-patch.js';
export { applyPatch, APPLY_CASCADE, type ApplyResult, type ApplyMethod } from './apply-patch.js';
export { evaluatePatch, DEFAULT_JUNIT_PATH, type EvaluateOptions } from './evaluate.js';
export { gradeTests, type Grade, type TestGroup } from './grade.js';
export { parseJunit, statusesOf, junitKey, type TestCase, type TestStatus } from './junit.js';
export { excludePathspecs, patchedFiles } from './pathspecs.js';
export { capturePatch, gradeRun, type PatchCapture, type RunImage } from './run-hooks.js';
export { proveTask, type TaskProof } from './prove-task.js';
