import type Docker from 'dockerode';
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

/** Whether the image is known to have perl (undefined: not asked yet). */
export function knownPerl(image: string): boolean | undefined {
  return perlByImage.get(image);
}

/**
 * Look for /usr/bin/perl in a created, not yet started, container of `image`; remembered for
 * the image once the engine has said yes or no (any other error: assume perl, ask again next time).
 */
export async function probePerl(container: Docker.Container, image: string): Promise<boolean> {
  const found = await container.infoArchive({ path: '/usr/bin/perl' }).then(
    () => true as boolean | undefined,
    (error: { statusCode?: number }) => (error.statusCode === 404 ? false : undefined),
  );
  if (found !== undefined) perlByImage.set(image, found);
  return found ?? true;
}
