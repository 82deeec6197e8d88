/**
 * \summary LLDP record → SwitchAdvertisement (src/observe/location-facts.ts): what the sender
 * says about itself and the port the frame left by, typed, for the location stage and router
 * recognition. Built from the decoded record (capability bits, Port VLAN ID as a number), never
 * from the flattened `lldp.*` observations, which stay for evidence and rules.
 *
 * The capabilities are the enabled ones (802.1AB-2016 §8.5.8.2): a bridge that has switching
 * turned off is not a switch. Identity strings pass the observation gate's test (hygiene.ts).
 */
import type { LldpRecord } from './lldp.js';
import { civicLineOf } from './lldp-observe.js';
import type { FrameRecord } from '../../decode/frame-record.js';
import { innermostVlan } from '../../observe/observe-context.js';
import {
  type AdvertisedPort, type Capability, type SwitchAdvertisement,
  capabilitiesOf, chassisIdText, identityText,
} from '../../observe/location-facts.js';

/** 802.1AB-2016 Table 8-4, bit 0 first (the names of LLDP_CAPABILITY_NAMES, typed). */
const LLDP_CAPABILITY_BITS: readonly Capability[] = [
  'other', 'repeater', 'bridge', 'accessPoint', 'router', 'telephone', 'docsis', 'station', 'cVlan', 'sVlan', 'twoPortMacRelay',
];

const MAC_TEXT = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;

export function lldpAdvertisement(record: LldpRecord, frame: FrameRecord): SwitchAdvertisement | undefined {
  const senderMac = frame.srcMac;
  if (senderMac === undefined) return undefined;
  const chassisId = chassisIdText(record.chassisId?.value);
  let civic: string | undefined;
  for (const loc of record.med?.locations ?? []) {
    if (loc.civic === undefined) continue;
    const line = civicLineOf(loc.civic);
    if (line !== '') { civic = line; break; }
  }
  const managementAddresses: string[] = [];
  for (const m of record.managementAddresses) if (m.address !== '') managementAddresses.push(m.address);
  const adv: SwitchAdvertisement = {
    protocol: 'lldp',
    senderMac,
    heard: { ts: frame.tsMicros, frame: frame.frameNo, mac: senderMac, ip: frame.ip?.src, vlan: innermostVlan(frame) },
    capabilities: capabilitiesOf(record.capabilities?.enabled ?? 0, LLDP_CAPABILITY_BITS),
    managementAddresses,
  };
  if (chassisId !== undefined) {
    adv.chassisId = chassisId;
    // The text test, not the subtype: a chassis component printed as six hex octets is a MAC too.
    if (MAC_TEXT.test(chassisId)) adv.chassisMac = chassisId;
  }
  const systemName = identityText(record.systemName);
  if (systemName !== undefined) adv.systemName = systemName;
  if (civic !== undefined) adv.civic = civic;
  const portId = identityText(record.portId?.value);
  if (portId !== undefined) {
    const port: AdvertisedPort = { id: portId };
    const description = identityText(record.portDescription);
    if (description !== undefined) port.description = description;
    const vlan = record.dot1?.portVlanId;
    if (vlan !== undefined) port.vlan = vlan;
    if (civic !== undefined) port.civic = civic;
    adv.port = port;
  }
  return adv;
}
