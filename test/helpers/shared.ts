/**
 * \summary Where the material taken from other projects lives (captures, advisories, schemas).
 *
 * It is never committed here: tests read it from `../shared` beside the checkout, or from the
 * directory named by `AUSCULT_SHARED`. A test that needs it calls `sharedPath(...)` and skips
 * with `SHARED_SKIP_REASON` when `sharedAvailable(...)` is false. CI has it, so nothing skips there.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from './cli.js';

/** The shared directory: `AUSCULT_SHARED`, else `../shared` beside the repository. */
export const SHARED_DIR = resolve(process.env['AUSCULT_SHARED'] ?? resolve(ROOT, '../shared'));

/** A path inside the shared directory. */
export function sharedPath(...parts: string[]): string {
  return resolve(SHARED_DIR, ...parts);
}

/** True when the shared directory (or the given path inside it) exists. */
export function sharedAvailable(...parts: string[]): boolean {
  return existsSync(sharedPath(...parts));
}

/** The one-line reason a test gives when it skips for lack of the shared material. */
export const SHARED_SKIP_REASON = `shared material absent: set AUSCULT_SHARED or put it at ${SHARED_DIR}`;

/**
 * Application protocols whose only real payloads are nDPI's captures in
 * `shared/captures/remote-access` (no free software to record a fixture of their own from). Tests
 * that need every protocol's real payloads leave these out, with SHARED_SKIP_REASON, when the
 * shared material is absent; every other protocol must still have payloads in fixtures/.
 */
export const SHARED_ONLY_PROTOCOLS: ReadonlySet<string> = new Set(['citrix', 'dns_tcp', 'teamviewer', 'teamviewer_udp', 'telnet']);

/** Null when the remote-access captures are here, else the reason to skip the protocols above. */
export const REMOTE_ACCESS_SKIP: string | null = sharedAvailable('captures', 'remote-access') ? null : SHARED_SKIP_REASON;
