import { fileURLToPath } from 'node:url';

/** The package root: two levels above this file, from src/core/ (tsx) or dist/core/ (built). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
