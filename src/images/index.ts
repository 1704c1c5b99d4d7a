export { ensureEngine, DOCKERD_LOG, type EnsureEngineOptions, type EngineStatus } from './engine-setup.js';
export { ensureBaseImage, BASE_IMAGE, REGISTRY_BASE_IMAGE, type BaseImage, type EnsureBaseImageOptions } from './base-image.js';
export { resolveImage, ENV_REPOSITORY, type ResolvedImage, type ResolveImageOptions } from './build.js';
export { ImageBuildError } from './errors.js';
export { listRecipes, findRecipe, RECIPES_DIR, PACKAGE_ROOT } from './paths.js';
export { LABEL_IMAGE, LABEL_HASH, LABEL_RECIPE } from './labels.js';
