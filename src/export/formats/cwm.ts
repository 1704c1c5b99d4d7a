import { formatCwmCall } from '../../agent/index.js';

/** An action in CWM's text tool format, as forager's CWM agent writes and parses it. */
export const renderCwmCall = formatCwmCall;
