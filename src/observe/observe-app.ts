/**
 * \summary Application records → observations: one observer per protocol, one line each in
 * OBSERVERS (datagram protocols, src/decode/registry.ts) or STREAM_OBSERVERS (TCP stream
 * protocols, src/decode/stream/stream-decoder.ts). Both maps are keyed by every registered
 * protocol name, so the compiler refuses a protocol registered without its observer.
 *
 * LOCATORS: the protocols whose records also give a typed location fact (src/observe/location-facts.ts),
 * carried beside the frame's observations to the location stage and the address binder.
 */
import type { AppProtocolName, AppRecord } from '../decode/registry.js';
import type { FrameRecord } from '../decode/frame-record.js';
import type { StreamRecord } from '../decode/stream/stream-decoder.js';
import { cdpAdvertisement } from '../protocols/cdp/cdp-location.js';
import { observeCdp } from '../protocols/cdp/cdp-observe.js';
import { dhcpRelayFact } from '../protocols/dhcp/dhcp-location.js';
import { observeDhcp } from '../protocols/dhcp/dhcp-observe.js';
import { observeDicom } from '../protocols/dicom/dicom-observe.js';
import { observeHl7 } from '../protocols/hl7/hl7-observe.js';
import { lldpAdvertisement } from '../protocols/lldp/lldp-location.js';
import { observeLldp } from '../protocols/lldp/lldp-observe.js';
import { observeMdns } from '../protocols/mdns/mdns-observe.js';
import { observeRdp } from '../protocols/rdp/rdp-observe.js';
import { observeSsh } from '../protocols/ssh/ssh-observe.js';
import { observeTls } from '../protocols/tls/tls-observe.js';
import { observeVnc } from '../protocols/vnc/vnc-observe.js';
import type { LocationFact } from './location-facts.js';
import type { Observation } from './observation.js';

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

type Locator<R> = (record: R, frame: FrameRecord) => LocationFact | undefined;

/** The protocols whose records say where a device is plugged in (LLDP, CDP, DHCP option 82). */
const LOCATORS: { [N in AppProtocolName]?: Locator<Extract<AppRecord, { protocol: N }>['record']> } = {
  lldp: lldpAdvertisement,
  cdp: cdpAdvertisement,
  dhcp: dhcpRelayFact,
};

/** The typed location fact of an application record, if its protocol gives one. */
export function locationFactOf(app: AppRecord, frame: FrameRecord): LocationFact | undefined {
  const locate = LOCATORS[app.protocol] as Locator<AppRecord['record']> | undefined;
  return locate === undefined ? undefined : locate(app.record, frame);
}

export function observeApplication(app: AppRecord, frame: FrameRecord): Observation[] {
  return (OBSERVERS[app.protocol] as Observer<AppRecord['record']>)(app.record, frame);
}

/** A stream record's observations; `frame` is its frame of origin (protocols/dicom/dicom-observe.ts frameOfOrigin). */
export function observeStream(r: StreamRecord, frame: FrameRecord): Observation[] {
  return (STREAM_OBSERVERS[r.protocol] as Observer<StreamRecord>)(r, frame);
}
