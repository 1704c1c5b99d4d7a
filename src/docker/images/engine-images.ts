import type Docker from 'dockerode';

/** Inspect an image by reference or ID; null when the engine does not have it. */
export async function inspectImage(docker: Docker, ref: string): Promise<Docker.ImageInspectInfo | null> {
  try {
    return await docker.getImage(ref).inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw error;
  }
}

/** An engine progress message: build output, pull status, or an error. */
export interface ProgressEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** Drain a progress stream (build, pull, import); resolves with every event, rejects on a broken stream. */
export async function followProgress(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  onEvent: (event: ProgressEvent) => void = () => undefined,
): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error, events: ProgressEvent[]) => (error ? reject(error) : resolve(events)),
      onEvent,
    );
  });
}

/** The first error an engine stream reported, if any. */
export function findStreamError(events: ProgressEvent[]): string | null {
  const failed = events.find((event) => event.error !== undefined || event.errorDetail !== undefined);
  return failed ? failed.error ?? failed.errorDetail?.message ?? 'unknown error' : null;
}
