/**
 * \summary DHCPv4 / BOOTP message decoder (RFC 951, RFC 2131 §2 and §4.1, RFC 2132 options).
 *
 * Decodes the fixed BOOTP header, checks the magic cookie (RFC 2131 §3), keeps every option raw
 * in wire order and decodes the options a passive inventory needs: 12 host name, 50 requested
 * address, 51 lease time, 52 overload (RFC 2131 §4.1 order: `options`, then `file`, then
 * `sname`), 53 message type (RFC 2132 §9.6, RFC 4388, RFC 6926, RFC 7724), 54 server id,
 * 55 parameter request list (order kept: it is the client's fingerprint), 56 message, 57 maximum
 * message size, 60 vendor class, 61 client id, 43 vendor specific (RFC 2132 §8.4), 81 client FQDN
 * (RFC 4702, ASCII and canonical wire encodings) and 82 relay agent information with its
 * sub-options (RFC 3046, RFC 3527 link selection, RFC 3993 subscriber id, RFC 5107 server id
 * override, RFC 6607 VSS). An option that occurs more than once is decoded from the
 * concatenation of its instances (RFC 3396 §7); the raw list keeps every instance.
 *
 * Hand-written: the npm DHCP packages are DHCP servers or unmaintained, throw on malformed
 * input, and turn options into a keyed object, which loses the raw option order that client
 * fingerprints depend on. Pure: no I/O, no logging, no clock. Never throws; bad input gives the
 * partial record plus anomaly codes from `DHCP_ANOMALIES`.
 *
 * Byte fields (`DhcpOption.data`, client id, relay sub-options, vendor TLVs) are views into the
 * payload passed in, not copies: copy them before keeping the record beyond the payload's life.
 */
import { ByteReader, decodeText, formatIpv4, formatMac, toHex } from '../../decode/bytes.js';
import { declareLimits, intLimit, type LimitValues } from '../../decode/limits.js';
import type { AnomalyCode, DecodeResult } from '../../decode/result.js';

/** Every anomaly code `decodeDhcp` can report. */
export const DHCP_ANOMALIES = [
  /** Fewer than the 236 bytes of the fixed BOOTP header. */
  'dhcp.truncated_header',
  /** `op` is neither 1 (BOOTREQUEST) nor 2 (BOOTREPLY). */
  'dhcp.bad_op',
  /** `hlen` is larger than the 16-byte `chaddr` field. */
  'dhcp.bad_hlen',
  /** The header is complete but the options field has no room for the 4-byte magic cookie. */
  'dhcp.missing_magic',
  /** The 4 bytes after the header are not 99.130.83.99; options are not decoded. */
  'dhcp.bad_magic',
  /** An option's length byte, or its data, runs past the end of its field. */
  'dhcp.option_truncated',
  /** A field of options ends without the End option (255). */
  'dhcp.missing_end',
  /** An option has a length its definition does not allow (e.g. option 50 not 4 bytes). */
  'dhcp.bad_option_length',
  /** More options than `DhcpLimits.maxOptions`; the rest are not decoded. */
  'dhcp.too_many_options',
  /** Option 52 inside `file` or `sname` (only the `options` field may overload); ignored. */
  'dhcp.overload_loop',
  /** Option 52 with a value other than 1, 2 or 3. */
  'dhcp.bad_overload_value',
  /** Option 82 sub-option whose length runs past the option. */
  'dhcp.relay_suboption_truncated',
  /** More option 82 sub-options than `DhcpLimits.maxSubOptions`. */
  'dhcp.too_many_relay_suboptions',
  /** Option 81 domain name is not valid canonical wire encoding (label > 63, pointer, overrun). */
  'dhcp.bad_fqdn',
] as const satisfies readonly AnomalyCode[];

export type DhcpAnomaly = (typeof DHCP_ANOMALIES)[number];

/**
 * Knobs bounding the work done on one message (config `limits.dhcp.*`, declared once here).
 * maxOptions: options kept per message (pad and end not counted), over all overloaded fields;
 * maxSubOptions: sub-options kept from option 82, and TLVs kept from option 43.
 */
export const DHCP_LIMIT_DECL = declareLimits('dhcp', 'DHCP decoder (src/protocols/dhcp/dhcp.ts DHCP_LIMITS).', {
  maxOptions: intLimit('max_options', 1, 65535, 255, 'DHCP options decoded per message.'),
  maxSubOptions: intLimit('max_sub_options', 1, 65535, 64, 'Sub-options decoded per option (e.g. option 82).'),
});

export type DhcpLimits = LimitValues<typeof DHCP_LIMIT_DECL.fields>;

export const DHCP_LIMITS: Readonly<DhcpLimits> = DHCP_LIMIT_DECL.defaults;

/** BOOTP fixed header length (RFC 2131 §2, figure 1): up to and including `file`. */
export const BOOTP_HEADER_LENGTH = 236;
/** RFC 2131 §3: 99.130.83.99. */
export const DHCP_MAGIC_COOKIE = 0x63825363;

export const DHCP_OPTION = {
  PAD: 0,
  HOST_NAME: 12,
  VENDOR_SPECIFIC: 43,
  REQUESTED_IP: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_REQUEST_LIST: 55,
  MESSAGE: 56,
  MAX_MESSAGE_SIZE: 57,
  VENDOR_CLASS: 60,
  CLIENT_ID: 61,
  CLIENT_FQDN: 81,
  RELAY_AGENT_INFO: 82,
  END: 255,
} as const;

/** RFC 3046 / 3527 / 3993 / 5107 / 6607 relay agent sub-option codes. */
export const RELAY_SUBOPTION = {
  CIRCUIT_ID: 1,
  REMOTE_ID: 2,
  LINK_SELECTION: 5,
  SUBSCRIBER_ID: 6,
  SERVER_ID_OVERRIDE: 11,
  VSS: 151,
  VSS_CONTROL: 152,
} as const;

/**
 * Option 53 names, as the RFCs spell them without the `DHCP` prefix (tshark's names upper-cased
 * with the spaces removed): RFC 2132 §9.6 (1–8), RFC 3203 (9), RFC 4388 (10–13),
 * RFC 7724 (14, 15), RFC 7724/6926 (16, 17), RFC 8572 era TLS (18).
 */
export const DHCP_MESSAGE_TYPE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: 'DISCOVER',
  2: 'OFFER',
  3: 'REQUEST',
  4: 'DECLINE',
  5: 'ACK',
  6: 'NAK',
  7: 'RELEASE',
  8: 'INFORM',
  9: 'FORCERENEW',
  10: 'LEASEQUERY',
  11: 'LEASEUNASSIGNED',
  12: 'LEASEUNKNOWN',
  13: 'LEASEACTIVE',
  14: 'BULKLEASEQUERY',
  15: 'LEASEQUERYDONE',
  16: 'ACTIVELEASEQUERY',
  17: 'LEASEQUERYSTATUS',
  18: 'TLS',
});

/** Which field of the message an option was read from. */
export type DhcpOptionArea = 'options' | 'file' | 'sname';

/** One option exactly as on the wire (pad and end are not listed). */
export interface DhcpOption {
  /** Option code, 1–254. */
  code: number;
  /** Option data (a view into the payload). */
  data: Uint8Array;
  /** Field it was read from: `options`, or `file`/`sname` when overloaded by option 52. */
  area: DhcpOptionArea;
}

/** A code/data pair inside an option (option 82 sub-options, option 43 TLVs). */
export interface DhcpSubOption {
  code: number;
  /** Sub-option data (a view into the payload). */
  data: Uint8Array;
}

/** Option 61 (RFC 2132 §9.14). */
export interface DhcpClientId {
  /** First byte: 1 = Ethernet MAC follows, 0 = opaque (often text), 255 = RFC 4361 IAID+DUID. */
  type: number;
  /** The bytes after the type byte (a view). */
  data: Uint8Array;
  /** Whole option, type byte included, as colon-separated hex (`01:00:0c:29:..`). */
  hex: string;
}

/** Option 81 client FQDN (RFC 4702 §2). */
export interface DhcpClientFqdn {
  /** Flags byte: S 0x01, O 0x02, E 0x04 (canonical wire encoding), N 0x08. */
  flags: number;
  /** RCODE1 (deprecated, sent as 0 or 255). */
  rcode1: number;
  /** RCODE2 (deprecated, sent as 0 or 255). */
  rcode2: number;
  /** How the name was encoded: `wire` when the E flag is set, else `ascii` (deprecated form). */
  encoding: 'wire' | 'ascii';
  /** Domain name as dotted text, without a trailing dot (may be a partial name). */
  name: string;
  /** True when the wire-encoded name ended with the root label (a fully qualified name). */
  fullyQualified: boolean;
}

/** Option 82 circuit id or remote id, in every form a consumer may want. */
export interface DhcpAgentId {
  /** The sub-option bytes (a view). */
  raw: Uint8Array;
  /** Lower-case hex without separators. */
  hex: string;
  /** The bytes as text, only when every byte is printable ASCII (0x20–0x7e). */
  text?: string;
  /** Cisco binary circuit id: type 0, length 4, VLAN (2 bytes), module (1), port (1). */
  cisco?: { vlan: number; module: number; port: number };
  /** Cisco-style binary remote id: type 0, length 6, then the relay's MAC. */
  mac?: string;
}

/** Option 82 relay agent information (RFC 3046 §2.0 and later sub-options). */
export interface DhcpRelayAgentInfo {
  /** Every sub-option in wire order (unknown ones included). */
  subOptions: DhcpSubOption[];
  /** Sub-option 1 (RFC 3046 §3.1). */
  circuitId?: DhcpAgentId;
  /** Sub-option 2 (RFC 3046 §3.2). */
  remoteId?: DhcpAgentId;
  /** Sub-option 5 link selection subnet (RFC 3527). */
  linkSelection?: string;
  /** Sub-option 6 subscriber id, as text (RFC 3993). */
  subscriberId?: string;
  /** Sub-option 11 server identifier override (RFC 5107). */
  serverIdOverride?: string;
  /** Sub-option 151 VSS information (RFC 6607), raw. */
  vss?: Uint8Array;
  /** Sub-option 152 VSS control present (RFC 6607). */
  vssControl?: boolean;
}

/** Option 43 vendor specific information (RFC 2132 §8.4). */
export interface DhcpVendorSpecific {
  /** The whole option (a view). */
  data: Uint8Array;
  /** Encapsulated vendor options, when the data parses exactly as code/length/value TLVs. */
  tlvs?: DhcpSubOption[];
}

/** One DHCPv4/BOOTP message. */
export interface DhcpRecord {
  /** False when the payload was shorter than the 236-byte header (fields past the cut are 0/''). */
  headerComplete: boolean;
  /** 1 BOOTREQUEST (client or relay to server), 2 BOOTREPLY. */
  op: number;
  /** Hardware type (ARP hardware type; 1 = Ethernet). */
  htype: number;
  /** Hardware address length. */
  hlen: number;
  /** Relay hops; non-zero once a relay agent forwarded the message. */
  hops: number;
  /** Transaction id. */
  xid: number;
  /** Seconds since the client began acquisition. */
  secs: number;
  /** Flags word; bit 15 (0x8000) is the broadcast flag. */
  flags: number;
  /** Client IP address (dotted quad; 0.0.0.0 when unset). */
  ciaddr: string;
  /** "Your" IP address: the address the server offers/assigns. */
  yiaddr: string;
  /** Next server IP address. */
  siaddr: string;
  /** Relay agent IP address; non-zero when a relay forwarded the message. */
  giaddr: string;
  /** Client hardware address: `aa:bb:cc:dd:ee:ff` when htype=1 and hlen=6, else hex of hlen bytes. */
  chaddr: string;
  /** True when `chaddr` is an Ethernet MAC (htype 1, hlen 6). */
  chaddrIsMac: boolean;
  /** Server host name (text up to the first NUL); '' when unset or overloaded with options. */
  sname: string;
  /** Boot file name (text up to the first NUL); '' when unset or overloaded with options. */
  file: string;
  /** True when the magic cookie was present and right (else there are no options). */
  magicCookie: boolean;
  /** Every option, in the order RFC 2131 §4.1 says to read them. */
  options: DhcpOption[];
  /** Option 52: 1 `file` holds options, 2 `sname` does, 3 both. */
  overload?: number;
  /** Option 53 message type. */
  messageType?: number;
  /** Name of `messageType` (DISCOVER, OFFER, ...), absent for unassigned values. */
  messageTypeName?: string;
  /** Option 12 host name (trailing NULs removed). */
  hostname?: string;
  /** Option 50 requested IP address. */
  requestedIp?: string;
  /** Option 51 lease time, seconds. */
  leaseTime?: number;
  /** Option 54 server identifier. */
  serverId?: string;
  /** Option 55 requested option codes, in the client's order. */
  parameterRequestList?: number[];
  /** Option 56 message (a NAK's reason text). */
  message?: string;
  /** Option 57 maximum DHCP message size. */
  maxMessageSize?: number;
  /** Option 60 vendor class identifier (trailing NULs removed). */
  vendorClass?: string;
  /** Option 61 client identifier. */
  clientId?: DhcpClientId;
  /** Option 81 client FQDN. */
  clientFqdn?: DhcpClientFqdn;
  /** Option 82 relay agent information. */
  relayAgentInfo?: DhcpRelayAgentInfo;
  /** Option 43 vendor specific information. */
  vendorSpecific?: DhcpVendorSpecific;
}

/** Options area offsets (RFC 2131 figure 1). */
const SNAME_OFFSET = 44;
const SNAME_LENGTH = 64;
const FILE_OFFSET = 108;
const FILE_LENGTH = 128;
const CHADDR_OFFSET = 28;
const CHADDR_LENGTH = 16;

/**
 * Decode one DHCPv4/BOOTP message (the UDP payload of port 67/68 traffic).
 * Never throws; returns the partial record and the anomalies met.
 */
export function decodeDhcp(payload: Uint8Array, limits: DhcpLimits = DHCP_LIMITS): DecodeResult<DhcpRecord> {
  const anomalies: DhcpAnomaly[] = [];
  const note = (a: DhcpAnomaly): void => {
    anomalies.push(a);
  };
  const r = new ByteReader(payload);
  const headerComplete = payload.length >= BOOTP_HEADER_LENGTH;
  const record: DhcpRecord = {
    headerComplete,
    op: 0,
    htype: 0,
    hlen: 0,
    hops: 0,
    xid: 0,
    secs: 0,
    flags: 0,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr: '',
    chaddrIsMac: false,
    sname: '',
    file: '',
    magicCookie: false,
    options: [],
  };
  // Fields are read in wire order; the sticky reader leaves those past a cut at 0.
  record.op = r.u8();
  record.htype = r.u8();
  record.hlen = r.u8();
  record.hops = r.u8();
  record.xid = r.u32();
  record.secs = r.u16();
  record.flags = r.u16();
  const ipAt = (offset: number): string =>
    payload.length >= offset + 4 ? formatIpv4(payload, offset) : '0.0.0.0';
  record.ciaddr = ipAt(12);
  record.yiaddr = ipAt(16);
  record.siaddr = ipAt(20);
  record.giaddr = ipAt(24);
  if (payload.length >= CHADDR_OFFSET + CHADDR_LENGTH) {
    const used = Math.min(record.hlen, CHADDR_LENGTH);
    record.chaddrIsMac = record.htype === 1 && record.hlen === 6;
    record.chaddr = record.chaddrIsMac
      ? formatMac(payload, CHADDR_OFFSET)
      : toHex(payload.subarray(CHADDR_OFFSET, CHADDR_OFFSET + used));
  }
  if (!headerComplete) {
    note('dhcp.truncated_header');
    return { value: record, anomalies };
  }
  if (record.op !== 1 && record.op !== 2) note('dhcp.bad_op');
  if (record.hlen > CHADDR_LENGTH) note('dhcp.bad_hlen');

  const sname = payload.subarray(SNAME_OFFSET, SNAME_OFFSET + SNAME_LENGTH);
  const file = payload.subarray(FILE_OFFSET, FILE_OFFSET + FILE_LENGTH);
  const options = new ByteReader(payload, BOOTP_HEADER_LENGTH);
  if (options.remaining < 4) {
    // A plain BOOTP message may stop at the header (RFC 951 has a 64-byte vendor field).
    if (options.remaining > 0) note('dhcp.missing_magic');
  } else if (options.u32() !== DHCP_MAGIC_COOKIE) {
    note('dhcp.bad_magic');
  } else {
    record.magicCookie = true;
    let more = readOptionArea(options, 'options', record, limits, note);
    // RFC 2131 §4.1: options first, then `file`, then `sname`.
    const overload = record.overload ?? 0;
    if (more && (overload & 1) !== 0) more = readOptionArea(new ByteReader(file), 'file', record, limits, note);
    if (more && (overload & 2) !== 0) readOptionArea(new ByteReader(sname), 'sname', record, limits, note);
    decodeTypedOptions(record, limits, note);
  }
  if (record.overload === undefined || (record.overload & 2) === 0) record.sname = cString(sname);
  if (record.overload === undefined || (record.overload & 1) === 0) record.file = cString(file);
  return { value: record, anomalies };
}

/** Walk one field of options up to End, appending to `record.options`; false once the option limit is hit. */
function readOptionArea(
  r: ByteReader,
  area: DhcpOptionArea,
  record: DhcpRecord,
  limits: DhcpLimits,
  note: (a: DhcpAnomaly) => void,
): boolean {
  // Bounded: each pass consumes at least one byte of a finite window, or breaks.
  while (r.remaining > 0) {
    const code = r.u8();
    if (code === DHCP_OPTION.PAD) continue;
    if (code === DHCP_OPTION.END) return true;
    if (r.remaining < 1) {
      note('dhcp.option_truncated');
      return true;
    }
    const length = r.u8();
    if (length > r.remaining) {
      note('dhcp.option_truncated');
      return true;
    }
    if (record.options.length >= limits.maxOptions) {
      note('dhcp.too_many_options');
      return false;
    }
    const data = r.bytes(length);
    record.options.push({ code, data, area });
    if (code === DHCP_OPTION.OVERLOAD) {
      if (area !== 'options') note('dhcp.overload_loop');
      else if (length !== 1) note('dhcp.bad_option_length');
      else if (record.overload === undefined) {
        const value = data[0] ?? 0;
        if (value >= 1 && value <= 3) record.overload = value;
        else note('dhcp.bad_overload_value');
      }
    }
  }
  note('dhcp.missing_end');
  return true;
}

/**
 * Where each option code first occurs in `record.options` and how often, for the message being
 * decoded: one pass over the options instead of one per typed option. Scratch tables, valid while
 * `stamp[code] === generation` (decoding is synchronous, so one set serves every call).
 */
const firstIndex = new Int32Array(256);
const occurrences = new Int32Array(256);
const stamp = new Uint32Array(256);
let generation = 0;

function indexOptions(options: readonly DhcpOption[]): void {
  generation = (generation + 1) >>> 0;
  if (generation === 0) { stamp.fill(0); generation = 1; }
  for (let i = 0; i < options.length; i++) {
    const code = (options[i] as DhcpOption).code;
    if (stamp[code] !== generation) {
      stamp[code] = generation;
      firstIndex[code] = i;
      occurrences[code] = 1;
    } else {
      occurrences[code] = (occurrences[code] as number) + 1;
    }
  }
}

/** RFC 3396 §7: several instances of one option are one option, concatenated in read order. */
function optionData(record: DhcpRecord, code: number): Uint8Array | undefined {
  if (stamp[code] !== generation) return undefined;
  const options = record.options;
  const first = firstIndex[code] as number;
  if (occurrences[code] === 1) return (options[first] as DhcpOption).data;
  const parts: Uint8Array[] = [];
  for (let i = first; i < options.length; i++) {
    const o = options[i] as DhcpOption;
    if (o.code === code) parts.push(o.data);
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function decodeTypedOptions(record: DhcpRecord, limits: DhcpLimits, note: (a: DhcpAnomaly) => void): void {
  indexOptions(record.options);
  const get = (code: number): Uint8Array | undefined => optionData(record, code);
  /** Option data when its length satisfies `ok`, else note the anomaly and give undefined. */
  const sized = (code: number, ok: (n: number) => boolean): Uint8Array | undefined => {
    const d = get(code);
    if (d === undefined) return undefined;
    if (!ok(d.length)) {
      note('dhcp.bad_option_length');
      return undefined;
    }
    return d;
  };
  const four = (n: number): boolean => n === 4;
  const nonEmpty = (n: number): boolean => n >= 1;

  const type = sized(DHCP_OPTION.MESSAGE_TYPE, (n) => n === 1);
  if (type !== undefined) {
    record.messageType = type[0] ?? 0;
    const name = DHCP_MESSAGE_TYPE_NAMES[record.messageType];
    if (name !== undefined) record.messageTypeName = name;
  }
  const hostname = sized(DHCP_OPTION.HOST_NAME, nonEmpty);
  if (hostname !== undefined) record.hostname = trimNul(decodeText(hostname, 'utf8'));
  const requested = sized(DHCP_OPTION.REQUESTED_IP, four);
  if (requested !== undefined) record.requestedIp = formatIpv4(requested);
  const lease = sized(DHCP_OPTION.LEASE_TIME, four);
  if (lease !== undefined) record.leaseTime = (lease[0] as number) * 0x1000000 + (((lease[1] as number) << 16) | ((lease[2] as number) << 8) | (lease[3] as number));
  const server = sized(DHCP_OPTION.SERVER_ID, four);
  if (server !== undefined) record.serverId = formatIpv4(server);
  const prl = sized(DHCP_OPTION.PARAMETER_REQUEST_LIST, nonEmpty);
  if (prl !== undefined) record.parameterRequestList = Array.from(prl);
  const message = sized(DHCP_OPTION.MESSAGE, nonEmpty);
  if (message !== undefined) record.message = trimNul(decodeText(message, 'utf8'));
  const maxSize = sized(DHCP_OPTION.MAX_MESSAGE_SIZE, (n) => n === 2);
  if (maxSize !== undefined) record.maxMessageSize = ((maxSize[0] as number) << 8) | (maxSize[1] as number);
  const vendorClass = sized(DHCP_OPTION.VENDOR_CLASS, nonEmpty);
  if (vendorClass !== undefined) record.vendorClass = trimNul(decodeText(vendorClass, 'utf8'));
  // RFC 2132 §9.14: "The minimum length is 2".
  const clientId = sized(DHCP_OPTION.CLIENT_ID, (n) => n >= 2);
  if (clientId !== undefined) {
    record.clientId = { type: clientId[0] ?? 0, data: clientId.subarray(1), hex: toHex(clientId, ':') };
  }
  const fqdn = sized(DHCP_OPTION.CLIENT_FQDN, (n) => n >= 3);
  if (fqdn !== undefined) record.clientFqdn = decodeClientFqdn(fqdn, note);
  const relay = get(DHCP_OPTION.RELAY_AGENT_INFO);
  if (relay !== undefined) record.relayAgentInfo = decodeRelayAgentInfo(relay, limits, note);
  const vendor = get(DHCP_OPTION.VENDOR_SPECIFIC);
  if (vendor !== undefined) {
    record.vendorSpecific = { data: vendor };
    const tlvs = parseVendorTlvs(vendor, limits.maxSubOptions);
    if (tlvs !== undefined) record.vendorSpecific.tlvs = tlvs;
  }
}

/** RFC 4702 §2: flags, RCODE1, RCODE2, then the name (wire form when E is set). */
function decodeClientFqdn(d: Uint8Array, note: (a: DhcpAnomaly) => void): DhcpClientFqdn {
  const r = new ByteReader(d);
  const flags = r.u8();
  const rcode1 = r.u8();
  const rcode2 = r.u8();
  const nameBytes = r.rest();
  if ((flags & 0x04) === 0) {
    return { flags, rcode1, rcode2, encoding: 'ascii', name: trimNul(decodeText(nameBytes, 'utf8')).replace(/\.$/, ''), fullyQualified: false };
  }
  const labels: string[] = [];
  const n = new ByteReader(nameBytes);
  let fullyQualified = false;
  // Bounded by the option's length: every label consumes at least one byte.
  while (n.remaining > 0) {
    const len = n.u8();
    if (len === 0) {
      fullyQualified = true;
      if (n.remaining > 0) note('dhcp.bad_fqdn');
      break;
    }
    // RFC 4702 §2.1: compression must not be used; labels are at most 63 octets (RFC 1035).
    if (len > 63 || len > n.remaining) {
      note('dhcp.bad_fqdn');
      break;
    }
    labels.push(n.text(len, 'utf8'));
  }
  return { flags, rcode1, rcode2, encoding: 'wire', name: labels.join('.'), fullyQualified };
}

function decodeRelayAgentInfo(d: Uint8Array, limits: DhcpLimits, note: (a: DhcpAnomaly) => void): DhcpRelayAgentInfo {
  const info: DhcpRelayAgentInfo = { subOptions: [] };
  const r = new ByteReader(d);
  while (r.remaining > 0) {
    if (r.remaining < 2) {
      note('dhcp.relay_suboption_truncated');
      break;
    }
    const code = r.u8();
    const length = r.u8();
    if (length > r.remaining) {
      note('dhcp.relay_suboption_truncated');
      break;
    }
    if (info.subOptions.length >= limits.maxSubOptions) {
      note('dhcp.too_many_relay_suboptions');
      break;
    }
    const data = r.bytes(length);
    info.subOptions.push({ code, data });
    switch (code) {
      case RELAY_SUBOPTION.CIRCUIT_ID:
        info.circuitId ??= agentId(data);
        break;
      case RELAY_SUBOPTION.REMOTE_ID:
        info.remoteId ??= agentId(data);
        break;
      case RELAY_SUBOPTION.LINK_SELECTION:
        if (length === 4) info.linkSelection ??= formatIpv4(data);
        else note('dhcp.bad_option_length');
        break;
      case RELAY_SUBOPTION.SUBSCRIBER_ID:
        info.subscriberId ??= decodeText(data, 'utf8');
        break;
      case RELAY_SUBOPTION.SERVER_ID_OVERRIDE:
        if (length === 4) info.serverIdOverride ??= formatIpv4(data);
        else note('dhcp.bad_option_length');
        break;
      case RELAY_SUBOPTION.VSS:
        info.vss ??= data;
        break;
      case RELAY_SUBOPTION.VSS_CONTROL:
        info.vssControl = true;
        break;
      default:
        break; // kept raw in subOptions
    }
  }
  return info;
}

/** Circuit/remote id: raw, hex, text when printable, Cisco binary forms when they fit exactly. */
function agentId(raw: Uint8Array): DhcpAgentId {
  const id: DhcpAgentId = { raw, hex: toHex(raw) };
  if (raw.length > 0 && raw.every((b) => b >= 0x20 && b <= 0x7e)) id.text = decodeText(raw, 'latin1');
  // Cisco Catalyst "vlan-mod-port": type 0, length 4, VLAN(2) module(1) port(1).
  if (raw.length === 6 && raw[0] === 0 && raw[1] === 4) {
    id.cisco = { vlan: ((raw[2] ?? 0) << 8) | (raw[3] ?? 0), module: raw[4] ?? 0, port: raw[5] ?? 0 };
  }
  // Cisco remote id: type 0, length 6, relay MAC.
  if (raw.length === 8 && raw[0] === 0 && raw[1] === 6) id.mac = formatMac(raw, 2);
  return id;
}

/** Option 43 as RFC 2132 §8.4 encapsulated options, or undefined if it is not exactly that. */
function parseVendorTlvs(d: Uint8Array, max: number): DhcpSubOption[] | undefined {
  const tlvs: DhcpSubOption[] = [];
  const r = new ByteReader(d);
  while (r.remaining > 0) {
    const code = r.u8();
    if (code === DHCP_OPTION.PAD) continue;
    if (code === DHCP_OPTION.END) return r.remaining === 0 && tlvs.length > 0 ? tlvs : undefined;
    if (r.remaining < 1) return undefined;
    const length = r.u8();
    if (length > r.remaining || tlvs.length >= max) return undefined;
    tlvs.push({ code, data: r.bytes(length) });
  }
  return tlvs.length > 0 ? tlvs : undefined;
}

/** A NUL-padded header field as text (latin1, one char per byte), up to the first NUL. */
function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return decodeText(end < 0 ? b : b.subarray(0, end), 'latin1');
}

function trimNul(s: string): string {
  return s.replace(/\0+$/, '');
}
