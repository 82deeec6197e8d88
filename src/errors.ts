/**
 * \summary User-facing errors: a stable code, where (file, line or byte offset) and why.
 *
 * Exit codes follow sysexits.h as design.md's CLI contract fixes them.
 */

export const EXIT = {
  OK: 0,
  NOT_FOUND: 1,
  USAGE: 64,
  DATAERR: 65, // bad file header, bad CSV rows
  NOINPUT: 66, // unreadable file
  UNAVAILABLE: 69, // no such interface
  SOFTWARE: 70,
  CANTCREAT: 73, // an output file or directory cannot be created
  NOPERM: 77,
  CONFIG: 78,
} as const;

/** Every error code auscult reports, with the exit code it maps to. Documented in README.md. */
export const ERROR_CODES = {
  AUS_ERR_CAPTURE_HEADER: EXIT.DATAERR,
  AUS_ERR_CAPTURE_UNREADABLE: EXIT.NOINPUT,
  AUS_ERR_CSV_ROW: EXIT.DATAERR,
  AUS_ERR_CSV_FILE: EXIT.NOINPUT,
  AUS_ERR_CONFIG_KEY: EXIT.CONFIG,
  AUS_ERR_CONFIG_FILE: EXIT.CONFIG,
  AUS_ERR_RULE: EXIT.CONFIG,
  AUS_ERR_MAPPING: EXIT.CONFIG,
  AUS_ERR_BPF: EXIT.CONFIG,
  AUS_ERR_NO_INTERFACE: EXIT.UNAVAILABLE,
  AUS_ERR_PERMISSION: EXIT.NOPERM,
  AUS_ERR_DB: EXIT.SOFTWARE,
  AUS_ERR_STREAM_OWNER: EXIT.CONFIG,
  AUS_ERR_NOT_FOUND: EXIT.NOT_FOUND,
  AUS_ERR_CSAF: EXIT.DATAERR,
  AUS_ERR_CSAF_FILE: EXIT.NOINPUT,
  AUS_ERR_CENTRAL: EXIT.UNAVAILABLE, // the central PostgreSQL cannot be reached or refused the work
  // CLI (issue 21): usage, database files and output paths.
  AUS_ERR_DB_MISSING: EXIT.NOINPUT,
  AUS_ERR_DB_FILE: EXIT.DATAERR,
  AUS_ERR_OUTPUT: EXIT.CANTCREAT,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  offset?: number;
}

export class AuscultError extends Error {
  readonly code: ErrorCode;
  readonly where: ErrorLocation;
  readonly reason: string;

  constructor(code: ErrorCode, reason: string, where: ErrorLocation = {}) {
    super(formatLocation(where) + reason);
    this.name = 'AuscultError';
    this.code = code;
    this.where = where;
    this.reason = reason;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code];
  }
}

/** `file:line:col: ` or `file: offset N: ` or '' — the prefix of every user-facing error line. */
export function formatLocation(w: ErrorLocation): string {
  if (!w.file) return '';
  if (w.line !== undefined) return `${w.file}:${w.line}${w.column !== undefined ? `:${w.column}` : ''}: `;
  if (w.offset !== undefined) return `${w.file}: offset ${w.offset}: `;
  return `${w.file}: `;
}
