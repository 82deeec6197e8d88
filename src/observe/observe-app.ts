/**
 * \summary Application records → observations: one observer per protocol, one line each in
 * OBSERVERS (datagram protocols, src/decode/registry.ts) or STREAM_OBSERVERS (TCP stream
 * protocols, src/decode/stream/stream-decoder.ts). Both maps are keyed by every registered
 * protocol name, so the compiler refuses a protocol registered without its observer.
 */
import type { AppProtocolName, AppRecord } from '../decode/registry.js';
import type { FrameRecord } from '../decode/frame-record.js';
import type { StreamRecord } from '../decode/stream/stream-decoder.js';
import { observeCdp } from './cdp.js';
import { observeDhcp } from './dhcp.js';
import { observeDicom } from './dicom.js';
import { observeHl7 } from './hl7.js';
import { observeLldp } from './lldp.js';
import { observeMdns } from './mdns.js';
import type { Observation } from './observation.js';
import { observeRdp, observeSsh, observeTls, observeVnc } from './remote-access.js';

type Observer<R> = (record: R, frame: FrameRecord) => Observation[];

/** The observer of each datagram protocol, given that protocol's record. */
const OBSERVERS: { [N in AppProtocolName]: Observer<Extract<AppRecord, { protocol: N }>['record']> } = {
  dhcp: observeDhcp,
  lldp: observeLldp,
  cdp: observeCdp,
  mdns: observeMdns,
  // Issue 20: DNS, TeamViewer, Telnet and Citrix feed the session tracker only (no device facts).
  dns: () => [],
  dns_tcp: () => [],
  tls: observeTls,
  ssh: observeSsh,
  rdp: observeRdp,
  vnc: observeVnc,
  citrix: () => [],
  telnet: () => [],
  teamviewer: () => [],
  teamviewer_udp: () => [],
};

/** The observer of each stream protocol, given that protocol's whole StreamRecord (kind and origin). */
const STREAM_OBSERVERS: { [N in StreamRecord['protocol']]: Observer<Extract<StreamRecord, { protocol: N }>> } = {
  dicom: observeDicom,
  hl7: (r, frame) => observeHl7(r.record, frame),
};

export function observeApplication(app: AppRecord, frame: FrameRecord): Observation[] {
  return (OBSERVERS[app.protocol] as Observer<AppRecord['record']>)(app.record, frame);
}

/** A stream record's observations; `frame` is its frame of origin (observe/dicom.ts frameOfOrigin). */
export function observeStream(r: StreamRecord, frame: FrameRecord): Observation[] {
  return (STREAM_OBSERVERS[r.protocol] as Observer<StreamRecord>)(r, frame);
}
