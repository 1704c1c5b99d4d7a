export { readBatchAttempts, repoOf, type BatchAttempt } from './attempts.js';
export { chooseAttempt, chooseAttempts } from './select.js';
export { modelOf, predictionsOf, renderPredictions, type Prediction } from './predictions.js';
export { makeRunReport, outcomeOf, perRepository, renderRepoTable, type Outcome, type RepoRow, type RunReport } from './report.js';
export { harnessVerdicts, writeHarnessSidecar, readHarnessSidecar, patchSha256, HARNESS_SIDECAR, type HarnessSidecar } from './harness-results.js';
export { taskFromInstance, swebenchImageRef, isSwebenchImage, repoSource, SwebenchInstanceSchema, type SwebenchInstance, type SwebenchImportOptions } from './instances.js';
export { readSwebench, readSwebenchRows, type SwebenchRow } from './read-instances.js';
