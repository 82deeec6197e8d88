/**
 * \summary TLS ClientHello records → observations about the client that sent them (issue 20):
 * `tls.sni` (the server name it calls, lower case), `tls.ja4` (its TLS client fingerprint) and
 * `tls.alpn` (its first ALPN name), so identification rules can match them. Never observed:
 * certificates or any payload.
 */
import { printable } from '../../decode/bytes.js';
import type { FrameRecord } from '../../decode/frame-record.js';
import type { Observation } from '../../observe/observation.js';
import { factOf } from '../../observe/observe-context.js';
import type { TlsClientHelloRecord } from './tls-client-hello.js';

export function observeTls(r: TlsClientHelloRecord, frame: FrameRecord): Observation[] {
  const out: Observation[] = [];
  if (r.serverName !== undefined) out.push(factOf(frame, 'tls', 'tls.sni', r.serverName));
  if (r.ja4 !== undefined) out.push(factOf(frame, 'tls', 'tls.ja4', r.ja4));
  const alpn = r.alpn[0];
  if (alpn !== undefined && alpn !== '') out.push(factOf(frame, 'tls', 'tls.alpn', printable(alpn, 64)));
  return out;
}
