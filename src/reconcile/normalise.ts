/**
 * \summary Normal forms for the identifiers a system-of-record export and the network both
 * carry: MAC addresses, IP addresses, host names, serial numbers and VLAN ids.
 *
 * Two spellings of one identifier must compare equal (`00:09:FB:3A:71:07` and `0009.fb3a.7107`),
 * so every comparison in import and reconciliation goes through these functions. Each returns
 * `undefined` for text that is not that kind of identifier; none throws.
 * MAC forms: IEEE 802 canonical `AA-BB-CC-DD-EE-FF` (IEEE Std 802-2014 §8.1), the Unix
 * `aa:bb:cc:dd:ee:ff` (leading zeros optional), Cisco `aabb.ccdd.eeff`, H3C `aabb-ccdd-eeff`,
 * HP `aabbcc-ddeeff` and bare `AABBCCDDEEFF`. IPv6 is written in RFC 5952 form.
 */

import { isIPv6 } from 'node:net';

const HEX_PAIR_GROUPS = /^([0-9a-f]{1,2})([:-])([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})$/i;
const HEX_QUAD_GROUPS = /^([0-9a-f]{4})([.:-])([0-9a-f]{4})\2([0-9a-f]{4})$/i;
const HEX_HALF_GROUPS = /^([0-9a-f]{6})[-:]([0-9a-f]{6})$/i;
const HEX_BARE = /^[0-9a-f]{12}$/i;

/** A MAC address in any common spelling → lower-case `aa:bb:cc:dd:ee:ff`, or undefined. */
export function normaliseMac(text: string): string | undefined {
  const t = text.trim();
  let hex: string | undefined;
  const pairs = HEX_PAIR_GROUPS.exec(t);
  if (pairs) {
    hex = [pairs[1], pairs[3], pairs[4], pairs[5], pairs[6], pairs[7]].map((g) => (g ?? '').padStart(2, '0')).join('');
  } else {
    const quads = HEX_QUAD_GROUPS.exec(t);
    if (quads) hex = `${quads[1]}${quads[3]}${quads[4]}`;
    else {
      const halves = HEX_HALF_GROUPS.exec(t);
      if (halves) hex = `${halves[1]}${halves[2]}`;
      else if (HEX_BARE.test(t)) hex = t;
    }
  }
  if (hex === undefined) return undefined;
  const lower = hex.toLowerCase();
  return lower.match(/../g)?.join(':');
}

/**
 * True for a normalised MAC that cannot name one station: all zeros (a common "unknown"
 * placeholder in exports) or a group address (I/G bit set, IEEE Std 802-2014 §8.2), which
 * includes broadcast.
 */
export function isPlaceholderOrGroupMac(mac: string): boolean {
  if (mac === '00:00:00:00:00:00') return true;
  const firstOctet = Number.parseInt(mac.slice(0, 2), 16);
  return (firstOctet & 0x01) === 0x01;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * An IPv4 or IPv6 address → canonical text, or undefined. IPv4 octets may carry leading zeros
 * (`010.001.002.003`, as some exports pad them); they are read as decimal, never octal.
 * IPv6 comes back in RFC 5952 form (lower case, longest zero run compressed). Prefix lengths and
 * zone ids are not addresses and are rejected.
 */
export function normaliseIp(text: string): string | undefined {
  const t = text.trim();
  const v4 = IPV4.exec(t);
  if (v4) {
    const octets = [v4[1], v4[2], v4[3], v4[4]].map((o) => Number.parseInt(o ?? '', 10));
    if (octets.some((o) => !(o >= 0 && o <= 255))) return undefined;
    return octets.join('.');
  }
  if (t.includes(':') && !t.includes('%') && isIPv6(t)) {
    // The WHATWG URL serialiser writes IPv6 hosts in RFC 5952 form; isIPv6 has vetted the text.
    return new URL(`http://[${t}]/`).hostname.slice(1, -1);
  }
  return undefined;
}

/**
 * A host name → the form used for comparison: trimmed, lower case, trailing dot dropped and the
 * domain dropped (`MON-ICU-07.hospital.local.` → `mon-icu-07`), because exports mix short names
 * and FQDNs. An IP literal is returned as its normal form, not cut at the first dot.
 */
export function normaliseHostname(text: string): string | undefined {
  let t = text.trim().toLowerCase();
  if (t.endsWith('.')) t = t.slice(0, -1);
  if (t === '') return undefined;
  const ip = normaliseIp(t);
  if (ip !== undefined) return ip;
  const dot = t.indexOf('.');
  const short = dot === -1 ? t : t.slice(0, dot);
  return short === '' ? undefined : short;
}

/** A serial number → the form used for comparison: upper case, no spaces or dashes. */
export function normaliseSerial(text: string): string | undefined {
  const t = text.trim().toUpperCase().replace(/[\s-]+/g, '');
  return t === '' ? undefined : t;
}

/** The 802.1Q VLAN ids a device can be on (0 means priority-tagged, 4095 is reserved). */
export const VLAN_MIN = 1;
export const VLAN_MAX = 4094;

const VLAN_TEXT = /^(?:vlan[\s_-]?)?(\d{1,9})$/i;

/** `20`, `020`, `VLAN 20`, `vlan20` → 20; anything else, or outside 1–4094, → undefined. */
export function normaliseVlan(text: string): number | undefined {
  const m = VLAN_TEXT.exec(text.trim());
  if (!m) return undefined;
  const n = Number.parseInt(m[1] ?? '', 10);
  return n >= VLAN_MIN && n <= VLAN_MAX ? n : undefined;
}

/** True when the text looks like a VLAN number but is outside 1–4094 (for a precise error). */
export function isOutOfRangeVlan(text: string): boolean {
  return VLAN_TEXT.test(text.trim()) && normaliseVlan(text) === undefined;
}

const PLACEHOLDERS = new Set(['n/a', 'na', 'n.a.', 'none', 'null', 'nil', 'unknown', 'tbd', '-', '--', '?']);

/**
 * True for the words exports put in a cell that means "empty" (`N/A`, `none`, `unknown`, `-`).
 * The import treats them as absent so that two records with serial `N/A` are not duplicates and
 * a MAC column saying `none` is not a bad MAC.
 */
export function isPlaceholderValue(text: string): boolean {
  return PLACEHOLDERS.has(text.trim().toLowerCase());
}
