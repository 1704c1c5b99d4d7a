export { mineRepository, MINE_REPORT, INSTANCES_FILE, type MineOptions, type MineReport, type MinedTask } from './mine-repository.js';
export { scanHistory, diffOf, commitInfo, isTestPath, type CandidateCommit, type HistoryScan } from './commits.js';
export { problemStatement, type ProblemStatement, type StatementSource } from './statement.js';
export { judgeCandidate, oldCodeBroken, type DropReason, type Judgement } from './judge.js';
export { MiningBench } from './bench.js';
