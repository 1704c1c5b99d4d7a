import { hostname } from 'node:os';

export const LABEL_RUN = 'forager.run';
export const LABEL_TASK = 'forager.task';
export const LABEL_OWNER_HOST = 'forager.owner.host';
export const LABEL_OWNER_PID = 'forager.owner.pid';
export const LABEL_DEADLINE = 'forager.deadline';

/** Labels that let `forager gc` decide whether a container's owner is still alive. */
export function ownerLabels(): Record<string, string> {
  return { [LABEL_OWNER_HOST]: hostname(), [LABEL_OWNER_PID]: String(process.pid) };
}
