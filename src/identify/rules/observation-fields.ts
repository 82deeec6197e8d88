/**
 * \summary The observation fields fingerprint rules may match, declared once as data: name (or a
 * family prefix ending in `.`), value type, maximum length the observers keep, and what it is.
 * The rule loader derives its check from this table (a misspelt `matches:` or `also:` key is an
 * error at file:line in `auscult rules test`, with the nearest declared name by edit distance
 * from fastest-levenshtein); a new observer field is one line here.
 */
import { createRequire } from 'node:module';
import type * as Levenshtein from 'fastest-levenshtein';

// Required, not imported: an ESM import of a CommonJS package costs a parse of its source for its
// export names at start-up (issue 14, lean start).
const { distance } = createRequire(import.meta.url)('fastest-levenshtein') as typeof Levenshtein;

export type ObservationFieldType = 'text' | 'number' | 'mac' | 'ip' | 'list';

export interface ObservationFieldSpec {
  /** `proto.snake_case` name, or a family prefix ending in `.` (`mdns.txt.` covers every TXT key). */
  name: string;
  type: ObservationFieldType;
  /** Longest value the observer keeps (characters). */
  maxLength: number;
  doc: string;
}

const f = (name: string, type: ObservationFieldType, maxLength: number, doc: string): ObservationFieldSpec => ({ name, type, maxLength, doc });

export const OBSERVATION_FIELDS: readonly ObservationFieldSpec[] = [
  f('cdp.device_id', 'text', 255, 'CDP Device-ID TLV: the sender\'s name.'),
  f('cdp.platform', 'text', 255, 'CDP Platform TLV: the hardware model.'),
  f('cdp.software_version', 'text', 1024, 'CDP Software Version TLV (lines joined with \\n).'),
  f('cdp.port_id', 'text', 255, 'CDP Port-ID TLV: the sending port as the device names it.'),
  f('cdp.capabilities', 'list', 255, 'CDP Capabilities: comma list of bit names.'),
  f('cdp.address', 'ip', 64, 'One address of the CDP Addresses TLV.'),
  f('cdp.management_address', 'ip', 64, 'One address of the CDP Management Addresses TLV.'),
  f('cdp.native_vlan', 'number', 5, 'CDP Native VLAN TLV.'),
  f('cdp.voice_vlan', 'number', 5, 'CDP VoIP VLAN reply.'),
  f('cdp.vtp_domain', 'text', 255, 'CDP VTP management domain.'),
  f('cdp.duplex', 'text', 8, 'CDP Duplex TLV.'),
  f('cdp.system_name', 'text', 255, 'CDP System Name TLV.'),
  f('cdp.location', 'text', 255, 'CDP Location TLV.'),
  f('cdp.version', 'number', 3, 'CDP version of the frame.'),
  f('cdp.power_mw', 'number', 10, 'CDP Power TLV (mW).'),
  // Issue 20: TLS ClientHello, SSH, RDP and VNC facts about their sender (src/protocols/{tls,ssh,rdp,vnc}/*-observe.ts).
  f('tls.sni', 'text', 255, 'TLS ClientHello server name (SNI), lower case: a server the device calls.'),
  f('tls.ja4', 'text', 64, 'JA4 fingerprint of the device\'s TLS client (FoxIO spec).'),
  f('tls.alpn', 'text', 64, 'First ALPN protocol name of the device\'s ClientHello.'),
  f('ssh.banner', 'text', 255, 'SSH identification string the device sent (RFC 4253 §4.2), e.g. SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3.'),
  f('ssh.software', 'text', 255, 'The softwareversion part of the SSH identification string, e.g. OpenSSH_9.2p1.'),
  f('rdp.requested_protocols', 'list', 64, 'RDP security protocols a client asked for (ssl,hybrid,...).'),
  f('rdp.selected_protocol', 'text', 16, 'RDP security protocol a server chose.'),
  f('vnc.rfb_version', 'text', 8, 'RFB protocol version the device speaks (3.8).'),
  f('dhcp.vendor_class', 'text', 255, 'DHCP option 60, vendor class identifier.'),
  f('dhcp.hostname', 'text', 255, 'DHCP option 12, host name.'),
  f('dhcp.fqdn', 'text', 255, 'DHCP option 81, client FQDN.'),
  f('dhcp.client_id', 'text', 255, 'DHCP option 61, client identifier (hex).'),
  f('dhcp.prl', 'list', 255, 'DHCP option 55, parameter request list in wire order.'),
  f('dhcp.options', 'list', 255, 'DHCP option codes in wire order.'),
  f('dhcp.max_message_size', 'number', 5, 'DHCP option 57.'),
  f('dhcp.message_type', 'text', 16, 'DHCP option 53 message type name.'),
  f('dhcp.vendor_specific', 'text', 255, 'DHCP option 43 (hex).'),
  f('dhcp.requested_ip', 'ip', 15, 'DHCP option 50.'),
  f('dhcp.assigned_ip', 'ip', 15, 'DHCP ACK yiaddr.'),
  f('dhcp.server_id', 'ip', 15, 'DHCP option 54.'),
  f('dhcp.relay.', 'text', 255, 'DHCP option 82 and relay facts (circuit_id, remote_id_mac, agent_ip, source_mac, source_ip, ...).'),
  f('dicom.', 'text', 255, 'DICOM association and allowlisted equipment attributes (ae_title, implementation_class_uid, manufacturer, model, software_versions, serial_number, station_name, ...).'),
  f('hl7.', 'text', 255, 'HL7 v2 MSH and equipment fields (sending_application, message_profile, version, udi, eui64, device_type, serial_number, ...); never PID/NK1/PV1/OBX-5.'),
  f('ip.address', 'ip', 64, 'An address bound to the sender (DHCP, ARP, mDNS, LLDP/CDP, IP source).'),
  f('lldp.chassis_id', 'text', 255, 'LLDP Chassis ID TLV.'),
  f('lldp.chassis_id_subtype', 'text', 32, 'LLDP Chassis ID subtype name.'),
  f('lldp.port_id', 'text', 255, 'LLDP Port ID TLV.'),
  f('lldp.port_id_subtype', 'text', 32, 'LLDP Port ID subtype name.'),
  f('lldp.port_description', 'text', 255, 'LLDP Port Description TLV.'),
  f('lldp.system_name', 'text', 255, 'LLDP System Name TLV.'),
  f('lldp.system_description', 'text', 255, 'LLDP System Description TLV.'),
  f('lldp.capabilities', 'list', 255, 'LLDP system capabilities: comma list of bit names.'),
  f('lldp.enabled_capabilities', 'list', 255, 'LLDP enabled capabilities: comma list of bit names.'),
  f('lldp.management_address', 'ip', 64, 'One LLDP Management Address TLV.'),
  f('lldp.port_vlan_id', 'number', 5, 'IEEE 802.1 Port VLAN ID.'),
  f('lldp.vlan_name', 'text', 32, 'IEEE 802.1 VLAN Name.'),
  f('lldp.ttl', 'number', 5, 'LLDP Time To Live.'),
  f('lldp.shutdown', 'text', 5, 'LLDP shutdown PDU (TTL 0).'),
  f('lldp.med.', 'text', 255, 'LLDP-MED TLVs (manufacturer, model, serial_number, firmware_revision, software_revision, hardware_revision, asset_id, device_class, capabilities, network_policy, location.*).'),
  f('mdns.hostname', 'text', 255, 'mDNS host name (A/AAAA owner).'),
  f('mdns.instance', 'text', 255, 'DNS-SD service instance name.'),
  f('mdns.service', 'text', 255, 'DNS-SD service type.'),
  f('mdns.srv_port', 'number', 5, 'DNS-SD SRV port.'),
  f('mdns.hinfo.', 'text', 255, 'mDNS HINFO cpu and os.'),
  f('mdns.txt.', 'text', 255, 'DNS-SD TXT keys, lower-cased (model, mdl, ty, product, usb_mdl, manufacturer, fw, sn, ...).'),
  f('oui.', 'text', 255, 'IEEE registry lookup of the MAC (oui.vendor).'),
];

const exact = new Set(OBSERVATION_FIELDS.filter((s) => !s.name.endsWith('.')).map((s) => s.name));
const families = OBSERVATION_FIELDS.filter((s) => s.name.endsWith('.')).map((s) => s.name);

/** True when rules may match `field` (declared above, by name or family). */
export function isObservationField(field: string): boolean {
  return exact.has(field) || families.some((p) => field.startsWith(p) && field.length > p.length);
}

/** The declared field nearest to a misspelt one (edit distance ≤ 3), for the error message. */
export function nearestObservationField(field: string): string | undefined {
  let best: string | undefined;
  let bestD = 4;
  for (const name of exact) {
    const d = distance(field, name);
    if (d < bestD) { best = name; bestD = d; }
  }
  return best;
}
