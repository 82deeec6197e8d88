/**
 * \summary LLDP record → observations about the frame's sender (the switch port's neighbour:
 * a switch, a phone, or an LLDP-MED endpoint such as a medical device).
 *
 * Field names are a contract with the fingerprint rules (`lldp.*`, snake_case):
 * `lldp.chassis_id`, `lldp.chassis_id_subtype`, `lldp.port_id`, `lldp.port_id_subtype`,
 * `lldp.port_description`, `lldp.system_name`, `lldp.system_description`, `lldp.capabilities`,
 * `lldp.enabled_capabilities` (comma lists of bit names), `lldp.management_address` (one per
 * address), `lldp.ttl`, `lldp.shutdown` ('true' when TTL is 0), `lldp.port_vlan_id`,
 * `lldp.vlan_name` (`<vid>:<name>`), and LLDP-MED: `lldp.med.device_class`,
 * `lldp.med.capabilities`, `lldp.med.network_policy` (`voice:vlan=100,prio=5,dscp=46,tagged`),
 * `lldp.med.location.civic` (one line: country, then CA values by CAtype), one
 * `lldp.med.location.civic.<catype>` per CAtype, `lldp.med.location.country`,
 * `lldp.med.location.elin`, `lldp.med.location.coordinate`, and the inventory
 * `lldp.med.{hardware,firmware,software}_revision`, `lldp.med.serial_number`,
 * `lldp.med.manufacturer`, `lldp.med.model`, `lldp.med.asset_id`.
 * An IPv4/IPv6 management address is also `ip.address` (protocol `lldp`): the address is the
 * sender's own. Empty values give no observation.
 */
import type { LldpMedCivicAddress, LldpMedLocation, LldpRecord } from './lldp.js';
import type { FrameRecord } from '../../decode/frame-record.js';
import type { Observation } from '../../observe/observation.js';
import { factCollector, senderOf } from '../../observe/observe-context.js';

const PROTOCOL = 'lldp';

/** CAtypes left out of the one-line civic address: language (0) and script (128). */
const CIVIC_META_TYPES = new Set([0, 128]);

/** The readable one-line civic address: country, then values ordered by CAtype. */
export function civicLine(countryCode: string, elements: readonly { caType: number; value: string }[]): string {
  const parts = elements
    .map((e, i) => ({ ...e, i }))
    .filter((e) => !CIVIC_META_TYPES.has(e.caType) && e.value !== '')
    .sort((a, b) => a.caType - b.caType || a.i - b.i)
    .map((e) => e.value);
  return [countryCode, ...parts].filter((s) => s !== '').join(', ');
}

/**
 * The one-line civic address of a decoded civic LCI, computed once per record: the observer and
 * lldp-location.ts both need it, and civicLine costs several microseconds (measured: building
 * the typed advertisement went from about 5 µs to well under 1 µs per LLDP frame of
 * fixtures/lldp/lab-switch-endpoints.pcapng when it stopped recomputing it).
 */
const civicLines = new WeakMap<LldpMedCivicAddress, string>();
export function civicLineOf(civic: LldpMedCivicAddress): string {
  let line = civicLines.get(civic);
  if (line === undefined) {
    line = civicLine(civic.countryCode, civic.elements);
    civicLines.set(civic, line);
  }
  return line;
}

function coordinateText(loc: LldpMedLocation): string | undefined {
  const c = loc.coordinate;
  if (c === undefined) return undefined;
  const unit = c.altitudeType === 1 ? 'm' : c.altitudeType === 2 ? 'floors' : `type${c.altitudeType}`;
  return `lat=${c.latitude},lon=${c.longitude},alt=${c.altitude}${unit},datum=${c.datum}`;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::']);

export function observeLldp(record: LldpRecord, frame: FrameRecord): Observation[] {
  const sender = senderOf(frame);
  const { out, fact } = factCollector(frame, PROTOCOL, sender);

  if (record.chassisId !== undefined) {
    fact('lldp.chassis_id', record.chassisId.value);
    fact('lldp.chassis_id_subtype', record.chassisId.subtypeName);
  }
  if (record.portId !== undefined) {
    fact('lldp.port_id', record.portId.value);
    fact('lldp.port_id_subtype', record.portId.subtypeName);
  }
  fact('lldp.ttl', record.ttl);
  if (record.ttl === 0) fact('lldp.shutdown', 'true');
  fact('lldp.port_description', record.portDescription);
  fact('lldp.system_name', record.systemName);
  fact('lldp.system_description', record.systemDescription);
  if (record.capabilities !== undefined) {
    fact('lldp.capabilities', record.capabilities.systemNames.join(','));
    fact('lldp.enabled_capabilities', record.capabilities.enabledNames.join(','));
  }
  for (const m of record.managementAddresses) {
    fact('lldp.management_address', m.address);
    if ((m.addressFamily === 1 || m.addressFamily === 2) && !UNSPECIFIED.has(m.address) && /[.:]/.test(m.address)) {
      fact('ip.address', m.address, { ...sender, ip: m.address });
    }
  }
  if (record.dot1 !== undefined) {
    fact('lldp.port_vlan_id', record.dot1.portVlanId);
    for (const v of record.dot1.vlanNames) fact('lldp.vlan_name', `${v.vid}:${v.name}`);
  }
  const med = record.med;
  if (med !== undefined) {
    if (med.capabilities !== undefined) {
      fact('lldp.med.device_class', med.capabilities.deviceClassName);
      fact('lldp.med.capabilities', med.capabilities.capabilityNames.join(','));
    }
    for (const p of med.networkPolicies) {
      const flags = [p.tagged ? 'tagged' : 'untagged', ...(p.unknownPolicy ? ['unknown'] : [])].join(',');
      fact('lldp.med.network_policy', `${p.appName}:vlan=${p.vlanId},prio=${p.priority},dscp=${p.dscp},${flags}`);
    }
    for (const loc of med.locations) {
      if (loc.civic !== undefined) {
        fact('lldp.med.location.civic', civicLineOf(loc.civic));
        fact('lldp.med.location.country', loc.civic.countryCode);
        for (const e of loc.civic.elements) fact(`lldp.med.location.civic.${e.caType}`, e.value);
      }
      fact('lldp.med.location.elin', loc.elin);
      fact('lldp.med.location.coordinate', coordinateText(loc));
    }
    fact('lldp.med.hardware_revision', med.hardwareRevision);
    fact('lldp.med.firmware_revision', med.firmwareRevision);
    fact('lldp.med.software_revision', med.softwareRevision);
    fact('lldp.med.serial_number', med.serialNumber);
    fact('lldp.med.manufacturer', med.manufacturerName);
    fact('lldp.med.model', med.modelName);
    fact('lldp.med.asset_id', med.assetId);
  }
  return out;
}
