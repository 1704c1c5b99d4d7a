import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../core/package-root.js';

export { PACKAGE_ROOT };

/** Where image recipes live: one folder per recipe, each with a Dockerfile. */
export const RECIPES_DIR = join(PACKAGE_ROOT, 'images');

/** The folder of recipe `name`, or null when it has no Dockerfile. */
export function findRecipe(name: string, recipesDir = RECIPES_DIR): string | null {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) return null;
  const dir = join(recipesDir, name);
  return existsSync(join(dir, 'Dockerfile')) ? dir : null;
}

/** Every recipe name under images/, sorted; `base` is the base image's own recipe. */
export function listRecipes(recipesDir = RECIPES_DIR): string[] {
  if (!existsSync(recipesDir)) return [];
  return readdirSync(recipesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && findRecipe(entry.name, recipesDir) !== null)
    .map((entry) => entry.name)
    .sort();
}
