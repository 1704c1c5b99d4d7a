export { importMiniSweAgent, MINI_SWE_AGENT_REGEX } from './import.js';
export { turnsFromText } from './turns-regex.js';
