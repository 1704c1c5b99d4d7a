import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { TaskError } from '../../core/errors.js';
import type { ImageSpec } from '../../task/spec.js';
import { findRecipe, listRecipes, RECIPES_DIR } from './paths.js';

/** What a buildable image spec points at on disk. */
export interface BuildSource {
  dockerfilePath: string;
  contextDir: string;
  /** The recipe name, when the image comes from images/. */
  recipe: string | null;
  /** For messages: `recipe python` or the Dockerfile's path. */
  label: string;
}

/** Resolve a recipe or Dockerfile spec to files on disk; a `{ ref }` spec has none (null). */
export function locateBuildSource(spec: ImageSpec, taskDir: string | undefined, recipesDir = RECIPES_DIR): BuildSource | null {
  const normal = typeof spec === 'string' ? { recipe: spec } : spec;
  if ('ref' in normal) return null;
  if ('recipe' in normal) {
    const dir = findRecipe(normal.recipe, recipesDir);
    if (!dir) {
      throw new TaskError('IMAGE_RECIPE_MISSING', `image: no recipe "${normal.recipe}" under ${recipesDir} (expected ${recipesDir}/${normal.recipe}/Dockerfile); recipes: ${listRecipes(recipesDir).join(', ') || 'none'}`, {
        context: { recipe: normal.recipe },
      });
    }
    return { dockerfilePath: resolve(dir, 'Dockerfile'), contextDir: dir, recipe: normal.recipe, label: `recipe ${normal.recipe}` };
  }
  if (!taskDir) throw new TaskError('IMAGE_DOCKERFILE_MISSING', `image: a Dockerfile (${normal.dockerfile}) needs the task's folder to resolve against`);
  const dockerfilePath = resolve(taskDir, normal.dockerfile);
  const contextDir = normal.context === undefined ? dirname(dockerfilePath) : resolve(taskDir, normal.context);
  if (!existsSync(dockerfilePath)) {
    throw new TaskError('IMAGE_DOCKERFILE_MISSING', `image.dockerfile: expected a Dockerfile at ${dockerfilePath}, found nothing`, { context: { dockerfile: dockerfilePath } });
  }
  if (!existsSync(contextDir)) {
    throw new TaskError('IMAGE_DOCKERFILE_MISSING', `image.context: expected a folder at ${contextDir}, found nothing`, { context: { context: contextDir } });
  }
  return { dockerfilePath, contextDir, recipe: null, label: dockerfilePath };
}

/** The Dockerfile's path inside the context, or null when it lies outside (it is then added to the tar). */
export function dockerfileInContext(source: BuildSource): string | null {
  const inside = relative(source.contextDir, source.dockerfilePath);
  if (inside.startsWith('..') || isAbsolute(inside)) return null;
  return inside.split(sep).join('/');
}
