/**
 * \summary CDP decoder (Cisco Discovery Protocol v1/v2, carried in 802.2 LLC/SNAP with OUI
 * 00-00-0C, PID 0x2000): the 4-byte header (version, TTL, checksum verified the way Cisco
 * computes it) and the type/length/value list: device id, addresses, port id, capabilities,
 * software version (kept as lines, like tshark), platform, IP prefixes / ODR gateway, VTP
 * domain, native VLAN, duplex, VoIP VLAN reply/query, power, MTU, trust bitmap, untrusted CoS,
 * system name, system OID, management addresses, location. Unknown TLVs are kept raw.
 *
 * There is no public CDP specification; the layout follows Cisco's CDP documentation, the
 * Wireshark dissector (packet-cdp.c) and lldpd/ladvd. Hand-written: no maintained npm package
 * decodes CDP. Pure: no I/O, no logging, no clock. Never throws; every TLV is read through a
 * child reader bounded to its own length. A TLV length below 4 cannot be skipped safely (it
 * would not advance past its own header), so the walk stops there with `cdp.bad_tlv_length`.
 */
import { ByteReader, decodeText, formatIpv4, formatIpv6, toHex } from '../../decode/bytes.js';
import { declareLimits, intLimit, type LimitValues } from '../../decode/limits.js';
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';

/**
 * Knobs bounding what one CDP packet may cost (config `limits.cdp.*`, declared once here; real
 * CDP packets carry about 15 TLVs and 1–4 addresses). maxTlvs: most TLVs read from one packet,
 * past it `cdp.too_many_tlvs`; maxAddresses: most addresses kept from one Addresses / Management
 * Addresses TLV, and most IP prefixes, past it `cdp.too_many_addresses`; maxText: longest text
 * kept from one field, in bytes, past it cut and `cdp.text_truncated`.
 */
export const CDP_LIMIT_DECL = declareLimits('cdp', 'CDP decoder (src/protocols/cdp/cdp.ts CDP_LIMITS).', {
  maxTlvs: intLimit('max_tlvs', 1, 65535, 256, 'TLVs decoded per CDP packet.'),
  maxAddresses: intLimit('max_addresses', 1, 65535, 32, 'Addresses kept from the Addresses TLV.'),
  maxText: intLimit('max_text', 1, 65535, 1024, 'Characters kept of any text TLV.'),
});

export type CdpLimits = LimitValues<typeof CDP_LIMIT_DECL.fields>;

export const CDP_LIMITS: Readonly<CdpLimits> = CDP_LIMIT_DECL.defaults;

/** Every anomaly code `decodeCdp` can report. */
export const CDP_ANOMALIES = [
  /** Fewer than 4 bytes: no complete CDP header. */
  'cdp.truncated',
  /** Version is neither 1 nor 2 (decoding goes on). */
  'cdp.unknown_version',
  /** The checksum does not verify (computed as Cisco does; decoding goes on). */
  'cdp.bad_checksum',
  /** A TLV length below 4 (the header itself); the walk stops. */
  'cdp.bad_tlv_length',
  /** A TLV runs past the end of the packet (the TLV is not decoded). */
  'cdp.tlv_truncated',
  /** More TLVs than `maxTlvs`; the rest are not read. */
  'cdp.too_many_tlvs',
  /** A TLV's value is too short (or too long) for its type. */
  'cdp.bad_value_length',
  /** An address entry inside an Addresses TLV is malformed or the count does not match. */
  'cdp.bad_address',
  /** More addresses than `maxAddresses` in one TLV. */
  'cdp.too_many_addresses',
  /** A TLV that may appear once appeared again; the first is kept. */
  'cdp.duplicate_tlv',
  /** A text value was longer than `maxText` and was cut. */
  'cdp.text_truncated',
] as const satisfies readonly AnomalyCode[];

/** CDP TLV types. */
export const CDP_TLV = {
  deviceId: 0x01,
  addresses: 0x02,
  portId: 0x03,
  capabilities: 0x04,
  softwareVersion: 0x05,
  platform: 0x06,
  ipPrefixes: 0x07,
  protocolHello: 0x08,
  vtpDomain: 0x09,
  nativeVlan: 0x0a,
  duplex: 0x0b,
  voipVlanReply: 0x0e,
  voipVlanQuery: 0x0f,
  power: 0x10,
  mtu: 0x11,
  trustBitmap: 0x12,
  untrustedCos: 0x13,
  systemName: 0x14,
  systemOid: 0x15,
  managementAddresses: 0x16,
  location: 0x17,
} as const;

/** Capability bits (Cisco CDP, as Wireshark names them), bit 0 first. */
export const CDP_CAPABILITY_NAMES = [
  'router',
  'transparent_bridge',
  'source_route_bridge',
  'switch',
  'host',
  'igmp',
  'repeater',
  'phone',
  'remotely_managed',
  'cvta',
  'two_port_mac_relay',
] as const;

/** One address from an Addresses or Management Addresses TLV. */
export interface CdpAddress {
  /** Protocol type: 1 NLPID, 2 IEEE 802.2 (LLC/SNAP). */
  protocolType: number;
  /** Protocol bytes in hex (`cc` = IPv4 NLPID, `aaaa0300000086dd` = IPv6). */
  protocol: string;
  /** What the address is: `ipv4`, `ipv6`, or `other`. */
  family: 'ipv4' | 'ipv6' | 'other';
  /** IPv4/IPv6 text; plain hex for other protocols. */
  address: string;
}

/** An IP prefix (TLV 7), or the ODR default gateway when the TLV holds one address. */
export interface CdpIpPrefix {
  /** Network address. */
  network: string;
  /** Prefix length in bits. */
  length: number;
}

/** VoIP VLAN reply / query (TLVs 0x0e / 0x0f). */
export interface CdpVoipVlan {
  /** The leading data byte (1 in every capture seen). */
  data: number;
  /** The voice VLAN id. */
  vlan: number;
}

/** A TLV this decoder does not interpret. */
export interface CdpUnknownTlv {
  /** TLV type. */
  type: number;
  /** The value (a copy). */
  bytes: Uint8Array;
}

/** One CDP packet as it was on the wire. Singletons keep their first occurrence. */
export interface CdpRecord {
  /** CDP version (1 or 2). */
  version: number;
  /** Hold time in seconds. */
  ttl: number;
  /** Checksum as sent. */
  checksum: number;
  /** The checksum verified (Cisco's algorithm, including its odd-length quirk). */
  checksumValid: boolean;
  /** Device ID (TLV 1): usually the hostname, or SEP<MAC> for phones. */
  deviceId?: string;
  /** Addresses (TLV 2), wire order. */
  addresses: CdpAddress[];
  /** Port ID (TLV 3): the interface the packet was sent from, e.g. `GigabitEthernet0/1`. */
  portId?: string;
  /** Capabilities bitmap (TLV 4). */
  capabilities?: number;
  /** Names of the capability bits set (`router`, `switch`, `phone`, ..., unknown as `bitN`). */
  capabilityNames?: string[];
  /** Software version (TLV 5), split into lines as tshark shows them. */
  softwareVersion?: string[];
  /** Platform (TLV 6), e.g. `cisco WS-C3560G-24PS`. */
  platform?: string;
  /** IP prefixes (TLV 7), wire order. */
  ipPrefixes: CdpIpPrefix[];
  /** ODR default gateway (TLV 7 with a single 4-byte address). */
  odrDefaultGateway?: string;
  /** VTP management domain (TLV 9); may be empty. */
  vtpDomain?: string;
  /** Native VLAN (TLV 0x0a). */
  nativeVlan?: number;
  /** Duplex (TLV 0x0b). */
  duplex?: 'half' | 'full';
  /** VoIP VLAN reply (TLV 0x0e): the voice VLAN the switch tells a phone to use. */
  voipVlanReply?: CdpVoipVlan;
  /** VoIP VLAN query (TLV 0x0f). */
  voipVlanQuery?: CdpVoipVlan;
  /** Power consumption in milliwatts (TLV 0x10). */
  powerMilliwatts?: number;
  /** Interface MTU (TLV 0x11). */
  mtu?: number;
  /** Extended trust bitmap (TLV 0x12). */
  trustBitmap?: number;
  /** CoS for untrusted ports (TLV 0x13). */
  untrustedCos?: number;
  /** System name (TLV 0x14). */
  systemName?: string;
  /** System object identifier (TLV 0x15), hex. */
  systemOid?: string;
  /** Management addresses (TLV 0x16), wire order. */
  managementAddresses: CdpAddress[];
  /** Location (TLV 0x17) text after its leading byte. */
  location?: string;
  /** TLVs not interpreted here, wire order. */
  unknownTlvs: CdpUnknownTlv[];
  /** TLVs read. */
  tlvCount: number;
}

const IPV6_8022 = 'aaaa0300000086dd';

/**
 * Verify the CDP checksum as Cisco computes it. CDP does not follow RFC 1071 §2(B) for odd
 * lengths: the last octet goes into the low byte of the final 16-bit word, and when that octet
 * has its top bit set Cisco's sign-extending sum is compensated by subtracting one from both
 * bytes of that word (the Wireshark dissector documents the same quirk). Returns true when the
 * one's complement sum over the packet (checksum field included) is 0xffff.
 */
export function cdpChecksumValid(payload: Uint8Array): boolean {
  let sum = 0;
  const n = payload.length;
  const even = n & ~1;
  for (let i = 0; i < even; i += 2) sum += ((payload[i] as number) << 8) | (payload[i + 1] as number);
  if (n & 1) {
    const last = payload[n - 1] as number;
    let hi = 0;
    let lo = last;
    if (last & 0x80) {
      lo = (lo - 1) & 0xff;
      hi = (hi - 1) & 0xff;
    }
    sum += (hi << 8) | lo;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum === 0xffff;
}

/** CDP text: bytes up to the first NUL, UTF-8, capped at `max` bytes. */
function cdpText(b: Uint8Array, max: number, anomalies: AnomalyCode[]): string {
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  if (end > max) {
    end = Math.max(0, max);
    anomalies.push('cdp.text_truncated');
  }
  return decodeText(b.subarray(0, end), 'utf8');
}

/** Split text into lines the way tshark's multi-line display does (CRLF, LF or CR end a line). */
function splitLines(s: string): string[] {
  if (s.length === 0) return [''];
  const lines = s.split(/\r\n|\n|\r/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function readAddresses(r: ByteReader, limits: CdpLimits, anomalies: AnomalyCode[]): CdpAddress[] {
  const out: CdpAddress[] = [];
  if (r.remaining < 4) {
    anomalies.push('cdp.bad_value_length');
    return out;
  }
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    if (out.length >= limits.maxAddresses) {
      anomalies.push('cdp.too_many_addresses');
      return out;
    }
    if (r.remaining < 2) {
      anomalies.push('cdp.bad_address');
      return out;
    }
    const protocolType = r.u8();
    const protocolLength = r.u8();
    const protocol = toHex(r.bytes(protocolLength));
    const addressLength = r.u16();
    const addr = r.bytes(addressLength);
    if (r.failed) {
      anomalies.push('cdp.bad_address');
      return out;
    }
    let family: CdpAddress['family'] = 'other';
    let address = toHex(addr);
    if (protocolType === 1 && protocol === 'cc' && addr.length === 4) {
      family = 'ipv4';
      address = formatIpv4(addr);
    } else if (protocolType === 2 && protocol === IPV6_8022 && addr.length === 16) {
      family = 'ipv6';
      address = formatIpv6(addr);
    }
    out.push({ protocolType, protocol, family, address });
  }
  if (r.remaining !== 0) anomalies.push('cdp.bad_address');
  return out;
}

type CdpTextKey = 'deviceId' | 'portId' | 'platform' | 'vtpDomain' | 'systemName';

/**
 * Decode one CDP packet: `payload` is the bytes after the LLC/SNAP header (OUI 00000c, PID
 * 0x2000), bounded by the 802.3 length (no Ethernet padding: it would break the checksum).
 * Never throws.
 */
export function decodeCdp(payload: Uint8Array, limits: CdpLimits = CDP_LIMITS): DecodeResult<CdpRecord> {
  const r = new ByteReader(payload);
  const anomalies: AnomalyCode[] = [];
  const record: CdpRecord = {
    version: r.u8(),
    ttl: r.u8(),
    checksum: r.u16(),
    checksumValid: false,
    addresses: [],
    ipPrefixes: [],
    managementAddresses: [],
    unknownTlvs: [],
    tlvCount: 0,
  };
  if (r.failed) {
    anomalies.push('cdp.truncated');
    return { value: record, anomalies };
  }
  if (record.version !== 1 && record.version !== 2) anomalies.push('cdp.unknown_version');
  record.checksumValid = cdpChecksumValid(payload);
  if (!record.checksumValid) anomalies.push('cdp.bad_checksum');

  const setText = (key: CdpTextKey, v: ByteReader): void => {
    if (record[key] !== undefined) {
      anomalies.push('cdp.duplicate_tlv');
      return;
    }
    record[key] = cdpText(v.rest(), limits.maxText, anomalies);
  };
  const once = (present: boolean): boolean => {
    if (present) anomalies.push('cdp.duplicate_tlv');
    return !present;
  };
  const need = (v: ByteReader, n: number): boolean => {
    if (v.remaining !== n) anomalies.push('cdp.bad_value_length');
    return v.remaining >= n;
  };

  // Termination: each pass consumes at least the 4-byte TLV header (length >= 4 enforced) and
  // the pass count is capped by maxTlvs.
  while (r.remaining > 0) {
    if (record.tlvCount >= limits.maxTlvs) {
      anomalies.push('cdp.too_many_tlvs');
      break;
    }
    if (r.remaining < 4) {
      anomalies.push('cdp.tlv_truncated');
      break;
    }
    const type = r.u16();
    const length = r.u16();
    if (length < 4) {
      anomalies.push('cdp.bad_tlv_length');
      break;
    }
    if (length - 4 > r.remaining) {
      anomalies.push('cdp.tlv_truncated');
      break;
    }
    const v = r.take(length - 4);
    record.tlvCount++;
    switch (type) {
      case CDP_TLV.deviceId:
        setText('deviceId', v);
        break;
      case CDP_TLV.portId:
        setText('portId', v);
        break;
      case CDP_TLV.platform:
        setText('platform', v);
        break;
      case CDP_TLV.vtpDomain:
        setText('vtpDomain', v);
        break;
      case CDP_TLV.systemName:
        setText('systemName', v);
        break;
      case CDP_TLV.addresses:
        record.addresses.push(...readAddresses(v, limits, anomalies));
        break;
      case CDP_TLV.managementAddresses:
        record.managementAddresses.push(...readAddresses(v, limits, anomalies));
        break;
      case CDP_TLV.capabilities:
        if (need(v, 4) && once(record.capabilities !== undefined)) {
          const bits = v.u32();
          record.capabilities = bits;
          const names: string[] = [];
          for (let i = 0; i < 32; i++) if ((bits >>> i) & 1) names.push(CDP_CAPABILITY_NAMES[i] ?? `bit${i}`);
          record.capabilityNames = names;
        }
        break;
      case CDP_TLV.softwareVersion:
        if (once(record.softwareVersion !== undefined)) {
          record.softwareVersion = splitLines(cdpText(v.rest(), limits.maxText, anomalies));
        }
        break;
      case CDP_TLV.ipPrefixes:
        if (v.remaining === 4) {
          if (once(record.odrDefaultGateway !== undefined)) record.odrDefaultGateway = formatIpv4(v.bytes(4));
        } else {
          if (v.remaining % 5 !== 0) anomalies.push('cdp.bad_value_length');
          while (v.remaining >= 5) {
            if (record.ipPrefixes.length >= limits.maxAddresses) {
              anomalies.push('cdp.too_many_addresses');
              break;
            }
            record.ipPrefixes.push({ network: formatIpv4(v.bytes(4)), length: v.u8() });
          }
        }
        break;
      case CDP_TLV.nativeVlan:
        if (need(v, 2) && once(record.nativeVlan !== undefined)) record.nativeVlan = v.u16();
        break;
      case CDP_TLV.duplex:
        if (need(v, 1) && once(record.duplex !== undefined)) record.duplex = v.u8() === 1 ? 'full' : 'half';
        break;
      case CDP_TLV.voipVlanReply:
      case CDP_TLV.voipVlanQuery: {
        const key = type === CDP_TLV.voipVlanReply ? 'voipVlanReply' : 'voipVlanQuery';
        if (v.remaining < 3) {
          anomalies.push('cdp.bad_value_length');
          break;
        }
        if (once(record[key] !== undefined)) record[key] = { data: v.u8(), vlan: v.u16() };
        break;
      }
      case CDP_TLV.power:
        if (need(v, 2) && once(record.powerMilliwatts !== undefined)) record.powerMilliwatts = v.u16();
        break;
      case CDP_TLV.mtu:
        if (need(v, 4) && once(record.mtu !== undefined)) record.mtu = v.u32();
        break;
      case CDP_TLV.trustBitmap:
        if (need(v, 1) && once(record.trustBitmap !== undefined)) record.trustBitmap = v.u8();
        break;
      case CDP_TLV.untrustedCos:
        if (need(v, 1) && once(record.untrustedCos !== undefined)) record.untrustedCos = v.u8();
        break;
      case CDP_TLV.systemOid:
        if (once(record.systemOid !== undefined)) record.systemOid = toHex(v.rest());
        break;
      case CDP_TLV.location:
        if (v.remaining < 1) {
          anomalies.push('cdp.bad_value_length');
          break;
        }
        if (once(record.location !== undefined)) {
          v.u8();
          record.location = cdpText(v.rest(), limits.maxText, anomalies);
        }
        break;
      default:
        record.unknownTlvs.push({ type, bytes: v.rest().slice() });
        break;
    }
  }
  // Each code once per packet, in the order first met.
  return { value: record, anomalies: [...new Set(anomalies)] };
}
