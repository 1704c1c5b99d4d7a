export { importMiniSweAgent } from './import.js';
