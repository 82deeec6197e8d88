/**
 * \summary SSH identification string decoder (RFC 4253 §4.2): `SSH-protoversion-softwareversion
 * SP comments CR LF`, the first line each side sends. Only that line is read; the key exchange
 * and everything after it are encrypted and never looked at.
 *
 * Hand-written: the banner is one text line, no library needed. Pure; never throws.
 */
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';
import { declareLimits, intLimit } from '../../decode/limits.js';

export const SSH_ANOMALIES = [
  /** No CR LF / LF within `maxBannerLength` bytes (RFC 4253 §4.2 allows 255 with CR LF): cut. */
  'ssh.banner_too_long',
  /** Not `SSH-<proto>-<software>`: not kept. */
  'ssh.bad_banner',
  /** Non-printable bytes in the banner: replaced by '.'. */
  'ssh.non_printable',
] as const satisfies readonly AnomalyCode[];

export interface SshLimits {
  /** Bytes of the identification line read (`decode.ssh.max_banner_length`). */
  maxBannerLength: number;
}

export const SSH_LIMIT_DECL = declareLimits('ssh', 'SSH banner decoder (src/protocols/ssh/ssh.ts SSH_LIMITS, issue 20).', {
  maxBannerLength: intLimit('max_banner_length', 8, 65535, 255, 'Bytes of the identification line read (RFC 4253 allows 255 with CR LF).'),
});
export const SSH_LIMITS: Readonly<SshLimits> = SSH_LIMIT_DECL.defaults;

export interface SshRecord {
  /** The whole identification line without CR LF, e.g. `SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.11`. */
  banner: string;
  /** `2.0` (or `1.99`). */
  protoVersion: string;
  /** `OpenSSH_8.2p1`. */
  software: string;
  /** Text after the first space, e.g. `Ubuntu-4ubuntu0.11`; absent when none. */
  comments?: string;
}

/** Cheap probe: does this TCP payload start with `SSH-`? */
export function looksLikeSsh(p: Uint8Array): boolean {
  return p.length >= 8 && p[0] === 0x53 && p[1] === 0x53 && p[2] === 0x48 && p[3] === 0x2d;
}

export function decodeSsh(payload: Uint8Array, limits: SshLimits = SSH_LIMITS): DecodeResult<SshRecord | undefined> {
  const anomalies: AnomalyCode[] = [];
  let end = payload.indexOf(0x0a);
  if (end < 0 || end > limits.maxBannerLength) {
    anomalies.push('ssh.banner_too_long');
    end = Math.min(payload.length, limits.maxBannerLength);
  }
  let line = '';
  let bad = false;
  for (let i = 0; i < end; i++) {
    const c = payload[i] as number;
    if (c === 0x0d && i === end - 1) break;
    if (c < 0x20 || c > 0x7e) { bad = true; line += '.'; } else line += String.fromCharCode(c);
  }
  if (bad) anomalies.push('ssh.non_printable');
  const m = /^SSH-([0-9.]+)-([^ ]+)(?: (.*))?$/.exec(line);
  if (m === null) return { value: undefined, anomalies: [...anomalies, 'ssh.bad_banner'] };
  const record: SshRecord = { banner: line, protoVersion: m[1] as string, software: m[2] as string };
  if (m[3] !== undefined && m[3] !== '') record.comments = m[3];
  return { value: record, anomalies };
}
