/**
 * Every image forager builds or imports carries this label (value "1"). Docker copies it
 * into images others build FROM ours, so it marks ancestry, not authorship: what forager
 * built is in its own record (built-images.ts).
 */
export const LABEL_IMAGE = 'forager.image';
/** The content hash an environment image was built from. */
export const LABEL_HASH = 'forager.hash';
/** The images/ recipe an environment image was built from, when it came from one. */
export const LABEL_RECIPE = 'forager.recipe';
