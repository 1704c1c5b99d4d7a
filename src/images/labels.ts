/** Every image forager builds or imports carries this label (value "1"). */
export const LABEL_IMAGE = 'forager.image';
/** The content hash an environment image was built from. */
export const LABEL_HASH = 'forager.hash';
/** The images/ recipe an environment image was built from, when it came from one. */
export const LABEL_RECIPE = 'forager.recipe';
