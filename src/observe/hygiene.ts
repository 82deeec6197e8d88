/**
 * \summary The last gate before the device model: an observation that would key a device by a
 * group (multicast or broadcast) MAC, or an identity string that says nothing (only zeros, only
 * spaces, only control characters: what fuzzed and half-configured devices send), is dropped
 * and counted as an anomaly. One gate for every path (frame, DHCP chaddr, LLDP, CDP, mDNS, DICOM,
 * HL7): no observer can forget it.
 */
import type { AnomalyCode } from '../decode/result.js';
import { isUnicastMac } from './frame.js';
import type { Observation } from './observation.js';

export const HYGIENE_ANOMALIES = [
  /** An observation about a multicast/broadcast (or all-zero) MAC: never a device key. */
  'observe.group_mac_key',
  /** An LLDP chassis id or CDP address that is a group MAC: not an identity. */
  'observe.group_mac_identity',
  /** An identity string of only zeros, spaces or control characters. */
  'observe.junk_identity_string',
] as const satisfies readonly AnomalyCode[];

/** Observation fields that carry a name, a model, a version or an id a person would look up. */
export const IDENTITY_STRING_FIELDS: ReadonlySet<string> = new Set([
  'dhcp.hostname', 'dhcp.fqdn', 'dhcp.vendor_class',
  'lldp.chassis_id', 'lldp.port_id', 'lldp.port_description', 'lldp.system_name', 'lldp.system_description',
  'lldp.med.hardware_revision', 'lldp.med.firmware_revision', 'lldp.med.software_revision', 'lldp.med.serial_number',
  'lldp.med.manufacturer', 'lldp.med.model', 'lldp.med.asset_id',
  'cdp.device_id', 'cdp.platform', 'cdp.software_version', 'cdp.port_id', 'cdp.system_name',
  'mdns.hostname',
  'dicom.calling_ae_title', 'dicom.ae_title', 'dicom.station_name', 'dicom.manufacturer', 'dicom.model', 'dicom.serial_number',
  'hl7.sending_application', 'hl7.sending_facility', 'hl7.receiving_facility',
]);

const MAC_TEXT = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;
const GROUP_MAC_FIELDS: ReadonlySet<string> = new Set(['lldp.chassis_id', 'cdp.address']);

/** True for text that names nothing: empty, or only spaces/control characters, or two or more zeros (with spaces). */
export function isJunkIdentity(value: string): boolean {
  let zeros = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x30) zeros++;
    else if (c > 0x20 && c !== 0x7f) return false;
  }
  return zeros !== 1;
}

/** Why `o` must not reach the device model, or undefined when it may. */
export function hygieneProblem(o: Observation): AnomalyCode | undefined {
  if (o.mac !== undefined && !isUnicastMac(o.mac)) return 'observe.group_mac_key';
  if (!IDENTITY_STRING_FIELDS.has(o.field) && !GROUP_MAC_FIELDS.has(o.field)) return undefined;
  if (GROUP_MAC_FIELDS.has(o.field) && MAC_TEXT.test(o.value) && !isUnicastMac(o.value.toLowerCase())) return 'observe.group_mac_identity';
  if (IDENTITY_STRING_FIELDS.has(o.field) && isJunkIdentity(o.value)) return 'observe.junk_identity_string';
  return undefined;
}
