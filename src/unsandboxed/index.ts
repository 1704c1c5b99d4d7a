export { ALLOW_ENV, createUnsandboxedBackend, UnsandboxedBackend } from './backend.js';
