export { mineRepository, MINE_REPORT, INSTANCES_FILE, type MineOptions, type MineReport, type MinedTask, type DroppedCandidate } from './mine-repository.js';
export { scanHistory, diffOf, commitInfo, isTestPath, type CandidateCommit, type HistoryScan } from './commits.js';
export { problemStatement, type ProblemStatement, type StatementSource } from './statement.js';
export { judgeCandidate, oldCodeBroken, environmentError, failureSections, type DropReason, type Judgement } from './judge.js';
export { MiningBench } from './bench.js';
