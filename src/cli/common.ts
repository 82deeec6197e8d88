/**
 * \summary Options and helpers shared by subcommands.
 */
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { AuscultError } from '../errors.js';
import { openDatabase, type Db } from '../inventory/store.js';
import { createLogger, type Logger } from '../log.js';

export const DEFAULT_DB = process.env['AUSCULT_DB'] || './auscult.db';

export function dbOption(cmd: Command): Command {
  return cmd.option('--db <file>', 'inventory database (SQLite)', DEFAULT_DB);
}

export function loggerFor(cmd: Command): Logger {
  const globals = cmd.optsWithGlobals<{ logLevel?: string }>();
  return createLogger(globals.logLevel ?? 'info');
}

export function writeStdout(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Renders rows as an aligned text table (columns padded to the widest cell, capped). */
export function formatTable(headers: string[], rows: (string | number | null)[][], maxWidth = 32): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const clip = (s: string) => (s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s);
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => clip(r[i] ?? '').length)));
  return cells
    .map((r) => r.map((c, i) => clip(c).padEnd(widths[i] ?? 0)).join('  ').trimEnd())
    .join('\n');
}

/**
 * Opens the inventory for a command that may create it (replay, import, run): a file that is not
 * an SQLite database is a one-line user error, not a stack trace.
 */
export function openDb(path: string): Db {
  try {
    return openDatabase(path);
  } catch (err) {
    throw asDbError(err, path);
  }
}

/**
 * Opens an existing inventory for a command that only reads it (devices, device, unknown,
 * coverage, report, reconcile): a mistyped `--db` never creates an empty database.
 */
export function openExistingDb(path: string): Db {
  if (!existsSync(path)) {
    throw new AuscultError('AUS_ERR_DB_MISSING', 'no such database (replay a capture or run the sensor first, or check --db / AUSCULT_DB)', { file: path });
  }
  if (statSync(path).isDirectory()) throw new AuscultError('AUS_ERR_DB_FILE', 'is a directory, not a database', { file: path });
  return openDb(path);
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
