// The pinned sandbox environment is a contract shared by runner, eval and mutate: it lives in core.
export { PINNED_ENV, SANDBOX_HOSTNAME, sandboxEnv } from '../core/sandbox-env.js';
