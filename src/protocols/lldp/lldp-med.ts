/**
 * \summary LLDP-MED organisationally specific TLVs (ANSI/TIA-1057-2006 §10.2, OUI 00-12-BB):
 * media capabilities and device class, network policy, location identification (coordinate LCI
 * per RFC 3825, civic address LCI per RFC 4776 §3.4 with every CAtype kept, ELIN), extended
 * power-via-MDI and the inventory TLVs (subtypes 5–11).
 *
 * Hand-written: no maintained npm package decodes LLDP-MED. Pure: no I/O, no logging, no clock.
 * Never throws; each TLV is read through a child `ByteReader` bounded to its own bytes, so a
 * lying inner length (LCI length, CA length) can never read past the TLV.
 */
import { ByteReader, decodeText, toHex } from '../../decode/bytes.js';
import type { AnomalyCode } from '../../decode/result.js';

/** TIA TR-41 OUI carried in LLDP organisationally specific TLVs. */
export const LLDP_MED_OUI = 0x0012bb;

/** LLDP-MED TLV subtypes (TIA-1057 Table 5). */
export const LLDP_MED_SUBTYPE = {
  capabilities: 1,
  networkPolicy: 2,
  location: 3,
  extendedPower: 4,
  hardwareRevision: 5,
  firmwareRevision: 6,
  softwareRevision: 7,
  serialNumber: 8,
  manufacturerName: 9,
  modelName: 10,
  assetId: 11,
} as const;

/** LLDP-MED capability bits (TIA-1057 §10.2.2.1), bit 0 first. */
export const LLDP_MED_CAPABILITY_NAMES = [
  'capabilities',
  'network_policy',
  'location',
  'extended_power_pse',
  'extended_power_pd',
  'inventory',
] as const;

/** Network policy application types (TIA-1057 Table 12). */
export const LLDP_MED_APP_TYPES: Readonly<Record<number, string>> = {
  1: 'voice',
  2: 'voice-signaling',
  3: 'guest-voice',
  4: 'guest-voice-signaling',
  5: 'softphone-voice',
  6: 'video-conferencing',
  7: 'streaming-video',
  8: 'video-signaling',
};

/** What a text value may hold at most (bytes); the wire allows up to 507. */
export interface LldpTextLimit {
  /** Longest text kept from one field, in bytes; longer text is cut and flagged. */
  maxText: number;
}

/**
 * LLDP text as tshark shows it: bytes up to the first NUL (padding), UTF-8, capped at `max`
 * bytes. Sets `cut` when the cap shortened it.
 */
export function lldpText(bytes: Uint8Array, max: number, anomalies: AnomalyCode[], code: AnomalyCode): string {
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  if (end > max) {
    end = Math.max(0, max);
    anomalies.push(code);
  }
  return decodeText(bytes.subarray(0, end), 'utf8');
}

/** LLDP-MED Capabilities TLV (subtype 1). */
export interface LldpMedCapabilities {
  /** Capability bitmap as sent. */
  capabilities: number;
  /** Names of the set bits (`network_policy`, `location`, ..., unknown bits as `bitN`). */
  capabilityNames: string[];
  /** Device type: 0 not defined, 1–3 endpoint class I–III, 4 network connectivity. */
  deviceClass: number;
  /** `endpoint-class-1|2|3`, `network-connectivity`, `not-defined` or `reserved-N`. */
  deviceClassName: string;
}

/** LLDP-MED Network Policy TLV (subtype 2): one per application type. */
export interface LldpMedNetworkPolicy {
  /** Application type number (1 voice, 2 voice signaling, ...). */
  appType: number;
  /** Application type name (`voice`, `voice-signaling`, ... or `app-N`). */
  appName: string;
  /** U flag: the policy is unknown to the sender (VLAN/priority/DSCP are then meaningless). */
  unknownPolicy: boolean;
  /** T flag: the application uses 802.1Q tagged frames. */
  tagged: boolean;
  /** VLAN id, 0–4095 (0 = priority tagged). */
  vlanId: number;
  /** Layer 2 priority, 0–7. */
  priority: number;
  /** DSCP value, 0–63. */
  dscp: number;
}

/** One civic address element (RFC 4776 §3.4 CAtype/CAvalue). */
export interface LldpMedCivicElement {
  /** CAtype number (1 state, 3 city, 19 house number, 26 unit, 27 floor, 28 room, ...). */
  caType: number;
  /** CAvalue text. */
  value: string;
}

/** A civic address LCI (location data format 2). */
export interface LldpMedCivicAddress {
  /** What the location describes: 0 DHCP server, 1 network element, 2 client. */
  what: number;
  /** ISO 3166 two-letter country code. */
  countryCode: string;
  /** Every CAtype element in wire order, unknown CAtypes included. */
  elements: LldpMedCivicElement[];
}

/** A coordinate-based LCI (location data format 1, RFC 3825 layout). */
export interface LldpMedCoordinate {
  /** Latitude in degrees (north positive). */
  latitude: number;
  /** Latitude resolution (bits). */
  latitudeResolution: number;
  /** Longitude in degrees (east positive). */
  longitude: number;
  /** Longitude resolution (bits). */
  longitudeResolution: number;
  /** Altitude type: 1 metres, 2 floors. */
  altitudeType: number;
  /** Altitude resolution (bits). */
  altitudeResolution: number;
  /** Altitude in metres or floors. */
  altitude: number;
  /** Datum: 1 WGS84, 2 NAD83/NAVD88, 3 NAD83/MLLW. */
  datum: number;
  /** The 16 LCI bytes in hex. */
  hex: string;
}

/** LLDP-MED Location Identification TLV (subtype 3). */
export interface LldpMedLocation {
  /** Location data format: 1 coordinate LCI, 2 civic address LCI, 3 ECS ELIN. */
  format: number;
  /** Decoded coordinate LCI (format 1). */
  coordinate?: LldpMedCoordinate;
  /** Decoded civic address (format 2). */
  civic?: LldpMedCivicAddress;
  /** Emergency location identification number (format 3), 10–25 digits. */
  elin?: string;
  /** Location data in hex when the format is unknown. */
  hex?: string;
}

/** LLDP-MED Extended Power-via-MDI TLV (subtype 4). */
export interface LldpMedExtendedPower {
  /** Power type: 0 PSE device, 1 PD device, 2–3 reserved. */
  powerType: number;
  /** Power source (meaning depends on the power type). */
  powerSource: number;
  /** Power priority: 1 critical, 2 high, 3 low, 0 unknown. */
  powerPriority: number;
  /** Power value in milliwatts (the wire carries units of 0.1 W). */
  powerMilliwatts: number;
}

/** Everything LLDP-MED an LLDPDU carried. Singletons keep the first occurrence. */
export interface LldpMedRecord {
  /** Media capabilities and device class. */
  capabilities?: LldpMedCapabilities;
  /** Network policies, one per application type, in wire order. */
  networkPolicies: LldpMedNetworkPolicy[];
  /** Location identifications (one per data format), in wire order. */
  locations: LldpMedLocation[];
  /** Extended power-via-MDI. */
  extendedPower?: LldpMedExtendedPower;
  /** Inventory: hardware revision (subtype 5). */
  hardwareRevision?: string;
  /** Inventory: firmware revision (subtype 6). */
  firmwareRevision?: string;
  /** Inventory: software revision (subtype 7). */
  softwareRevision?: string;
  /** Inventory: serial number (subtype 8). */
  serialNumber?: string;
  /** Inventory: manufacturer name (subtype 9). */
  manufacturerName?: string;
  /** Inventory: model name (subtype 10). */
  modelName?: string;
  /** Inventory: asset id (subtype 11). */
  assetId?: string;
}

/** Device class name used in observations (`lldp.med.device_class`). */
export function medDeviceClassName(deviceClass: number): string {
  switch (deviceClass) {
    case 0: return 'not-defined';
    case 1: return 'endpoint-class-1';
    case 2: return 'endpoint-class-2';
    case 3: return 'endpoint-class-3';
    case 4: return 'network-connectivity';
    default: return `reserved-${deviceClass}`;
  }
}

function bitNames(bits: number, names: readonly string[], width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < width; i++) {
    if ((bits >>> i) & 1) out.push(names[i] ?? `bit${i}`);
  }
  return out;
}

/** Read `len` bits starting at bit `start` (MSB first) as an unsigned number (len <= 48). */
function bitsAt(b: Uint8Array, start: number, len: number): number {
  let v = 0;
  for (let i = start; i < start + len; i++) {
    const byte = b[i >> 3] ?? 0;
    v = v * 2 + ((byte >> (7 - (i & 7))) & 1);
  }
  return v;
}

/** Two's complement fixed point: `len` bits with `frac` fraction bits. */
function fixedAt(b: Uint8Array, start: number, len: number, frac: number): number {
  let v = bitsAt(b, start, len);
  if (v >= 2 ** (len - 1)) v -= 2 ** len;
  return v / 2 ** frac;
}

function decodeCoordinate(b: Uint8Array): LldpMedCoordinate {
  // RFC 3825 §2: LaRes(6) Latitude(34, 9.25) LoRes(6) Longitude(34, 9.25) AT(4) AltRes(6)
  // Altitude(30, 22.8) Datum(8).
  return {
    latitudeResolution: bitsAt(b, 0, 6),
    latitude: fixedAt(b, 6, 34, 25),
    longitudeResolution: bitsAt(b, 40, 6),
    longitude: fixedAt(b, 46, 34, 25),
    altitudeType: bitsAt(b, 80, 4),
    altitudeResolution: bitsAt(b, 84, 6),
    altitude: fixedAt(b, 90, 30, 8),
    datum: bitsAt(b, 120, 8),
    hex: toHex(b),
  };
}

function decodeLocation(r: ByteReader, limits: LldpTextLimit, anomalies: AnomalyCode[]): LldpMedLocation | undefined {
  if (r.remaining < 1) {
    anomalies.push('lldp.bad_tlv_length');
    return undefined;
  }
  const format = r.u8();
  const loc: LldpMedLocation = { format };
  switch (format) {
    case 1: {
      if (r.remaining !== 16) anomalies.push('lldp.bad_tlv_length');
      if (r.remaining >= 16) loc.coordinate = decodeCoordinate(r.bytes(16));
      else loc.hex = toHex(r.rest());
      break;
    }
    case 2: {
      // RFC 4776 §3.1: LCI length counts what + country + CA elements.
      if (r.remaining < 1) {
        anomalies.push('lldp.bad_tlv_length');
        break;
      }
      const lciLength = r.u8();
      if (lciLength !== r.remaining || lciLength < 3) anomalies.push('lldp.bad_tlv_length');
      const lci = r.take(Math.min(lciLength, r.remaining));
      if (lci.remaining < 3) {
        loc.hex = toHex(lci.rest());
        break;
      }
      const what = lci.u8();
      const countryCode = lldpText(lci.bytes(2), 2, anomalies, 'lldp.text_truncated');
      const elements: LldpMedCivicElement[] = [];
      // Bounded: each element consumes at least 2 bytes of a TLV that is at most 511 long.
      while (lci.remaining >= 2) {
        const caType = lci.u8();
        const caLength = lci.u8();
        if (caLength > lci.remaining) {
          anomalies.push('lldp.bad_tlv_length');
          break;
        }
        elements.push({ caType, value: lldpText(lci.bytes(caLength), limits.maxText, anomalies, 'lldp.text_truncated') });
      }
      if (lci.remaining !== 0) anomalies.push('lldp.bad_tlv_length');
      loc.civic = { what, countryCode, elements };
      break;
    }
    case 3: {
      if (r.remaining < 10 || r.remaining > 25) anomalies.push('lldp.bad_tlv_length');
      loc.elin = lldpText(r.rest(), limits.maxText, anomalies, 'lldp.text_truncated');
      break;
    }
    default:
      loc.hex = toHex(r.rest());
      break;
  }
  return loc;
}

type InventoryKey =
  | 'hardwareRevision'
  | 'firmwareRevision'
  | 'softwareRevision'
  | 'serialNumber'
  | 'manufacturerName'
  | 'modelName'
  | 'assetId';

const INVENTORY_KEYS: Readonly<Record<number, InventoryKey>> = {
  5: 'hardwareRevision',
  6: 'firmwareRevision',
  7: 'softwareRevision',
  8: 'serialNumber',
  9: 'manufacturerName',
  10: 'modelName',
  11: 'assetId',
};

/**
 * Decode one LLDP-MED TLV body (after OUI and subtype) into `med`. Returns false for an
 * unknown subtype, so the caller can keep it raw.
 */
export function decodeLldpMedTlv(
  subtype: number,
  r: ByteReader,
  med: LldpMedRecord,
  limits: LldpTextLimit,
  anomalies: AnomalyCode[],
): boolean {
  switch (subtype) {
    case LLDP_MED_SUBTYPE.capabilities: {
      if (r.remaining !== 3) anomalies.push('lldp.bad_tlv_length');
      if (r.remaining < 3) return true;
      if (med.capabilities !== undefined) {
        anomalies.push('lldp.duplicate_tlv');
        return true;
      }
      const capabilities = r.u16();
      const deviceClass = r.u8();
      med.capabilities = {
        capabilities,
        capabilityNames: bitNames(capabilities, LLDP_MED_CAPABILITY_NAMES, 16),
        deviceClass,
        deviceClassName: medDeviceClassName(deviceClass),
      };
      return true;
    }
    case LLDP_MED_SUBTYPE.networkPolicy: {
      if (r.remaining !== 4) anomalies.push('lldp.bad_tlv_length');
      if (r.remaining < 4) return true;
      const appType = r.u8();
      const policy = r.u24();
      med.networkPolicies.push({
        appType,
        appName: LLDP_MED_APP_TYPES[appType] ?? `app-${appType}`,
        unknownPolicy: ((policy >> 23) & 1) === 1,
        tagged: ((policy >> 22) & 1) === 1,
        vlanId: (policy >> 9) & 0x0fff,
        priority: (policy >> 6) & 0x07,
        dscp: policy & 0x3f,
      });
      return true;
    }
    case LLDP_MED_SUBTYPE.location: {
      const loc = decodeLocation(r, limits, anomalies);
      if (loc !== undefined) med.locations.push(loc);
      return true;
    }
    case LLDP_MED_SUBTYPE.extendedPower: {
      if (r.remaining !== 3) anomalies.push('lldp.bad_tlv_length');
      if (r.remaining < 3) return true;
      if (med.extendedPower !== undefined) {
        anomalies.push('lldp.duplicate_tlv');
        return true;
      }
      const b = r.u8();
      med.extendedPower = {
        powerType: b >> 6,
        powerSource: (b >> 4) & 0x03,
        powerPriority: b & 0x0f,
        powerMilliwatts: r.u16() * 100,
      };
      return true;
    }
    default: {
      const key = INVENTORY_KEYS[subtype];
      if (key === undefined) return false;
      // TIA-1057 §10.2.6: inventory strings are 0–32 octets.
      if (r.remaining > 32) anomalies.push('lldp.bad_tlv_length');
      if (med[key] !== undefined) {
        anomalies.push('lldp.duplicate_tlv');
        return true;
      }
      med[key] = lldpText(r.rest(), limits.maxText, anomalies, 'lldp.text_truncated');
      return true;
    }
  }
}
