/**
 * \summary pino logger on stderr (stdout is for machine output). Level from `--log-level`,
 * `AUSCULT_LOG_LEVEL` or config. The redact list is a backstop: nothing upstream logs payloads,
 * and PHI-bearing keys are censored if anything ever tries.
 */
import { pino, type Logger } from 'pino';
import { createRequire } from 'node:module';
import type { PinoPretty as PinoPrettyFn } from 'pino-pretty';

export type { Logger };

export const REDACT_PATHS = [
  'payload', '*.payload', 'raw', '*.raw', 'patient', '*.patient', 'pid', '*.pid', 'nk1', '*.nk1', 'pv1', '*.pv1',
];

export function createLogger(level: string = process.env['AUSCULT_LOG_LEVEL'] ?? 'info', format: string = process.env['AUSCULT_LOG_FORMAT'] ?? 'json'): Logger {
  const options = { level, base: null, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (format === 'pretty') {
    // pino's own pretty printer, in this process and synchronous (no worker thread), on stderr;
    // redaction happens before it, as for JSON.
    // Loaded only when asked for: it costs ~150 ms of start-up that JSON logging does not need.
    const { PinoPretty } = createRequire(import.meta.url)('pino-pretty') as { PinoPretty: typeof PinoPrettyFn };
    return pino(options, PinoPretty({ destination: 2, sync: true, colorize: process.stderr.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return pino(options, pino.destination({ fd: 2, sync: true }));
}

/** Log formats `--log-format` / AUSCULT_LOG_FORMAT accept. */
export const LOG_FORMATS = ['json', 'pretty'] as const;

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
