/**
 * \summary Options and helpers shared by subcommands.
 */
import type { Command } from 'commander';
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
