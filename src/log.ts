/**
 * \summary The logger: pino on stderr (stdout is for machine output). Level from `--log-level`,
 * `AUSCULT_LOG_LEVEL` or config. The redact list is a backstop: nothing upstream logs payloads,
 * and PHI-bearing keys are censored if anything ever tries.
 *
 * pino is loaded on the first line a logger actually writes (issue 14, lean start): loading it
 * costs about 40 ms of CPU, a quarter of a replay's start-up budget, and a replay that goes well
 * writes no log line at all. A line below the level costs a comparison and loads nothing.
 */
import { createRequire } from 'node:module';
import type { Logger as PinoLogger, LoggerOptions } from 'pino';
import type * as Pino from 'pino';
import type { PinoPretty as PinoPrettyFn } from 'pino-pretty';

/** Log formats `--log-format` / AUSCULT_LOG_FORMAT accept. */
export const LOG_FORMATS = ['json', 'pretty'] as const;

/** pino's levels and their numbers (a level enables itself and every higher one). */
const LEVEL_VALUES: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/** One log call: a message, or an object of fields and then a message (pino's signature). */
export interface LogFn {
  (fields: object, message?: string, ...args: unknown[]): void;
  (message: string, ...args: unknown[]): void;
}

/** What auscult logs through: pino's methods and its settable level. */
export interface Logger {
  level: string;
  fatal: LogFn;
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  trace: LogFn;
}

export const REDACT_PATHS = [
  'payload', '*.payload', 'raw', '*.raw', 'patient', '*.patient', 'pid', '*.pid', 'nk1', '*.nk1', 'pv1', '*.pv1',
];

const require = createRequire(import.meta.url);

/** A Logger that creates its pino logger the first time a line at an enabled level is written. */
class LazyLogger implements Logger {
  private pino: PinoLogger | undefined;
  private levelName: string;

  constructor(level: string, private readonly make: (level: string) => PinoLogger) {
    if (LEVEL_VALUES[level] === undefined) throw new Error(`unknown level ${level}`);
    this.levelName = level;
  }

  get level(): string {
    return this.levelName;
  }

  set level(level: string) {
    if (LEVEL_VALUES[level] === undefined) throw new Error(`unknown level ${level}`);
    this.levelName = level;
    if (this.pino !== undefined) this.pino.level = level;
  }

  private write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', args: unknown[]): void {
    if ((LEVEL_VALUES[level] as number) < (LEVEL_VALUES[this.levelName] as number)) return;
    this.pino ??= this.make(this.levelName);
    (this.pino[level] as (...a: unknown[]) => void)(...args);
  }

  readonly fatal: LogFn = (...args: unknown[]) => this.write('fatal', args);
  readonly error: LogFn = (...args: unknown[]) => this.write('error', args);
  readonly warn: LogFn = (...args: unknown[]) => this.write('warn', args);
  readonly info: LogFn = (...args: unknown[]) => this.write('info', args);
  readonly debug: LogFn = (...args: unknown[]) => this.write('debug', args);
  readonly trace: LogFn = (...args: unknown[]) => this.write('trace', args);
}

export function createLogger(level: string = process.env['AUSCULT_LOG_LEVEL'] ?? 'info', format: string = process.env['AUSCULT_LOG_FORMAT'] ?? 'json'): Logger {
  return new LazyLogger(level, (current) => {
    const { pino } = require('pino') as typeof Pino;
    const options: LoggerOptions = { level: current, base: null, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
    if (format === 'pretty') {
      // pino's own pretty printer, in this process and synchronous (no worker thread), on stderr;
      // redaction happens before it, as for JSON.
      const { PinoPretty } = require('pino-pretty') as { PinoPretty: typeof PinoPrettyFn };
      return pino(options, PinoPretty({ destination: 2, sync: true, colorize: process.stderr.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
    }
    return pino(options, pino.destination({ fd: 2, sync: true }));
  });
}

/** A logger that drops everything (tests, library use); never loads pino. */
export function silentLogger(): Logger {
  return new LazyLogger('silent', () => {
    throw new Error('a silent logger writes nothing');
  });
}
