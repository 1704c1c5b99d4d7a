/**
 * Byte caps of the file tools. A file over a cap is refused with an observation that
 * says so, never read into the harvester or cut short: with the edit cap, an edit holds
 * at most about twice it in memory (the file and its edited copy).
 */
export const FILE_LIMITS = {
  /** Largest file `edit` rewrites and `create` writes. */
  editBytes: 16 * 1024 * 1024,
  /** Largest file `view` shows whole; bigger ones need a line range. */
  viewBytes: 16 * 1024 * 1024,
  /** Default largest file Sandbox.readFile returns (patches, JUnit XML, traces). */
  readBytes: 64 * 1024 * 1024,
} as const;
