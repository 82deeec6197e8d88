/**
 * \summary Options and helpers shared by subcommands.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { AuscultError } from '../errors.js';
import { openDatabase, type Db, type StoreOptions } from '../inventory/store.js';
import { createLogger, type Logger } from '../log.js';
import { DEFAULT_STREAM } from '../reconcile/snapshot.js';

/** The database a command uses without `--db`: $AUSCULT_DB, else ./auscult.db (read when asked, not when loaded: a start-up snapshot is loaded at build time). */
export function defaultDb(): string {
  return process.env['AUSCULT_DB'] || './auscult.db';
}

export function dbOption(cmd: Command): Command {
  return cmd.option('--db <file>', 'inventory database (SQLite)', defaultDb());
}

/** `--stream <file>`, shared with replay, reconcile and report. */
export function streamOption(cmd: Command): Command {
  return cmd.option('--stream <file>', 'exception stream (NDJSON) to append new and resolved exceptions to', DEFAULT_STREAM);
}

export function loggerFor(cmd: Command): Logger {
  const globals = cmd.optsWithGlobals<{ logLevel?: string }>();
  return createLogger(globals.logLevel ?? 'info');
}

export function writeStdout(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * Text for a terminal: C0/C1 control characters (ESC, BEL, CR, ...), DEL and the Unicode
 * direction overrides are shown as `\xNN` / `\uNNNN`, so a value taken off the wire (an LLDP
 * system name, a DHCP host name, a CSV cell) cannot move the cursor, retitle the window or
 * reorder what the reader sees. JSON and CSV output stay exact; only human output goes through this.
 */
export function termSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** How tables are laid out: set once from `--wide` and the terminal (main.ts). */
export const tableLayout: { wide: boolean; width: number } = { wide: false, width: 0 };

/** The width tables must fit: the terminal's columns, `COLUMNS` when piped, else none (0). */
export function terminalWidth(): number {
  if (process.stdout.isTTY === true && process.stdout.columns > 0) return process.stdout.columns;
  const env = Number(process.env['COLUMNS']);
  return Number.isInteger(env) && env > 0 ? env : 0;
}

/** `abcdef…uvwxyz`: keeps both ends, where MACs, ports and versions differ. */
export function elideMiddle(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  const head = Math.ceil((width - 1) / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (width - 1 - head)).join('')}`;
}

const MIN_COLUMN = 8;

/** A cell in lines of at most `width`: wrapped at spaces; a word still too long is elided in the middle. */
function wrapCell(text: string, width: number): { lines: string[]; elided: boolean } {
  const len = (t: string) => [...t].length;
  if (len(text) <= width) return { lines: [text], elided: false };
  const lines: string[] = [];
  let elided = false;
  let line = '';
  for (const word of text.split(' ')) {
    const w = len(word) > width ? elideMiddle(word, width) : word;
    if (w !== word) elided = true;
    if (line === '') line = w;
    else if (len(line) + 1 + len(w) <= width) line += ` ${w}`;
    else {
      lines.push(line);
      line = w;
    }
  }
  lines.push(line);
  return { lines, elided };
}

/**
 * Renders rows as an aligned text table that fits `width` columns (tableLayout by default): the
 * widest columns give way first, a value that no longer fits wraps at its spaces, and a word
 * still too long keeps its start and end with `…` between. Nothing is cut silently: a last line
 * says how many values were shortened and that `--wide` shows them in full. With `--wide` (or
 * no known width, as when piped without COLUMNS) every value is printed whole on one line.
 */
export function formatTable(headers: string[], rows: (string | number | null | undefined)[][], width = tableLayout.wide ? 0 : tableLayout.width): string {
  const cells = [headers.map(termSafe), ...rows.map((r) => headers.map((_, i) => {
    const c = r[i];
    return c === null || c === undefined || c === '' ? '-' : termSafe(String(c));
  }))];
  const len = (t: string) => [...t].length;
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => len(r[i] ?? ''))));
  const floor = widths.map((w, i) => Math.min(w, Math.max(MIN_COLUMN, len(headers[i] ?? ''))));
  const gap = 2;
  const total = () => widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1);
  // First the columns give way down to their longest word (values wrap, nothing is lost), then
  // down to the floor (long words are elided in the middle).
  const longestWord = widths.map((_, i) => Math.max(...cells.map((r) => Math.max(...(r[i] ?? '').split(' ').map(len)))));
  for (const limit of [longestWord.map((w, i) => Math.max(w, floor[i] ?? 0)), floor]) {
    while (width > 0 && total() > width) {
      // The column where the fewest values would suffer, the widest among equals.
      let pick = -1;
      let pickCost = Infinity;
      for (let i = 0; i < widths.length; i++) {
        const w = widths[i] ?? 0;
        if (w <= (limit[i] ?? 0)) continue;
        const cost = cells.reduce((n, r) => n + ((r[i] ?? '').split(' ').some((word) => len(word) >= w) ? 1 : 0), 0);
        if (cost < pickCost || (cost === pickCost && w > (widths[pick] ?? 0))) [pick, pickCost] = [i, cost];
      }
      if (pick < 0) break; // every column at this limit
      widths[pick] = (widths[pick] ?? 0) - 1;
    }
  }
  let shortened = 0;
  const out: string[] = [];
  for (const r of cells) {
    const wrapped = r.map((c, i) => wrapCell(c, widths[i] ?? 0));
    shortened += wrapped.filter((w) => w.elided).length;
    const height = Math.max(...wrapped.map((w) => w.lines.length));
    for (let k = 0; k < height; k++) {
      out.push(wrapped.map((w, i) => {
        const t = w.lines[k] ?? '';
        return t + ' '.repeat(Math.max(0, (widths[i] ?? 0) - len(t)));
      }).join(' '.repeat(gap)).trimEnd());
    }
  }
  if (shortened > 0) out.push(`(${shortened} value(s) shortened with … to fit ${width} columns; --wide shows every value in full)`);
  return out.join('\n');
}

/**
 * Opens the inventory for a command that may create it (replay, import, run): a file that is not
 * an SQLite database is a one-line user error, not a stack trace.
 */
export function openDb(path: string, options: StoreOptions = {}): Db {
  try {
    return openDatabase(path, options);
  } catch (err) {
    throw asDbError(err, path);
  }
}

/**
 * Opens an existing inventory for a command that only reads it (devices, device, unknown,
 * coverage, report, reconcile, events, export, push): a mistyped `--db` never creates an empty
 * database, and a file that is not one is AUS_ERR_DB_FILE, not an internal error.
 */
export function openExistingDb(path: string, options: StoreOptions = {}): Db {
  if (!existsSync(path)) {
    throw new AuscultError('AUS_ERR_DB_MISSING', 'no such database (replay a capture or run the sensor first, or check --db / AUSCULT_DB)', { file: path });
  }
  if (statSync(path).isDirectory()) throw new AuscultError('AUS_ERR_DB_FILE', 'is a directory, not a database', { file: path });
  return openDb(path, options);
}

/** Commands that may create their database; every other command with `--db` only opens an existing one. */
export const DB_CREATORS: ReadonlySet<string> = new Set(['replay', 'import', 'run', 'advisories import', 'advisories kev', 'deferrals import']);

const SQLITE_MAGIC = 'SQLite format 3\0';

/**
 * Checks a `--db` argument before the command runs (main.ts calls it for every command that has
 * one, so a command opening the store directly is covered too): a command that does not create
 * databases needs the file to exist (AUS_ERR_DB_MISSING, nothing created); a file that exists
 * must be empty or start with SQLite's header (AUS_ERR_DB_FILE, never an internal error).
 */
export function checkDbArgument(path: string, mayCreate: boolean): void {
  if (!existsSync(path)) {
    if (mayCreate) return;
    throw new AuscultError('AUS_ERR_DB_MISSING', 'no such database (replay a capture or run the sensor first, or check --db / AUSCULT_DB)', { file: path });
  }
  const st = statSync(path);
  if (st.isDirectory()) throw new AuscultError('AUS_ERR_DB_FILE', 'is a directory, not a database', { file: path });
  if (!st.isFile() || st.size === 0) return;
  const head = Buffer.alloc(SQLITE_MAGIC.length);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    readSync(fd, head, 0, head.length, 0);
  } catch {
    return; // unreadable: the store's own open reports it (EACCES → exit 77)
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (head.toString('latin1') !== SQLITE_MAGIC) {
    throw new AuscultError('AUS_ERR_DB_FILE', 'not an SQLite database (file is not a database)', { file: path });
  }
}

/** A database open failure as the one-line user error it is (other errors unchanged). */
export function asDbError(err: unknown, path: string): unknown {
  if (err instanceof AuscultError) {
    if (err.code === 'AUS_ERR_DB' && /file is not a database|SQLITE_NOTADB/i.test(err.reason)) {
      return new AuscultError('AUS_ERR_DB_FILE', 'not an SQLite database (file is not a database)', { file: path });
    }
    return err;
  }
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new AuscultError('AUS_ERR_DB_FILE', `not an SQLite database (${(err as Error).message})`, { file: path });
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    return new AuscultError('AUS_ERR_DB', `cannot open database: ${(err as Error).message}`, { file: path });
  }
  return err;
}
