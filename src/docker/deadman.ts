import { deadmanPerl } from '../sandbox/scripts/index.js';

/** Images seen to have /usr/bin/perl or not, by image reference: asked once per image per process. */
const perlByImage = new Map<string, boolean>();

/** How a container's main process is its dead-man. */
export interface DeadmanConfig {
  Entrypoint: string[];
  Cmd: string[];
  Init: boolean;
}

/**
 * The dead-man as PID 1 (scripts/deadman.pl): immune to signals from inside the sandbox,
 * reaping orphans, ending the container after `lifetimeS`. Where the image has no perl,
 * Docker's init (tini) reaps and a `sleep` child is the dead-man, which `kill -9 -1` from
 * inside can end (the runtime then tells that ending from an outside one by the engine's
 * events).
 */
export function deadmanConfig(lifetimeS: number, perl: boolean): DeadmanConfig {
  return perl
    ? { Entrypoint: ['/usr/bin/perl', '-e', deadmanPerl()], Cmd: [String(lifetimeS)], Init: false }
    : { Entrypoint: ['sleep'], Cmd: [String(lifetimeS)], Init: true };
}

/** Whether the image is known to have perl (undefined: not seen yet; tried as if it had). */
export function knownPerl(image: string): boolean | undefined {
  return perlByImage.get(image);
}

/** Remember what starting a container of `image` with the perl dead-man said. */
export function rememberPerl(image: string, found: boolean): void {
  perlByImage.set(image, found);
}

/** A start that failed because the image has no /usr/bin/perl to run as PID 1 (the engine's OCI error). */
export function isMissingPerl(error: unknown): boolean {
  const message = String((error as { message?: unknown } | null)?.message ?? '');
  return /\/usr\/bin\/perl/.test(message) && /no such file|not found/i.test(message);
}
