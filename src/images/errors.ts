import { TaskError } from '../core/errors.js';
import { tailLines } from './docker-build.js';

/** A task's image failed to build: a task error that carries the whole build log. */
export class ImageBuildError extends TaskError {
  readonly log: string;

  constructor(ref: string, source: string, error: string, log: string) {
    super('IMAGE_BUILD_FAILED', `Building image ${ref} from ${source} failed: ${error}\n--- last lines of the build log ---\n${tailLines(log)}`, {
      context: { ref, source },
    });
    this.log = log;
  }
}
