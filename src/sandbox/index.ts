export type {
  ImageLayer, ImageRequest, PreparedImage, PrepareImageOptions, ProvidedSandbox, ProviderSetupOptions, IsolationChoice,
  ReapedSandbox, ReapOptions, SandboxProvider, SandboxSpec,
} from './contracts.js';
export type {
  BackendOptions, BackendSandbox, BackendSpec, EnforcedLimit, BackendState, LayerView, ListedSandbox, PidFacts, SandboxBackend, SandboxProcess, SessionSocketDir, SpawnOptions,
} from './backend.js';
export { createSandboxProvider, RuntimeProvider } from './provider.js';
export { RuntimeSandbox, type RuntimeOptions, type StateReaderChoice } from './runtime-sandbox.js';
export { performAction, type ActionOptions, type ActionResult } from './actions.js';
export { LABEL_RUN, LABEL_TASK, LABEL_DEADLINE, LABEL_OWNER_HOST, LABEL_OWNER_PID, LABEL_OWNER_START, ownerLabels, processStartTime } from './labels.js';
export { decideReap, type ReapContext, type ReapDecision } from './reap-decision.js';
export { DEFAULT_MIN_FREE_MB, minFreeBytesFromEnv } from './free-space.js';
export { hostPython } from './layer/layer-watcher.js';
