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
] as const;

export type DeviceField = (typeof DEVICE_FIELDS)[number];

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
