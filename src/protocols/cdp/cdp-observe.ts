/**
 * \summary CDP record → observations about the frame's sender (a Cisco switch, router or
 * phone, or anything else speaking CDP).
 *
 * Field names are a contract with the fingerprint rules (`cdp.*`, snake_case): `cdp.device_id`,
 * `cdp.platform`, `cdp.software_version` (lines joined with `\n`), `cdp.port_id`,
 * `cdp.capabilities` (comma list of bit names), `cdp.address` (one per address in the
 * Addresses TLV), `cdp.management_address` (one per address in the Management Addresses TLV),
 * `cdp.native_vlan`, `cdp.voice_vlan` (from the VoIP VLAN reply), `cdp.vtp_domain`,
 * `cdp.duplex`, `cdp.system_name`, `cdp.location`, plus `cdp.version` and `cdp.power_mw`.
 * Every IPv4/IPv6 address of either TLV (other than 0.0.0.0 and ::) is also `ip.address`
 * (protocol `cdp`): CDP advertises the sender's own addresses. Empty values and repeats of the
 * same field and value give no observation.
 */
import type { CdpRecord } from './cdp.js';
import type { FrameRecord } from '../../decode/frame-record.js';
import type { Observation } from '../../observe/observation.js';
import { factCollector, senderOf } from '../../observe/observe-context.js';

const PROTOCOL = 'cdp';
const UNSPECIFIED = new Set(['0.0.0.0', '::']);

export function observeCdp(record: CdpRecord, frame: FrameRecord): Observation[] {
  const sender = senderOf(frame);
  const { out, fact } = factCollector(frame, PROTOCOL, sender);

  if (record.tlvCount === 0) return out;
  fact('cdp.version', record.version);
  fact('cdp.device_id', record.deviceId);
  fact('cdp.platform', record.platform);
  fact('cdp.software_version', record.softwareVersion?.join('\n'));
  fact('cdp.port_id', record.portId);
  fact('cdp.capabilities', record.capabilityNames?.join(','));
  for (const a of record.addresses) fact('cdp.address', a.address);
  for (const a of record.managementAddresses) fact('cdp.management_address', a.address);
  fact('cdp.native_vlan', record.nativeVlan);
  fact('cdp.voice_vlan', record.voipVlanReply?.vlan);
  fact('cdp.vtp_domain', record.vtpDomain);
  fact('cdp.duplex', record.duplex);
  fact('cdp.system_name', record.systemName);
  fact('cdp.location', record.location);
  fact('cdp.power_mw', record.powerMilliwatts);
  for (const a of [...record.addresses, ...record.managementAddresses]) {
    if (a.family === 'other' || UNSPECIFIED.has(a.address)) continue;
    fact('ip.address', a.address, { ...sender, ip: a.address });
  }
  return out;
}
