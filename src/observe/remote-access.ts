/**
 * \summary TLS ClientHello, SSH, RDP and VNC records → observations about the device that sent
 * them (issue 20), so identification rules can match a device's TLS client (`tls.ja4`), the
 * servers it calls (`tls.sni`), its SSH software (`ssh.banner`) and the remote-control
 * protocols it speaks. Unicast DNS and TeamViewer yield no device facts (they feed the session
 * tracker, src/observe/remote-sessions.ts).
 *
 * Fields:
 * - `tls.sni` (server name, lower case), `tls.ja4`, `tls.alpn` (first ALPN name): the client.
 * - `ssh.banner` (`SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.11`), `ssh.software` (`OpenSSH_8.2p1`): the sender.
 * - `rdp.requested_protocols` (`ssl,hybrid`) from a client, `rdp.selected_protocol` from a server.
 * - `vnc.rfb_version` (`3.8`): the sender.
 *
 * Never observed: the RDP cookie (a user name, never decoded), certificates, any payload.
 */
import { printable } from '../decode/bytes.js';
import type { RdpRecord } from '../decode/app/rdp.js';
import type { SshRecord } from '../decode/app/ssh.js';
import type { TlsClientHelloRecord } from '../decode/app/tls-client-hello.js';
import type { VncRecord } from '../decode/app/vnc.js';
import type { FrameRecord } from '../decode/frame-record.js';
import type { Observation } from './observation.js';
import { factOf } from './observe-context.js';

export function observeTls(r: TlsClientHelloRecord, frame: FrameRecord): Observation[] {
  const out: Observation[] = [];
  if (r.serverName !== undefined) out.push(factOf(frame, 'tls', 'tls.sni', r.serverName));
  if (r.ja4 !== undefined) out.push(factOf(frame, 'tls', 'tls.ja4', r.ja4));
  const alpn = r.alpn[0];
  if (alpn !== undefined && alpn !== '') out.push(factOf(frame, 'tls', 'tls.alpn', printable(alpn, 64)));
  return out;
}

export function observeSsh(r: SshRecord | undefined, frame: FrameRecord): Observation[] {
  if (r === undefined) return [];
  return [factOf(frame, 'ssh', 'ssh.banner', printable(r.banner)), factOf(frame, 'ssh', 'ssh.software', printable(r.software))];
}

export function observeRdp(r: RdpRecord | undefined, frame: FrameRecord): Observation[] {
  if (r === undefined) return [];
  if (r.requestedProtocols !== undefined) return [factOf(frame, 'rdp', 'rdp.requested_protocols', r.requestedProtocols.join(','))];
  if (r.selectedProtocol !== undefined) return [factOf(frame, 'rdp', 'rdp.selected_protocol', r.selectedProtocol)];
  return [];
}

export function observeVnc(r: VncRecord | undefined, frame: FrameRecord): Observation[] {
  return r === undefined ? [] : [factOf(frame, 'vnc', 'vnc.rfb_version', r.version)];
}
