export { mutateRepository, type MutateOptions, type MutateReport } from './mutate-repository.js';
export { loadMutationSource, DEFAULT_TEST_COMMAND, type MutationSource, type SourceOptions } from './source.js';
export { parseKinds, quotas, normaliseShares, DEFAULT_SHARES, MUTATION_KINDS, type MutationKind, type KindShares } from './kinds.js';
export { MutantPlanner } from './planner.js';
export { CandidateSchema, spliceHunk, sortCandidates, type Candidate } from './candidates.js';
export { renderInstruction, mutantTaskSpec, type Mutant } from './task-spec.js';
export { createRandom, shuffle } from './prng.js';
export { HELPERS_DIR } from './workbench.js';
