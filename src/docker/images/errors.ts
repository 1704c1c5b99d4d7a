import { ForagerError } from '../../core/errors.js';
import { isTransientBuildFailure } from './build-failure.js';
import { tailLines } from './docker-build.js';

/**
 * A task's image failed to build, carrying the whole build log. A task error
 * (`IMAGE_BUILD_FAILED`) unless the build failed on a network or mirror hiccup: then an
 * infrastructure error (`IMAGE_BUILD_TRANSIENT`), retried like any transient failure.
 */
export class ImageBuildError extends ForagerError {
  readonly log: string;

  constructor(ref: string, source: string, error: string, log: string) {
    const transient = isTransientBuildFailure(error, log);
    super(
      transient ? 'IMAGE_BUILD_TRANSIENT' : 'IMAGE_BUILD_FAILED',
      transient ? 'infrastructure' : 'task',
      `Building image ${ref} from ${source} failed${transient ? ' (a network or mirror hiccup; worth another try)' : ''}: ${error}\n--- last lines of the build log ---\n${tailLines(log)}`,
      { context: { ref, source } },
    );
    this.log = log;
  }
}
