/**
 * \summary IEEE 802.11 MAC header (IEEE 802.11-2020 §9.2) and the radiotap header in front of it
 * (radiotap.org): who sent the frame, and the LLC/SNAP payload of data frames.
 *
 * The sender is the source address, which the DS bits place: address 2 with neither or ToDS
 * only, address 3 with FromDS only, address 4 with both (§9.3.2.1 Table 9-30). Management frames
 * give their transmitter (address 2); control frames are not decoded. QoS data adds 2 bytes, and
 * +HTC (the Order bit on QoS data) 4 more; an A-MSDU's first subframe (§9.3.2.2) gives its own
 * source and payload. Protected frames are counted (`wlan.protected`), never guessed at.
 * Radiotap: version 0, little-endian length; the Flags field (bit 1, after an 8-aligned TSFT)
 * says whether a 4-byte FCS ends the frame. Hand-written: fixed headers, no library needed.
 */
import type { ByteReader } from '../bytes.js';
import type { AnomalyCode } from '../result.js';

export const WLAN_ANOMALIES = ['wlan.truncated', 'wlan.bad_version', 'radiotap.truncated', 'radiotap.bad_version'] as const satisfies readonly AnomalyCode[];

const TYPE_MANAGEMENT = 0;
const TYPE_DATA = 2;
const FLAG_TO_DS = 0x01;
const FLAG_FROM_DS = 0x02;
const FLAG_PROTECTED = 0x40;
const FLAG_ORDER = 0x80;
const RADIOTAP_FLAGS_FCS = 0x10;

export interface WlanHeader {
  srcMac: string;
  dstMac: string;
  /** A data frame with a body to decode (not null data, not protected). */
  hasBody: boolean;
  protected: boolean;
  /** A-MSDU: the first subframe's payload length (the body ends there). */
  bodyLength?: number;
}

/** Reads a radiotap header; leaves `r` at the 802.11 frame. True when the frame ends in an FCS. */
export function readRadiotap(r: ByteReader, anomalies: AnomalyCode[]): { fcs: boolean } | undefined {
  if (r.remaining < 8) {
    anomalies.push('radiotap.truncated');
    return undefined;
  }
  const version = r.u8();
  r.skip(1);
  const length = r.u16le();
  if (version !== 0) {
    anomalies.push('radiotap.bad_version');
    return undefined;
  }
  if (length < 8 || length - 4 > r.remaining) {
    anomalies.push('radiotap.truncated');
    return undefined;
  }
  const header = r.take(length - 4);
  // Present words: bit 31 says another follows.
  let offset = 8;
  const present = header.u32le();
  let word = present;
  while ((word & 0x80000000) !== 0 && !header.failed) {
    word = header.u32le();
    offset += 4;
  }
  let fcs = false;
  if ((present & 0x02) !== 0) {
    if ((present & 0x01) !== 0) {
      const aligned = (offset + 7) & ~7;
      header.skip(aligned - offset + 8);
      offset = aligned + 8;
    }
    const flags = header.u8();
    if (!header.failed) fcs = (flags & RADIOTAP_FLAGS_FCS) !== 0;
  }
  return { fcs };
}

/** Reads an 802.11 MAC header; leaves `r` at the frame body (the LLC header of a data frame). */
export function readWlan(r: ByteReader, anomalies: AnomalyCode[], maybeSwapped = false): WlanHeader | undefined {
  if (r.remaining < 10) {
    anomalies.push('wlan.truncated');
    return undefined;
  }
  let fc0 = r.u8();
  let flags = r.u8();
  // Cisco controllers send the frame control field byte-swapped inside CAPWAP (Wireshark's
  // "Cisco Wireless Controller Support" preference): version bits set in the first byte and
  // clear in the second is that swap.
  if (maybeSwapped && (fc0 & 0x03) !== 0 && (flags & 0x03) === 0) [fc0, flags] = [flags, fc0];
  if ((fc0 & 0x03) !== 0) {
    anomalies.push('wlan.bad_version');
    return undefined;
  }
  const type = (fc0 >> 2) & 0x03;
  const subtype = fc0 >> 4;
  if (type !== TYPE_DATA && type !== TYPE_MANAGEMENT) return undefined; // control / extension
  if (r.remaining < 22) {
    anomalies.push('wlan.truncated');
    return undefined;
  }
  r.skip(2); // duration
  const a1 = r.mac();
  const a2 = r.mac();
  const a3 = r.mac();
  r.skip(2); // sequence control
  if (type === TYPE_MANAGEMENT) return { srcMac: a2, dstMac: a1, hasBody: false, protected: (flags & FLAG_PROTECTED) !== 0 };
  const toDs = (flags & FLAG_TO_DS) !== 0;
  const fromDs = (flags & FLAG_FROM_DS) !== 0;
  let src = toDs || !fromDs ? a2 : a3;
  let dst = toDs ? a3 : a1;
  if (toDs && fromDs) {
    src = r.mac();
    dst = a3;
  }
  const qos = (subtype & 0x08) !== 0;
  let amsdu = false;
  if (qos) {
    amsdu = (r.u8() & 0x80) !== 0;
    r.skip(1);
    if ((flags & FLAG_ORDER) !== 0) r.skip(4); // HT control
  }
  if (r.failed) {
    anomalies.push('wlan.truncated');
    return undefined;
  }
  const isProtected = (flags & FLAG_PROTECTED) !== 0;
  const header: WlanHeader = { srcMac: src, dstMac: dst, hasBody: (subtype & 0x04) === 0 && !isProtected, protected: isProtected };
  if (amsdu && header.hasBody) {
    // First A-MSDU subframe: DA, SA, length, then its LLC payload.
    if (r.remaining < 14) {
      anomalies.push('wlan.truncated');
      return undefined;
    }
    header.dstMac = r.mac();
    header.srcMac = r.mac();
    const length = r.u16();
    if (length > r.remaining) anomalies.push('wlan.truncated');
    header.bodyLength = Math.min(length, r.remaining);
  }
  return header;
}
