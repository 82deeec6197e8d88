/**
 * \summary LLDP decoder (IEEE 802.1AB-2016 §8): the 7-bit type / 9-bit length TLV walk, the
 * mandatory Chassis ID, Port ID and TTL TLVs (every subtype), the optional basic management
 * TLVs, the IEEE 802.1 (Annex D, OUI 00-80-C2) and IEEE 802.3 (clause 79, OUI 00-12-0F)
 * organisationally specific TLVs, and TIA-1057 LLDP-MED (OUI 00-12-BB, see `lldp-med.ts`).
 * Unknown organisational TLVs are kept raw as {oui, subtype, bytes}.
 *
 * Hand-written: no maintained npm package decodes LLDP/LLDP-MED. Pure: no I/O, no logging, no
 * clock. Never throws: bad input gives the partial record plus anomaly codes. Every TLV is read
 * through a child reader bounded to its own length; every TLV header consumes two bytes, so
 * zero-length TLVs still advance (the tcpdump LLDP infinite-loop reproducers), and the TLV count
 * is capped by `LldpLimits.maxTlvs`. The mandatory-order rule (§8.2: Chassis ID, Port ID, TTL
 * first) is reported as `lldp.tlv_out_of_order`, never a rejection.
 */
import { ByteReader, formatIpv4, formatIpv6, formatMac, toHex } from '../../decode/bytes.js';
import { declareLimits, intLimit, type LimitValues } from '../../decode/limits.js';
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';
import {
  decodeLldpMedTlv,
  lldpText,
  LLDP_MED_OUI,
  type LldpMedRecord,
} from './lldp-med.js';

export type {
  LldpMedCapabilities,
  LldpMedCivicAddress,
  LldpMedCivicElement,
  LldpMedCoordinate,
  LldpMedExtendedPower,
  LldpMedLocation,
  LldpMedNetworkPolicy,
  LldpMedRecord,
} from './lldp-med.js';

/**
 * Knobs bounding what one LLDPDU may cost (config `limits.lldp.*`, declared once here).
 * maxTlvs: most TLVs read from one LLDPDU (End excluded), past it `lldp.too_many_tlvs` (a
 * 1500-byte LLDPDU cannot hold more than 750 TLVs; 512 is far beyond any real one); maxText:
 * longest text kept from one field, in bytes, past it cut and `lldp.text_truncated`.
 */
export const LLDP_LIMIT_DECL = declareLimits('lldp', 'LLDP decoder (src/protocols/lldp/lldp.ts LLDP_LIMITS).', {
  maxTlvs: intLimit('max_tlvs', 1, 65535, 512, 'TLVs decoded per LLDPDU.'),
  maxText: intLimit('max_text', 1, 65535, 511, 'Characters kept of any text TLV.'),
});

export type LldpLimits = LimitValues<typeof LLDP_LIMIT_DECL.fields>;

export const LLDP_LIMITS: Readonly<LldpLimits> = LLDP_LIMIT_DECL.defaults;

/** Every anomaly code `decodeLldp` can report. */
export const LLDP_ANOMALIES = [
  /** A TLV's length runs past the end of the payload (the TLV is not decoded). */
  'lldp.tlv_truncated',
  /** More TLVs than `maxTlvs`; the rest are not read. */
  'lldp.too_many_tlvs',
  /** Chassis ID, Port ID, TTL are not the first three TLVs (§8.2). */
  'lldp.tlv_out_of_order',
  /** Chassis ID, Port ID or TTL is absent. */
  'lldp.missing_mandatory',
  /** A TLV (or a structure inside it) has a length its type does not allow. */
  'lldp.bad_tlv_length',
  /** The payload ended without an End of LLDPDU TLV. */
  'lldp.no_end_tlv',
  /** A TLV that may appear once appeared again; the first is kept. */
  'lldp.duplicate_tlv',
  /** A text value was longer than `maxText` and was cut. */
  'lldp.text_truncated',
  /** A Chassis ID or Port ID subtype is reserved (0 or > 7). */
  'lldp.reserved_subtype',
] as const satisfies readonly AnomalyCode[];

/** TLV types (802.1AB-2016 Table 8-1). */
export const LLDP_TLV = {
  end: 0,
  chassisId: 1,
  portId: 2,
  ttl: 3,
  portDescription: 4,
  systemName: 5,
  systemDescription: 6,
  systemCapabilities: 7,
  managementAddress: 8,
  orgSpecific: 127,
} as const;

/** IEEE 802.1 OUI (Annex D). */
export const LLDP_IEEE_8021_OUI = 0x0080c2;
/** IEEE 802.3 OUI (clause 79). */
export const LLDP_IEEE_8023_OUI = 0x00120f;

/** System capability bits (802.1AB-2016 Table 8-4), bit 0 first. */
export const LLDP_CAPABILITY_NAMES = [
  'other',
  'repeater',
  'bridge',
  'wlan_access_point',
  'router',
  'telephone',
  'docsis_cable_device',
  'station',
  'c_vlan',
  's_vlan',
  'two_port_mac_relay',
] as const;

/** Chassis ID subtype names (Table 8-2). */
export const LLDP_CHASSIS_SUBTYPES: Readonly<Record<number, string>> = {
  1: 'chassis_component',
  2: 'interface_alias',
  3: 'port_component',
  4: 'mac_address',
  5: 'network_address',
  6: 'interface_name',
  7: 'local',
};

/** Port ID subtype names (Table 8-3). */
export const LLDP_PORT_SUBTYPES: Readonly<Record<number, string>> = {
  1: 'interface_alias',
  2: 'port_component',
  3: 'mac_address',
  4: 'network_address',
  5: 'interface_name',
  6: 'agent_circuit_id',
  7: 'local',
};

/** A Chassis ID or Port ID. */
export interface LldpId {
  /** Subtype number (Tables 8-2 / 8-3). */
  subtype: number;
  /** Subtype name (`mac_address`, `interface_name`, `local`, ... or `reserved-N`). */
  subtypeName: string;
  /**
   * The id as tshark prints it: `aa:bb:cc:dd:ee:ff` for MAC, IP text for an IPv4/IPv6
   * network address, text for names/aliases/components/locally assigned, colon hex otherwise.
   */
  value: string;
  /** The id bytes after the subtype, colon-separated lower-case hex (tshark's bytes field). */
  hex: string;
  /** Network address subtype only: IANA address family (1 IPv4, 2 IPv6, 6 802 MAC). */
  addressFamily?: number;
}

/** System Capabilities TLV. */
export interface LldpCapabilities {
  /** Capabilities bitmap as sent. */
  system: number;
  /** Enabled capabilities bitmap as sent. */
  enabled: number;
  /** Names of the capability bits set (`bridge`, `router`, ..., unknown as `bitN`). */
  systemNames: string[];
  /** Names of the enabled bits set. */
  enabledNames: string[];
}

/** Management Address TLV (§8.5.9). */
export interface LldpManagementAddress {
  /** IANA address family of the address (1 IPv4, 2 IPv6, 6 802, ...). */
  addressFamily: number;
  /** IPv4/IPv6 text, or plain lower-case hex (as tshark prints) for other families. */
  address: string;
  /** Interface numbering subtype: 1 unknown, 2 ifIndex, 3 system port number. */
  interfaceSubtype: number;
  /** Interface number. */
  interfaceNumber: number;
  /** Object identifier of the management entity, dotted (absent when the OID is empty). */
  oid?: string;
}

/** IEEE 802.1 Port and Protocol VLAN ID TLV (subtype 2). */
export interface LldpPortProtocolVlan {
  /** Port and protocol VLAN supported. */
  supported: boolean;
  /** Port and protocol VLAN enabled. */
  enabled: boolean;
  /** PPVID (0 when unknown). */
  ppvid: number;
}

/** IEEE 802.1 VLAN Name TLV (subtype 3). */
export interface LldpVlanName {
  /** VLAN id. */
  vid: number;
  /** VLAN name. */
  name: string;
}

/** Link aggregation TLV (IEEE 802.1 subtype 7, or the deprecated IEEE 802.3 subtype 3). */
export interface LldpLinkAggregation {
  /** Aggregation status byte as sent. */
  status: number;
  /** Bit 0: the link can be aggregated. */
  capable: boolean;
  /** Bit 1: the link is currently aggregated. */
  enabled: boolean;
  /** Aggregated port ifIndex (0 when not aggregated). */
  portId: number;
}

/** What the IEEE 802.1 organisational TLVs said. */
export interface LldpDot1Record {
  /** Port VLAN ID (PVID) (subtype 1); 0 = the port is not VLAN-aware. */
  portVlanId?: number;
  /** Port and protocol VLAN IDs (subtype 2), wire order. */
  portProtocolVlans: LldpPortProtocolVlan[];
  /** VLAN names (subtype 3), wire order. */
  vlanNames: LldpVlanName[];
  /** Protocol identities (subtype 4) as hex, wire order. */
  protocolIdentities: string[];
  /** Link aggregation (subtype 7). */
  linkAggregation?: LldpLinkAggregation;
}

/** IEEE 802.3 MAC/PHY Configuration/Status TLV (subtype 1). */
export interface LldpMacPhy {
  /** Auto-negotiation supported. */
  autonegSupported: boolean;
  /** Auto-negotiation enabled. */
  autonegEnabled: boolean;
  /** PMD auto-negotiation advertised capability bitmap. */
  advertised: number;
  /** Operational MAU type (RFC 4836 dot3MauType), e.g. 16 = 100BASE-TX full duplex. */
  mauType: number;
}

/** IEEE 802.3 Power via MDI TLV (subtype 2). */
export interface LldpPowerViaMdi {
  /** MDI power support byte as sent. */
  support: number;
  /** Port class: PSE (true) or PD (false). */
  pse: boolean;
  /** PSE MDI power supported. */
  supported: boolean;
  /** PSE MDI power enabled. */
  enabled: boolean;
  /** PSE pairs control ability. */
  pairsControl: boolean;
  /** PSE power pair (1 signal, 2 spare). */
  powerPair: number;
  /** Power class (1–5 on the wire = class 0–4). */
  powerClass: number;
  /** 802.3at extension: power type/source/priority byte. */
  typeSourcePriority?: number;
  /** 802.3at extension: PD requested power, units of 0.1 W. */
  requestedPower?: number;
  /** 802.3at extension: PSE allocated power, units of 0.1 W. */
  allocatedPower?: number;
}

/** What the IEEE 802.3 organisational TLVs said. */
export interface LldpDot3Record {
  /** MAC/PHY configuration and status (subtype 1). */
  macPhy?: LldpMacPhy;
  /** Power via MDI (subtype 2). */
  power?: LldpPowerViaMdi;
  /** Link aggregation (subtype 3, deprecated in favour of 802.1 subtype 7). */
  linkAggregation?: LldpLinkAggregation;
  /** Maximum frame size (subtype 4). */
  maxFrameSize?: number;
}

/** An organisationally specific TLV this decoder does not interpret. */
export interface LldpOrgTlv {
  /** Organisationally unique identifier, e.g. 0x0080c2. */
  oui: number;
  /** Organisationally defined subtype. */
  subtype: number;
  /** The information string after OUI and subtype (a copy). */
  bytes: Uint8Array;
}

/** A reserved (unknown) TLV type, kept raw. */
export interface LldpUnknownTlv {
  /** TLV type (9–126 are reserved). */
  type: number;
  /** The information string (a copy). */
  bytes: Uint8Array;
}

/** One LLDPDU as it was on the wire. Singletons keep their first occurrence. */
export interface LldpRecord {
  /** Chassis ID TLV. */
  chassisId?: LldpId;
  /** Port ID TLV. */
  portId?: LldpId;
  /** Time to live, seconds. */
  ttl?: number;
  /** True when TTL is 0: the sender is shutting down and its information must be dropped. */
  shutdown: boolean;
  /** Port Description TLV. */
  portDescription?: string;
  /** System Name TLV. */
  systemName?: string;
  /** System Description TLV. */
  systemDescription?: string;
  /** System Capabilities TLV. */
  capabilities?: LldpCapabilities;
  /** Management Address TLVs, wire order. */
  managementAddresses: LldpManagementAddress[];
  /** IEEE 802.1 TLVs (present when any was seen). */
  dot1?: LldpDot1Record;
  /** IEEE 802.3 TLVs (present when any was seen). */
  dot3?: LldpDot3Record;
  /** TIA LLDP-MED TLVs (present when any was seen). */
  med?: LldpMedRecord;
  /** Organisationally specific TLVs not interpreted here, wire order. */
  orgTlvs: LldpOrgTlv[];
  /** Reserved TLV types, wire order. */
  unknownTlvs: LldpUnknownTlv[];
  /** TLVs read (End excluded). */
  tlvCount: number;
  /** An End of LLDPDU TLV was seen. */
  endSeen: boolean;
}

function bitNames(bits: number, names: readonly string[], width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < width; i++) {
    if ((bits >>> i) & 1) out.push(names[i] ?? `bit${i}`);
  }
  return out;
}

/** An IANA-family address: IPv4/IPv6 text, hex otherwise. */
function formatAddress(family: number, b: Uint8Array): string {
  if (family === 1 && b.length === 4) return formatIpv4(b);
  if (family === 2 && b.length === 16) return formatIpv6(b);
  return toHex(b);
}

/** BER object identifier (X.690 §8.19) to dotted text; bounded by the input length. */
function formatOid(b: Uint8Array): string {
  const arcs: string[] = [];
  let value = 0;
  let first = true;
  for (const byte of b) {
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (first) {
      const top = value < 40 ? 0 : value < 80 ? 1 : 2;
      arcs.push(String(top), String(value - top * 40));
      first = false;
    } else {
      arcs.push(String(value));
    }
    value = 0;
  }
  return arcs.join('.');
}

/** Chassis/Port ID subtypes whose id is text (SnmpAdminString / locally assigned). */
const CHASSIS_TEXT = new Set([1, 2, 3, 6, 7]);
const PORT_TEXT = new Set([1, 2, 5, 7]);

function readId(
  r: ByteReader,
  isChassis: boolean,
  limits: LldpLimits,
  anomalies: AnomalyCode[],
): LldpId | undefined {
  // §8.5.2.2 / §8.5.3.2: id length 1–255, so the TLV is 2–256 long.
  if (r.remaining < 2 || r.remaining > 256) anomalies.push('lldp.bad_tlv_length');
  if (r.remaining < 1) return undefined;
  const subtype = r.u8();
  const body = r.rest();
  const names = isChassis ? LLDP_CHASSIS_SUBTYPES : LLDP_PORT_SUBTYPES;
  const subtypeName = names[subtype];
  const id: LldpId = { subtype, subtypeName: subtypeName ?? `reserved-${subtype}`, value: '', hex: toHex(body, ':') };
  if (subtypeName === undefined) anomalies.push('lldp.reserved_subtype');
  const macSubtype = isChassis ? 4 : 3;
  const netSubtype = isChassis ? 5 : 4;
  if (subtype === macSubtype) {
    if (body.length !== 6) anomalies.push('lldp.bad_tlv_length');
    id.value = body.length === 6 ? formatMac(body) : id.hex;
  } else if (subtype === netSubtype) {
    const family = body[0] ?? 0;
    if (body.length >= 1) id.addressFamily = family;
    const addr = body.subarray(1);
    if ((family === 1 && addr.length !== 4) || (family === 2 && addr.length !== 16)) anomalies.push('lldp.bad_tlv_length');
    id.value = (family === 1 && addr.length === 4) || (family === 2 && addr.length === 16) ? formatAddress(family, addr) : toHex(addr, ':');
  } else if ((isChassis ? CHASSIS_TEXT : PORT_TEXT).has(subtype)) {
    id.value = lldpText(body, limits.maxText, anomalies, 'lldp.text_truncated');
  } else {
    id.value = id.hex;
  }
  return id;
}

function readManagementAddress(r: ByteReader, anomalies: AnomalyCode[]): LldpManagementAddress | undefined {
  // §8.5.9: addr string length (2–32, incl. subtype), subtype, address, if subtype, if number,
  // OID length (0–128), OID. Minimum TLV length 9, maximum 167.
  const addrLength = r.u8();
  if (r.failed || addrLength < 2 || addrLength > 32 || addrLength + 6 > r.remaining) {
    anomalies.push('lldp.bad_tlv_length');
    return undefined;
  }
  const addressFamily = r.u8();
  const addr = r.bytes(addrLength - 1);
  if ((addressFamily === 1 && addr.length !== 4) || (addressFamily === 2 && addr.length !== 16)) {
    anomalies.push('lldp.bad_tlv_length');
  }
  const mgmt: LldpManagementAddress = {
    addressFamily,
    address: formatAddress(addressFamily, addr),
    interfaceSubtype: r.u8(),
    interfaceNumber: r.u32(),
  };
  const oidLength = r.u8();
  if (oidLength > 128 || oidLength !== r.remaining) anomalies.push('lldp.bad_tlv_length');
  const oid = r.bytes(Math.min(oidLength, r.remaining));
  if (oid.length > 0) mgmt.oid = formatOid(oid);
  return mgmt;
}

function readLinkAggregation(r: ByteReader, anomalies: AnomalyCode[]): LldpLinkAggregation | undefined {
  if (r.remaining !== 5) anomalies.push('lldp.bad_tlv_length');
  if (r.remaining < 5) return undefined;
  const status = r.u8();
  return { status, capable: (status & 1) === 1, enabled: (status & 2) === 2, portId: r.u32() };
}

function dot1Of(record: LldpRecord): LldpDot1Record {
  record.dot1 ??= { portProtocolVlans: [], vlanNames: [], protocolIdentities: [] };
  return record.dot1;
}

function dot3Of(record: LldpRecord): LldpDot3Record {
  record.dot3 ??= {};
  return record.dot3;
}

/** IEEE 802.1 TLVs (802.1Q-2018 Annex D). Returns false for subtypes kept raw. */
function readDot1(subtype: number, r: ByteReader, record: LldpRecord, limits: LldpLimits, anomalies: AnomalyCode[]): boolean {
  switch (subtype) {
    case 1: {
      if (r.remaining !== 2) anomalies.push('lldp.bad_tlv_length');
      if (r.remaining < 2) return true;
      const dot1 = dot1Of(record);
      if (dot1.portVlanId !== undefined) anomalies.push('lldp.duplicate_tlv');
      else dot1.portVlanId = r.u16();
      return true;
    }
    case 2: {
      if (r.remaining !== 3) anomalies.push('lldp.bad_tlv_length');
      if (r.remaining < 3) return true;
      const flags = r.u8();
      dot1Of(record).portProtocolVlans.push({ supported: (flags & 2) === 2, enabled: (flags & 4) === 4, ppvid: r.u16() });
      return true;
    }
    case 3: {
      // VID (2), name length (1, 0–32), name.
      if (r.remaining < 3) {
        anomalies.push('lldp.bad_tlv_length');
        return true;
      }
      const vid = r.u16();
      const nameLength = r.u8();
      if (nameLength > 32 || nameLength !== r.remaining) anomalies.push('lldp.bad_tlv_length');
      const name = lldpText(r.bytes(Math.min(nameLength, r.remaining)), limits.maxText, anomalies, 'lldp.text_truncated');
      dot1Of(record).vlanNames.push({ vid, name });
      return true;
    }
    case 4: {
      if (r.remaining < 1) {
        anomalies.push('lldp.bad_tlv_length');
        return true;
      }
      const length = r.u8();
      if (length !== r.remaining) anomalies.push('lldp.bad_tlv_length');
      dot1Of(record).protocolIdentities.push(toHex(r.bytes(Math.min(length, r.remaining))));
      return true;
    }
    case 7: {
      const agg = readLinkAggregation(r, anomalies);
      if (agg === undefined) return true;
      const dot1 = dot1Of(record);
      if (dot1.linkAggregation !== undefined) anomalies.push('lldp.duplicate_tlv');
      else dot1.linkAggregation = agg;
      return true;
    }
    default:
      return false;
  }
}

/** IEEE 802.3 TLVs (802.3-2018 clause 79.3). Returns false for subtypes kept raw. */
function readDot3(subtype: number, r: ByteReader, record: LldpRecord, anomalies: AnomalyCode[]): boolean {
  switch (subtype) {
    case 1: {
      if (r.remaining !== 5) anomalies.push('lldp.bad_tlv_length');
      if (r.remaining < 5) return true;
      const dot3 = dot3Of(record);
      if (dot3.macPhy !== undefined) {
        anomalies.push('lldp.duplicate_tlv');
        return true;
      }
      const autoneg = r.u8();
      dot3.macPhy = {
        autonegSupported: (autoneg & 1) === 1,
        autonegEnabled: (autoneg & 2) === 2,
        advertised: r.u16(),
        mauType: r.u16(),
      };
      return true;
    }
    case 2: {
      // 3 bytes (802.3ab); 802.3at adds 5, 802.3bt more: read what is there.
      if (r.remaining < 3) {
        anomalies.push('lldp.bad_tlv_length');
        return true;
      }
      const dot3 = dot3Of(record);
      if (dot3.power !== undefined) {
        anomalies.push('lldp.duplicate_tlv');
        return true;
      }
      const support = r.u8();
      const power: LldpPowerViaMdi = {
        support,
        pse: (support & 1) === 1,
        supported: (support & 2) === 2,
        enabled: (support & 4) === 4,
        pairsControl: (support & 8) === 8,
        powerPair: r.u8(),
        powerClass: r.u8(),
      };
      if (r.remaining >= 5) {
        power.typeSourcePriority = r.u8();
        power.requestedPower = r.u16();
        power.allocatedPower = r.u16();
      }
      dot3.power = power;
      return true;
    }
    case 3: {
      const agg = readLinkAggregation(r, anomalies);
      if (agg === undefined) return true;
      const dot3 = dot3Of(record);
      if (dot3.linkAggregation !== undefined) anomalies.push('lldp.duplicate_tlv');
      else dot3.linkAggregation = agg;
      return true;
    }
    case 4: {
      if (r.remaining !== 2) anomalies.push('lldp.bad_tlv_length');
      if (r.remaining < 2) return true;
      const dot3 = dot3Of(record);
      if (dot3.maxFrameSize !== undefined) anomalies.push('lldp.duplicate_tlv');
      else dot3.maxFrameSize = r.u16();
      return true;
    }
    default:
      return false;
  }
}

function readOrgSpecific(r: ByteReader, record: LldpRecord, limits: LldpLimits, anomalies: AnomalyCode[]): void {
  // §8.6: OUI (3) + subtype (1) + 0–507 bytes.
  if (r.remaining < 4) {
    anomalies.push('lldp.bad_tlv_length');
    return;
  }
  const oui = r.u24();
  const subtype = r.u8();
  const body = r.take(r.remaining);
  let known = false;
  if (oui === LLDP_IEEE_8021_OUI) known = readDot1(subtype, body, record, limits, anomalies);
  else if (oui === LLDP_IEEE_8023_OUI) known = readDot3(subtype, body, record, anomalies);
  else if (oui === LLDP_MED_OUI) {
    const med = record.med ?? { networkPolicies: [], locations: [] };
    known = decodeLldpMedTlv(subtype, body, med, limits, anomalies);
    if (known) record.med = med;
  }
  if (!known) record.orgTlvs.push({ oui, subtype, bytes: body.rest().slice() });
}

/** Set a singleton text field once; a repeat is flagged and ignored. */
function setOnce(
  record: LldpRecord,
  key: 'portDescription' | 'systemName' | 'systemDescription',
  r: ByteReader,
  limits: LldpLimits,
  anomalies: AnomalyCode[],
): void {
  // §8.5.4–8.5.6: 0–255 octets.
  if (r.remaining > 255) anomalies.push('lldp.bad_tlv_length');
  if (record[key] !== undefined) {
    anomalies.push('lldp.duplicate_tlv');
    return;
  }
  record[key] = lldpText(r.rest(), limits.maxText, anomalies, 'lldp.text_truncated');
}

/** The mandatory TLV types in the order §8.2 requires them. */
const MANDATORY_ORDER = [LLDP_TLV.chassisId, LLDP_TLV.portId, LLDP_TLV.ttl] as const;

/**
 * Decode one LLDPDU: `payload` is the bytes after ethertype 0x88cc. Never throws.
 */
export function decodeLldp(payload: Uint8Array, limits: LldpLimits = LLDP_LIMITS): DecodeResult<LldpRecord> {
  const r = new ByteReader(payload);
  const anomalies: AnomalyCode[] = [];
  const record: LldpRecord = {
    shutdown: false,
    managementAddresses: [],
    orgTlvs: [],
    unknownTlvs: [],
    tlvCount: 0,
    endSeen: false,
  };
  let outOfOrder = false;
  // Termination: every pass consumes the 2-byte header (and the TLV body), and the pass count
  // is also capped by maxTlvs.
  while (r.remaining >= 2) {
    const head = r.u16();
    const type = head >> 9;
    const length = head & 0x1ff;
    if (type === LLDP_TLV.end) {
      if (length !== 0) anomalies.push('lldp.bad_tlv_length');
      record.endSeen = true;
      break;
    }
    if (record.tlvCount >= limits.maxTlvs) {
      anomalies.push('lldp.too_many_tlvs');
      break;
    }
    if (length > r.remaining) {
      anomalies.push('lldp.tlv_truncated');
      r.rest();
      break;
    }
    const tlv = r.take(length);
    // §8.2: the first three TLVs are Chassis ID, Port ID, TTL. A later first occurrence of one
    // of them is out of order too; a later repeat is only a duplicate.
    const expected = MANDATORY_ORDER[record.tlvCount];
    const lateMandatory =
      (type === LLDP_TLV.chassisId && record.chassisId === undefined) ||
      (type === LLDP_TLV.portId && record.portId === undefined) ||
      (type === LLDP_TLV.ttl && record.ttl === undefined);
    if (!outOfOrder && (expected !== undefined ? type !== expected : lateMandatory)) {
      anomalies.push('lldp.tlv_out_of_order');
      outOfOrder = true;
    }
    record.tlvCount++;
    switch (type) {
      case LLDP_TLV.chassisId:
      case LLDP_TLV.portId: {
        const key = type === LLDP_TLV.chassisId ? 'chassisId' : 'portId';
        if (record[key] !== undefined) {
          anomalies.push('lldp.duplicate_tlv');
          break;
        }
        const id = readId(tlv, type === LLDP_TLV.chassisId, limits, anomalies);
        if (id !== undefined) record[key] = id;
        break;
      }
      case LLDP_TLV.ttl: {
        if (length !== 2) anomalies.push('lldp.bad_tlv_length');
        if (length < 2) break;
        if (record.ttl !== undefined) {
          anomalies.push('lldp.duplicate_tlv');
          break;
        }
        record.ttl = tlv.u16();
        record.shutdown = record.ttl === 0;
        break;
      }
      case LLDP_TLV.portDescription:
        setOnce(record, 'portDescription', tlv, limits, anomalies);
        break;
      case LLDP_TLV.systemName:
        setOnce(record, 'systemName', tlv, limits, anomalies);
        break;
      case LLDP_TLV.systemDescription:
        setOnce(record, 'systemDescription', tlv, limits, anomalies);
        break;
      case LLDP_TLV.systemCapabilities: {
        if (length !== 4) anomalies.push('lldp.bad_tlv_length');
        if (length < 4) break;
        if (record.capabilities !== undefined) {
          anomalies.push('lldp.duplicate_tlv');
          break;
        }
        const system = tlv.u16();
        const enabled = tlv.u16();
        record.capabilities = {
          system,
          enabled,
          systemNames: bitNames(system, LLDP_CAPABILITY_NAMES, 16),
          enabledNames: bitNames(enabled, LLDP_CAPABILITY_NAMES, 16),
        };
        break;
      }
      case LLDP_TLV.managementAddress: {
        const mgmt = readManagementAddress(tlv, anomalies);
        if (mgmt !== undefined) record.managementAddresses.push(mgmt);
        break;
      }
      case LLDP_TLV.orgSpecific:
        readOrgSpecific(tlv, record, limits, anomalies);
        break;
      default:
        record.unknownTlvs.push({ type, bytes: tlv.rest().slice() });
        break;
    }
  }
  if (!record.endSeen && !anomalies.includes('lldp.too_many_tlvs')) anomalies.push('lldp.no_end_tlv');
  if (record.chassisId === undefined || record.portId === undefined || record.ttl === undefined) {
    anomalies.push('lldp.missing_mandatory');
  }
  // Each code once per LLDPDU, in the order first met: a 500-TLV flood is one problem, not 500.
  return { value: record, anomalies: [...new Set(anomalies)] };
}
