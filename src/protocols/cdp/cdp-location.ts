/**
 * \summary CDP record → SwitchAdvertisement (src/observe/location-facts.ts): what a Cisco
 * switch, router or phone says about itself and the port the frame left by, typed, for the
 * location stage and router recognition. Built from the decoded record (the capabilities
 * bitmap, the native VLAN as a number), never from the flattened `cdp.*` observations.
 *
 * Management addresses: the Management Addresses TLV, then the Addresses TLV, in wire order.
 * The Location TLV is the port's civic location when the sender is a switch.
 */
import type { CdpRecord } from './cdp.js';
import type { FrameRecord } from '../../decode/frame-record.js';
import { innermostVlan } from '../../observe/observe-context.js';
import { type AdvertisedPort, type Capability, type SwitchAdvertisement, capabilitiesOf, identityText } from '../../observe/location-facts.js';

/** CDP capability bits, bit 0 first (the names of CDP_CAPABILITY_NAMES, typed; `phone` is telephone). */
const CDP_CAPABILITY_BITS: readonly Capability[] = [
  'router', 'transparentBridge', 'sourceRouteBridge', 'switch', 'host', 'igmp', 'repeater', 'telephone', 'remotelyManaged', 'cvta', 'twoPortMacRelay',
];

export function cdpAdvertisement(record: CdpRecord, frame: FrameRecord): SwitchAdvertisement | undefined {
  const senderMac = frame.srcMac;
  if (senderMac === undefined || record.tlvCount === 0) return undefined;
  const managementAddresses: string[] = [];
  for (const a of record.managementAddresses) if (a.address !== '') managementAddresses.push(a.address);
  for (const a of record.addresses) if (a.address !== '') managementAddresses.push(a.address);
  const adv: SwitchAdvertisement = {
    protocol: 'cdp',
    senderMac,
    heard: { ts: frame.tsMicros, frame: frame.frameNo, mac: senderMac, ip: frame.ip?.src, vlan: innermostVlan(frame) },
    capabilities: capabilitiesOf(record.capabilities ?? 0, CDP_CAPABILITY_BITS),
    managementAddresses,
  };
  const deviceId = identityText(record.deviceId);
  if (deviceId !== undefined) adv.deviceId = deviceId;
  const systemName = identityText(record.systemName);
  if (systemName !== undefined) adv.systemName = systemName;
  const portId = identityText(record.portId);
  if (portId !== undefined) {
    const port: AdvertisedPort = { id: portId };
    if (record.nativeVlan !== undefined) port.vlan = record.nativeVlan;
    if (record.location !== undefined && record.location !== '') port.civic = record.location;
    adv.port = port;
  }
  return adv;
}
