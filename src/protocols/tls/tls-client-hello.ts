/**
 * \summary TLS ClientHello decoder (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2): the server name (SNI,
 * RFC 6066 §3), ALPN (RFC 7301) and the JA4 fingerprint (FoxIO JA4 spec, "JA4: TLS Client
 * Fingerprint"), from the first TLS record of a TCP segment. No certificate, no key share, no
 * payload is kept: only the numbers JA4 needs, the server name and the ALPN names.
 *
 * Hand-written: no maintained npm package parses a ClientHello from bytes without a TLS stack,
 * and none computes JA4 (the JA4 implementations are Rust/Python/Zeek). Pure: no I/O, no
 * logging, no clock (node:crypto's SHA-256 is a pure function). Never throws.
 *
 * A ClientHello split over several TCP segments is read as far as the first segment goes: the
 * record is flagged `complete: false` (`tls.truncated`), what was read is kept (often the SNI),
 * and no JA4 is computed, since it would be wrong.
 */
import { createHash } from 'node:crypto';
import { ByteReader, decodeText } from '../../decode/bytes.js';
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';
import { declareLimits, intLimit } from '../../decode/limits.js';

export const TLS_ANOMALIES = [
  /** The handshake runs past the end of the segment (split ClientHello): read as far as it goes, no JA4. */
  'tls.truncated',
  /** A TLS handshake record whose first message is not a ClientHello (not decoded). */
  'tls.not_client_hello',
  /** A length field disagrees with its container (a vector runs past its parent). */
  'tls.bad_length',
  /** More cipher suites than `maxCipherSuites`: the rest are not read. */
  'tls.too_many_cipher_suites',
  /** More extensions than `maxExtensions`: the rest are not read. */
  'tls.too_many_extensions',
  /** A server name that is not a DNS host name (RFC 6066 §3: no IP literals, ASCII only): dropped. */
  'tls.bad_server_name',
  /** More ALPN names than `maxAlpn`: the rest are dropped. */
  'tls.too_many_alpn',
] as const satisfies readonly AnomalyCode[];

export type TlsAnomaly = (typeof TLS_ANOMALIES)[number];

export interface TlsLimits {
  /** Cipher suites read per ClientHello (`decode.tls.max_cipher_suites`). */
  maxCipherSuites: number;
  /** Extensions read per ClientHello. */
  maxExtensions: number;
  /** ALPN protocol names kept. */
  maxAlpn: number;
  /** Characters kept of an ALPN name. */
  maxAlpnLength: number;
}

export const TLS_LIMIT_DECL = declareLimits('tls', 'TLS ClientHello decoder (src/protocols/tls/tls-client-hello.ts TLS_LIMITS, issue 20).', {
  maxCipherSuites: intLimit('max_cipher_suites', 1, 65535, 512, 'Cipher suites read per ClientHello.'),
  maxExtensions: intLimit('max_extensions', 1, 65535, 128, 'Extensions read per ClientHello.'),
  maxAlpn: intLimit('max_alpn', 1, 1024, 16, 'ALPN protocol names kept.'),
  maxAlpnLength: intLimit('max_alpn_length', 1, 255, 64, 'Characters kept of an ALPN name.'),
});
export const TLS_LIMITS: Readonly<TlsLimits> = TLS_LIMIT_DECL.defaults;

export interface TlsClientHelloRecord {
  /** Legacy version of the record layer (0x0301 typically). */
  recordVersion: number;
  /** `legacy_version` of the ClientHello (0x0303 for TLS 1.2 and 1.3). */
  helloVersion: number;
  /** The whole ClientHello was in this segment (JA4 is computed only then). */
  complete: boolean;
  /** Cipher suites in wire order (GREASE included), capped. */
  cipherSuites: number[];
  /** Extension types in wire order (GREASE included), capped. */
  extensions: number[];
  /** server_name host_name, lower-cased; absent when not sent or not a host name. */
  serverName?: string;
  /** ALPN protocol names in wire order (printable text, capped). */
  alpn: string[];
  /** supported_versions (TLS 1.3), GREASE included. */
  supportedVersions: number[];
  /** signature_algorithms in wire order. */
  signatureAlgorithms: number[];
  /** An encrypted_client_hello extension (0xfe0d) or the ESNI draft (0xffce) was present. */
  encryptedClientHello: boolean;
  /** JA4 (`t13d1516h2_8daaf6152771_e5627efa2ab1`), when `complete`. */
  ja4?: string;
}

const CONTENT_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 1;
const EXT_SERVER_NAME = 0x0000;
const EXT_ALPN = 0x0010;
const EXT_SIGNATURE_ALGORITHMS = 0x000d;
const EXT_SUPPORTED_VERSIONS = 0x002b;
const EXT_ECH = 0xfe0d;
const EXT_ESNI = 0xffce;

/** GREASE values (RFC 8701): 0x?a?a with both bytes equal. Left out of JA4. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
}

/** Does this TCP payload start a TLS handshake record carrying a ClientHello? (cheap probe) */
export function looksLikeClientHello(p: Uint8Array): boolean {
  return p.length >= 6 && p[0] === CONTENT_HANDSHAKE && p[1] === 3 && (p[2] as number) <= 4 && p[5] === HANDSHAKE_CLIENT_HELLO;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*\.?$/;
const IPV4_LITERAL = /^\d+\.\d+\.\d+\.\d+$/;

export function decodeTlsClientHello(payload: Uint8Array, limits: TlsLimits = TLS_LIMITS): DecodeResult<TlsClientHelloRecord> {
  const anomalies: AnomalyCode[] = [];
  const r = new ByteReader(payload);
  const record: TlsClientHelloRecord = {
    recordVersion: 0, helloVersion: 0, complete: false, cipherSuites: [], extensions: [], alpn: [],
    supportedVersions: [], signatureAlgorithms: [], encryptedClientHello: false,
  };
  if (r.u8() !== CONTENT_HANDSHAKE) return { value: record, anomalies: ['tls.not_client_hello'] };
  record.recordVersion = r.u16();
  const recordLength = r.u16();
  if (r.u8() !== HANDSHAKE_CLIENT_HELLO || r.failed) return { value: record, anomalies: [r.failed ? 'tls.truncated' : 'tls.not_client_hello'] };
  const helloLength = r.u24();
  // The handshake message may span records and segments: read what is here, note the rest.
  const available = r.remaining;
  const complete = helloLength <= available && helloLength + 4 <= recordLength;
  if (!complete) anomalies.push('tls.truncated');
  const h = r.take(Math.min(helloLength, available));
  record.helloVersion = h.u16();
  h.skip(32); // random
  h.skip(h.u8()); // legacy_session_id
  const cipherBytes = h.u16();
  const ciphers = h.take(Math.min(cipherBytes, h.remaining));
  if (cipherBytes % 2 !== 0) anomalies.push('tls.bad_length');
  while (ciphers.remaining >= 2) {
    if (record.cipherSuites.length === limits.maxCipherSuites) { anomalies.push('tls.too_many_cipher_suites'); break; }
    record.cipherSuites.push(ciphers.u16());
  }
  h.skip(h.u8()); // legacy_compression_methods
  if (h.remaining >= 2) {
    const extBytes = h.u16();
    if (extBytes > h.remaining && complete) anomalies.push('tls.bad_length');
    const exts = h.take(Math.min(extBytes, h.remaining));
    while (exts.remaining >= 4) {
      if (record.extensions.length === limits.maxExtensions) { anomalies.push('tls.too_many_extensions'); break; }
      const type = exts.u16();
      const len = exts.u16();
      if (len > exts.remaining) {
        if (complete) anomalies.push('tls.bad_length');
        break; // the extension was cut: not counted
      }
      record.extensions.push(type);
      readExtension(type, exts.take(len), record, anomalies, limits);
    }
  }
  if (h.failed && complete) anomalies.push('tls.bad_length');
  record.complete = complete && !h.failed;
  if (record.complete) record.ja4 = ja4(record, 't');
  return { value: record, anomalies };
}

function readExtension(type: number, e: ByteReader, record: TlsClientHelloRecord, anomalies: AnomalyCode[], limits: TlsLimits): void {
  switch (type) {
    case EXT_SERVER_NAME: {
      const list = e.take(e.u16());
      while (list.remaining >= 3) {
        const nameType = list.u8();
        const name = list.bytes(list.u16());
        if (nameType !== 0 || list.failed) continue;
        const text = decodeText(name, 'latin1').toLowerCase();
        if (HOST_NAME.test(text) && !IPV4_LITERAL.test(text)) record.serverName ??= text.replace(/\.$/, '');
        else anomalies.push('tls.bad_server_name');
      }
      if (list.failed || e.failed) anomalies.push('tls.bad_length');
      return;
    }
    case EXT_ALPN: {
      const list = e.take(e.u16());
      while (list.remaining >= 1) {
        const name = list.bytes(list.u8());
        if (list.failed) break;
        if (record.alpn.length === limits.maxAlpn) { anomalies.push('tls.too_many_alpn'); break; }
        record.alpn.push(alpnText(name, limits.maxAlpnLength));
      }
      if (list.failed || e.failed) anomalies.push('tls.bad_length');
      return;
    }
    case EXT_SUPPORTED_VERSIONS: {
      const list = e.take(e.u8());
      while (list.remaining >= 2 && record.supportedVersions.length < 64) record.supportedVersions.push(list.u16());
      return;
    }
    case EXT_SIGNATURE_ALGORITHMS: {
      const list = e.take(e.u16());
      while (list.remaining >= 2 && record.signatureAlgorithms.length < 128) record.signatureAlgorithms.push(list.u16());
      return;
    }
    case EXT_ECH:
    case EXT_ESNI:
      record.encryptedClientHello = true;
      return;
  }
}

/** ALPN names are opaque bytes: printable ASCII kept as is, anything else as `0x<hex>`. */
function alpnText(b: Uint8Array, max: number): string {
  let printable = true;
  for (let i = 0; i < b.length; i++) if ((b[i] as number) < 0x20 || (b[i] as number) > 0x7e) printable = false;
  const s = printable ? decodeText(b, 'latin1') : '0x' + Buffer.from(b).toString('hex');
  return s.length > max ? s.slice(0, max) : s;
}

const VERSION_CODES: ReadonlyMap<number, string> = new Map([
  [0x0304, '13'], [0x0303, '12'], [0x0302, '11'], [0x0301, '10'], [0x0300, 's3'], [0x0002, 's2'],
  [0xfeff, 'd1'], [0xfefd, 'd2'], [0xfefc, 'd3'],
]);

const hex4 = (v: number) => v.toString(16).padStart(4, '0');
const hash12 = (s: string) => (s === '' ? '000000000000' : createHash('sha256').update(s).digest('hex').slice(0, 12));
const isAlnum = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/**
 * JA4 (FoxIO, JA4 spec §"JA4: TLS Client Fingerprinting"): `a_b_c` where
 * a = transport + version + SNI d/i + 2-digit cipher count + 2-digit extension count + ALPN first/last char;
 * b = first 12 hex of SHA-256 of the sorted cipher suites (4-hex, comma separated);
 * c = first 12 hex of SHA-256 of the sorted extensions without SNI and ALPN, `_`, the signature
 * algorithms in wire order. GREASE is left out everywhere.
 */
export function ja4(h: TlsClientHelloRecord, transport: 't' | 'q' | 'd'): string {
  const versions = h.supportedVersions.filter((v) => !isGrease(v));
  const version = versions.length > 0 ? Math.max(...versions) : h.helloVersion;
  const ciphers = h.cipherSuites.filter((v) => !isGrease(v));
  const exts = h.extensions.filter((v) => !isGrease(v));
  const sni = exts.includes(EXT_SERVER_NAME) ? 'd' : 'i';
  const first = h.alpn[0];
  let alpn = '00';
  if (first !== undefined && first.length > 0) {
    const raw = first.startsWith('0x') && first.length > 2 ? Buffer.from(first.slice(2), 'hex') : Buffer.from(first, 'latin1');
    const a = raw[0] as number;
    const z = raw[raw.length - 1] as number;
    alpn = isAlnum(a) && isAlnum(z) ? String.fromCharCode(a) + String.fromCharCode(z) : (hex2(a)[0] as string) + (hex2(z)[1] as string);
  }
  const count = (n: number) => String(Math.min(n, 99)).padStart(2, '0');
  const a = `${transport}${VERSION_CODES.get(version) ?? '00'}${sni}${count(ciphers.length)}${count(exts.length)}${alpn}`;
  const b = hash12(ciphers.map(hex4).sort().join(','));
  const extList = exts.filter((v) => v !== EXT_SERVER_NAME && v !== EXT_ALPN).map(hex4).sort().join(',');
  const sigs = h.signatureAlgorithms.filter((v) => !isGrease(v)).map(hex4).join(',');
  const c = extList === '' ? '000000000000' : hash12(sigs === '' ? extList : `${extList}_${sigs}`);
  return `${a}_${b}_${c}`;
}

const hex2 = (v: number) => v.toString(16).padStart(2, '0');
