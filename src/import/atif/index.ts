export { importAtif } from './from-atif.js';
