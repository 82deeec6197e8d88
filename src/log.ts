/**
 * \summary pino logger on stderr (stdout is for machine output). Level from `--log-level`,
 * `AUSCULT_LOG_LEVEL` or config. The redact list is a backstop: nothing upstream logs payloads,
 * and PHI-bearing keys are censored if anything ever tries.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'payload', '*.payload', 'raw', '*.raw', 'patient', '*.patient', 'pid', '*.pid', 'nk1', '*.nk1', 'pv1', '*.pv1',
];

export function createLogger(level: string = process.env['AUSCULT_LOG_LEVEL'] ?? 'info'): Logger {
  return pino(
    { level, base: null, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
