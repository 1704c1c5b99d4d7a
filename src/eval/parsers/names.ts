// The parser names live with the task schema that validates them (task/ is below eval/).
export { PARSER_NAMES, type ParserName } from '../../task/parser-names.js';
