/**
 * \summary What identification yields: a candidate value for one device field, with provenance.
 */

/** Device fields identification can set (the keys of `devices --json`, snake_case). */
export const DEVICE_FIELDS = [
  'hostname',
  'manufacturer',
  'model',
  'firmware',
  'software_version',
  'hardware_version',
  'serial',
  'os',
  'device_type',
  'category',
  'vlan',
  'switch',
  'port',
  'location',
  'circuit_id',
  'asset_tag',
  'dhcp_vendor_class',
  'dhcp_prl',
  'dhcp_client_id',
  // Issue 6: FDA classification derived from device_type (src/identify/data/device-types.ts).
  'fda_class',
  'fda_product_code',
  'fda_regulation',
  // Issue 6: raw identity strings kept as evidence so `auscult unknown` can draft rules from them.
  'lldp_system_description',
  'dicom_ae_title',
  'dicom_implementation',
  'hl7_sending_application',
  'mdns_txt',
  // Issue 16: IEEE EUI-64 equipment identifiers from HL7 MSH-3 and OBX-18 (IHE PCD), kept as evidence
  // on the device they name.
  'hl7_eui64',
  // Issue 15: identity strings a network or clinical engineering team looks up, kept as evidence.
  'lldp_port_id',
  'lldp_port_id_subtype',
  'lldp_port_description',
  'cdp_port_id',
  'vlan_stack',
  'encapsulation',
  'sgt',
  'hl7_sending_facility',
  'hl7_receiving_facility',
] as const;

export type DeviceField = (typeof DEVICE_FIELDS)[number];

/**
 * Identity strings a device legitimately has several of at once (the ports a switch was heard
 * on, the AE titles of a PACS, the encapsulations a device arrived through): kept as evidence,
 * and a new value is not a change of the device, so it makes no history row.
 */
export const MULTI_VALUED_EVIDENCE_FIELDS: ReadonlySet<string> = new Set<DeviceField>([
  'lldp_port_id', 'lldp_port_id_subtype', 'lldp_port_description', 'cdp_port_id', 'vlan_stack', 'encapsulation', 'sgt',
  'hl7_sending_facility', 'hl7_receiving_facility', 'dicom_ae_title',
]);

export interface FieldCandidate {
  field: DeviceField;
  value: string;
  /** Where it came from: the observation field (`dhcp.hostname`, `oui`, `eth.vlan`...). */
  source: string;
  /** 0..1: self-reported inventory 0.95, protocol-specific rule ~0.9, generic extraction 0.5–0.7, OUI 0.3. */
  confidence: number;
  /** Fingerprint rule id when a rule produced it. */
  rule?: string;
}
