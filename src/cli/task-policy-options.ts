import type { Command } from 'commander';
import { defaultTaskPolicy, setTaskPolicy } from '../task/index.js';

export interface TaskPolicyFlags {
  allowHostPaths?: boolean;
  allowEnv?: string[];
  apiKeyEnv?: string;
}

/** `--allow-host-paths` and `--allow-env NAME`: what task files may reach (see task/policy.ts). */
export function addTaskPolicyOptions(command: Command): Command {
  return command
    .option('--allow-host-paths', 'let task files name files, Dockerfiles and contexts outside their own folder')
    .option('--allow-env <name>', 'let agent.api_key_env name this variable (repeatable; also $FORAGER_ALLOWED_KEY_ENV)', (name: string, list: string[] = []) => [...list, name]);
}

/** Make the flags the policy of every task loaded from here on; a key named by --api-key-env is the operator's own choice. */
export function applyTaskPolicyOptions(flags: TaskPolicyFlags): void {
  const policy = defaultTaskPolicy();
  const allowed = new Set([...policy.allowedKeyEnv, ...(flags.allowEnv ?? []), ...(flags.apiKeyEnv ? [flags.apiKeyEnv] : [])]);
  setTaskPolicy({ allowHostPaths: flags.allowHostPaths === true, allowedKeyEnv: allowed });
}
