/**
 * \summary Runs the built CLI (`bin/auscult.js`) as a user would, capturing stdout, stderr and
 * the exit code. `npm test` builds first (pretest).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = `${ROOT}bin/auscult.js`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function auscult(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, AUSCULT_LOG_LEVEL: 'warn', ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
