/**
 * \summary Generic extraction: observation fields that map straight to device fields.
 *
 * This is the seam the fingerprint rules engine plugs into (issue 6): `Identifier` turns one
 * observation into field candidates; the inventory model merges candidates by confidence.
 */
import type { Observation } from '../observe/observation.js';
import type { DeviceField, FieldCandidate } from './field-candidate.js';
import { lookupOui } from './oui.js';
import type { DeviceFacts } from '../device/device-facts.js';

/**
 * Turns an observation into candidate device field values: a pure stage, given a read-only view
 * of the observation's device (what the device core holds; none outside it).
 */
export interface Identifier {
  candidates(observation: Observation, device?: DeviceFacts): FieldCandidate[];
  /** Observation fields whose latest value the device core must keep for this identifier. */
  remembers?(field: string): boolean;
  /** Loads now what it would load at its first use (a live sensor calls it before it opens the
   * capture, so the first frames do not wait while the kernel's buffer fills). */
  warm?(): void;
}

interface DirectMapping {
  field: DeviceField;
  confidence: number;
  transform?: (value: string) => string | undefined;
}

const stripLocal = (v: string) => v.replace(/\.local\.?$/i, '') || undefined;
const firstLabel = (v: string) => v.split('.')[0] || undefined;

/** Observation field → device field. Confidence follows source precedence (design.md). */
export const DIRECT_MAPPINGS: Readonly<Record<string, DirectMapping>> = {
  'dhcp.hostname': { field: 'hostname', confidence: 0.8 },
  'dhcp.fqdn': { field: 'hostname', confidence: 0.75, transform: firstLabel },
  'mdns.hostname': { field: 'hostname', confidence: 0.7, transform: stripLocal },
  'lldp.system_name': { field: 'hostname', confidence: 0.6 },
  'cdp.device_id': { field: 'hostname', confidence: 0.6 },
  'dhcp.vendor_class': { field: 'dhcp_vendor_class', confidence: 1 },
  'dhcp.prl': { field: 'dhcp_prl', confidence: 1 },
  'dhcp.client_id': { field: 'dhcp_client_id', confidence: 1 },
  'lldp.med.manufacturer': { field: 'manufacturer', confidence: 0.95 },
  'lldp.med.model': { field: 'model', confidence: 0.95 },
  'lldp.med.firmware_revision': { field: 'firmware', confidence: 0.95 },
  'lldp.med.software_revision': { field: 'software_version', confidence: 0.95 },
  'lldp.med.hardware_revision': { field: 'hardware_version', confidence: 0.95 },
  'lldp.med.serial_number': { field: 'serial', confidence: 0.95 },
  'lldp.med.asset_id': { field: 'asset_tag', confidence: 0.9 },
  'cdp.platform': { field: 'model', confidence: 0.6 },
  'mdns.hinfo.os': { field: 'os', confidence: 0.6 },
  'eth.vlan': { field: 'vlan', confidence: 0.9 },
  // Identity strings kept as evidence (issue 15). On a switch, the LLDP/CDP port ids are the
  // ports the sensor has heard it on; on an endpoint, the NIC's own port naming.
  'lldp.port_id': { field: 'lldp_port_id', confidence: 1 },
  'lldp.port_id_subtype': { field: 'lldp_port_id_subtype', confidence: 1 },
  'lldp.port_description': { field: 'lldp_port_description', confidence: 1 },
  'cdp.port_id': { field: 'cdp_port_id', confidence: 1 },
  'eth.vlan_stack': { field: 'vlan_stack', confidence: 1 },
  'eth.encap': { field: 'encapsulation', confidence: 1 },
  'eth.sgt': { field: 'sgt', confidence: 1 },
  'hl7.sending_facility': { field: 'hl7_sending_facility', confidence: 1 },
  'hl7.receiving_facility': { field: 'hl7_receiving_facility', confidence: 1 },
  'dicom.ae_title': { field: 'dicom_ae_title', confidence: 1 },
};

export const OUI_CONFIDENCE = 0.3;

export class GenericIdentifier implements Identifier {
  candidates(o: Observation): FieldCandidate[] {
    if (o.field === 'eth.seen' && o.mac !== undefined) {
      const oui = lookupOui(o.mac);
      return oui ? [{ field: 'manufacturer', value: oui.organisation, source: 'oui', confidence: OUI_CONFIDENCE }] : [];
    }
    const mapping = DIRECT_MAPPINGS[o.field];
    if (!mapping) return [];
    const value = mapping.transform ? mapping.transform(o.value) : o.value.trim();
    if (value === undefined || value === '') return [];
    return [{ field: mapping.field, value, source: o.field, confidence: mapping.confidence }];
  }
}
