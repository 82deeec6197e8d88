/**
 * \summary Optional system tools the tests use, each with the Debian package that brings it.
 *
 * A test that needs one calls `toolMissing(...)` and skips with the returned one-line reason
 * (which names the package) instead of throwing. `.ci/run` installs every package listed in
 * `TOOL_PACKAGES` and fails when any test was skipped, so nothing is silently left out in CI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Tool → Debian package, as README.md ("Optional tools") lists them. */
export const TOOL_PACKAGES = {
  tshark: 'tshark',
  tcpdump: 'tcpdump',
  tcpreplay: 'tcpreplay',
  ip: 'iproute2',
  setpriv: 'util-linux',
  'systemd-analyze': 'systemd',
  chromium: 'chromium',
  pdftoppm: 'poppler-utils',
  pdftotext: 'poppler-utils',
  pdfinfo: 'poppler-utils',
  script: 'bsdutils',
} as const;

export type Tool = keyof typeof TOOL_PACKAGES;

const VERSION_ARGS: Partial<Record<Tool, string[]>> = { tshark: ['-v'], ip: ['-V'], pdftoppm: ['-v'], pdftotext: ['-v'], pdfinfo: ['-v'], script: ['-V'] };
const cache = new Map<Tool, string | null>();

/** The one-line skip reason for a tool that is absent, naming its Debian package. */
export function missingReason(tool: Tool): string {
  return `needs ${tool} (apt-get install -y ${TOOL_PACKAGES[tool]})`;
}

/** Null when the tool runs here, else the one-line reason to skip with. */
export function toolMissing(tool: Tool): string | null {
  const known = cache.get(tool);
  if (known !== undefined) return known;
  let ok: boolean;
  if (tool === 'chromium') ok = CHROMIUM !== undefined;
  else ok = spawnSync(tool, VERSION_ARGS[tool] ?? ['--version'], { stdio: 'ignore' }).status === 0;
  const reason = ok ? null : missingReason(tool);
  cache.set(tool, reason);
  return reason;
}

/** Debian's Chromium binary, when installed. */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** A test title that carries its skip reason, so the runner's output says why it was skipped. */
export function titled(title: string, reason: string | null): string {
  return reason === null ? title : `${title} [skipped: ${reason}]`;
}
