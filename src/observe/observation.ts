/**
 * \summary An observation: one fact heard on the network, tied back to the frame it came from.
 *
 * Everything downstream of the decoders works from observations, never from raw packets.
 * `frame` lets anyone check a claim with `tshark -r file -Y frame.number==N`.
 */

/** Which device an observation is about. */
export interface DeviceKey {
  /** MAC address (lower case, colon separated) when the device is on the local link. */
  mac?: string;
  /** IP address: the key itself when the device is only seen through a router. */
  ip?: string;
}

/** Absent optional fields may be present as undefined (observers build one shape): treat undefined as absent. */
export interface Observation {
  /** Capture time, microseconds since the Unix epoch. */
  ts: number;
  /** Frame number in the capture source. */
  frame: number;
  /** MAC of the device this fact is about (not necessarily the frame's source MAC). */
  mac?: string | undefined;
  /** IP of the device, when known; the device key when `mac` is absent. */
  ip?: string | undefined;
  /** Outermost VLAN id of the frame, when tagged. */
  vlan?: number | undefined;
  /** Protocol that carried the fact: `dhcp`, `lldp`, `cdp`, `mdns`, `arp`, `ip`, `dicom`, `hl7`. */
  protocol: string;
  /** Dotted field name, e.g. `dhcp.hostname`, `dhcp.prl`, `lldp.med.firmware_revision`. */
  field: string;
  /** The value as text (lists are comma-separated, in wire order). */
  value: string;
}
