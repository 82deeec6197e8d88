import { describe, expect, it } from 'vitest';
import { DHCP_ANOMALIES, DHCP_LIMITS, decodeDhcp, type DhcpAnomaly } from '../../../../src/protocols/dhcp/dhcp.js';
import { toHex } from '../../../../src/decode/bytes.js';
import { readFrames } from '../../../helpers/frames.js';
import { conformancePath, describeShared } from '../../../helpers/conformance.js';


/** UDP payload of frame `frameNo` (tshark numbering) of a conformance capture. */
async function payloadOf(file: string, frameNo: number): Promise<Uint8Array> {
  const frame = (await readFrames(conformancePath(file))).find((f) => f.frameNo === frameNo);
  if (frame === undefined || frame.payloadKind !== 'udp') throw new Error(`${file}#${frameNo}: no UDP payload`);
  return frame.payload;
}

// ---- a tiny BOOTP/DHCP message builder for synthesised cases ----

const COOKIE = [99, 130, 83, 99];
const END = [255];

/** Option `code` with data `bytes` (length byte computed). */
function opt(code: number, ...bytes: number[]): number[] {
  return [code, bytes.length, ...bytes];
}
function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0));
}

interface Build {
  op?: number;
  htype?: number;
  hlen?: number;
  hops?: number;
  chaddr?: number[];
  ciaddr?: number[];
  yiaddr?: number[];
  giaddr?: number[];
  sname?: number[];
  file?: number[];
  /** Magic cookie bytes; `null` for none (plain BOOTP header only). */
  cookie?: number[] | null;
  /** Bytes after the cookie. */
  options?: number[];
}

function message(b: Build = {}): Uint8Array {
  const m = new Uint8Array(236);
  m[0] = b.op ?? 1;
  m[1] = b.htype ?? 1;
  m[2] = b.hlen ?? 6;
  m[3] = b.hops ?? 0;
  m.set([0x12, 0x34, 0x56, 0x78], 4);
  m.set(b.ciaddr ?? [0, 0, 0, 0], 12);
  m.set(b.yiaddr ?? [0, 0, 0, 0], 16);
  m.set(b.giaddr ?? [0, 0, 0, 0], 24);
  m.set(b.chaddr ?? [0x00, 0x09, 0xfb, 0x3a, 0x71, 0x07], 28);
  m.set((b.sname ?? []).slice(0, 64), 44);
  m.set((b.file ?? []).slice(0, 128), 108);
  const cookie = b.cookie === null ? [] : (b.cookie ?? COOKIE);
  return Uint8Array.from([...m, ...cookie, ...(b.options ?? [...opt(53, 1), ...END])]);
}

const codesOf = (p: Uint8Array): number[] => decodeDhcp(p).value.options.map((o) => o.code);

describeShared('decodeDhcp on real captures', () => {
  it('DISCOVER with requested IP and host name (zeek dhcp.pcap #1)', async () => {
    const { value, anomalies } = decodeDhcp(await payloadOf('dhcp__dhcp.pcap', 1));
    expect(anomalies).toEqual([]);
    expect(value).toMatchObject({
      headerComplete: true,
      op: 1,
      htype: 1,
      hlen: 6,
      chaddr: '90:b1:1c:99:49:29',
      chaddrIsMac: true,
      giaddr: '0.0.0.0',
      magicCookie: true,
      messageType: 1,
      messageTypeName: 'DISCOVER',
      requestedIp: '192.168.211.194',
      hostname: 'btest.is.cool',
    });
    expect(value.options.map((o) => o.code)).toEqual([53, 50, 12]);
    expect(value.options.every((o) => o.area === 'options')).toBe(true);
  });

  it('OFFER with vendor class, lease time, server id and a non-TLV option 43 (zeek dhcp.pcap #2)', async () => {
    const { value, anomalies } = decodeDhcp(await payloadOf('dhcp__dhcp.pcap', 2));
    expect(anomalies).toEqual([]);
    expect(value).toMatchObject({
      op: 2,
      yiaddr: '128.2.6.97',
      siaddr: '172.19.230.7',
      messageTypeName: 'OFFER',
      leaseTime: 900,
      serverId: '128.2.6.152',
      vendorClass: 'ArubaAP',
    });
    // "172.18.6.37" as text: '1' = code 0x31, '7' = length 55 overruns, so no TLVs.
    expect(toHex(value.vendorSpecific?.data ?? new Uint8Array())).toBe('3137322e31382e362e3337');
    expect(value.vendorSpecific?.tlvs).toBeUndefined();
  });

  it('NAK carries its option 56 message (zeek dhcp.pcap #4)', async () => {
    const { value } = decodeDhcp(await payloadOf('dhcp__dhcp.pcap', 4));
    expect(value.messageTypeName).toBe('NAK');
    expect(value.message).toBe('requested address not available');
    expect(value.options.map((o) => o.code)).toEqual([53, 54, 56]);
  });

  it('option 82 circuit id, remote id and subscriber id (zeek ACK)', async () => {
    const { value, anomalies } = decodeDhcp(await payloadOf('dhcp__dhcp_ack_subscriber_id_and_agent_remote_id.pcap', 1));
    expect(anomalies).toEqual([]);
    const relay = value.relayAgentInfo;
    expect(relay?.subOptions.map((s) => [s.code, toHex(s.data)])).toEqual([
      [1, '74686973206973206f6e6c79206120746573742e2e2e'],
      [2, '13'],
      [6, '2d73756249442d'],
    ]);
    expect(relay?.circuitId?.text).toBe('this is only a test...');
    expect(relay?.circuitId?.cisco).toBeUndefined();
    expect(relay?.remoteId?.hex).toBe('13');
    expect(relay?.remoteId?.text).toBeUndefined(); // 0x13 is not printable
    expect(relay?.subscriberId).toBe('-subID-');
    expect(value.leaseTime).toBe(3600);
  });

  it('client id (type 1 + MAC) and parameter request list order (zeek discover)', async () => {
    const { value } = decodeDhcp(await payloadOf('dhcp__dhcp_discover_param_req_and_client_id.pcap', 1));
    expect(value.clientId?.type).toBe(1);
    expect(value.clientId?.hex).toBe('01:00:0b:82:01:fc:42');
    expect(toHex(value.clientId?.data ?? new Uint8Array())).toBe('000b8201fc42');
    expect(value.parameterRequestList).toEqual([1, 3, 6, 42]);
    expect(value.hostname).toBe('test0000');
  });

  it('client id type 0 (Cisco router text id) and max message size (zeek hw-type0)', async () => {
    const { value } = decodeDhcp(await payloadOf('dhcp__hw-type0.pcap', 1));
    expect(value.clientId?.type).toBe(0);
    expect(new TextDecoder().decode(value.clientId?.data)).toBe('cisco-cc00.0ac4.0000-Fa0/0');
    expect(value.maxMessageSize).toBe(1152);
    expect(value.ciaddr).toBe('192.168.0.3');
    expect(value.parameterRequestList).toEqual([1, 6, 15, 44, 3, 33, 150, 43]);
  });

  it('relayed REQUEST: hops, giaddr, dhcpcd vendor class (tcpdump dhcp-mud)', async () => {
    const { value, anomalies } = decodeDhcp(await payloadOf('dhcp-mud.pcap', 1));
    expect(anomalies).toEqual([]);
    expect(value.hops).toBeGreaterThan(0);
    expect(value.giaddr).toBe('62.12.173.121');
    expect(value.ciaddr).toBe('62.12.173.123');
    expect(value.vendorClass).toBe('dhcpcd-6.11.5:Linux-4.1.18-v7+:armv7l:BCM2709');
    expect(value.options.map((o) => o.code)).toEqual([53, 61, 57, 161, 60, 12, 145, 55]);
    // Option 161 (MUD URL) is kept raw.
    expect(new TextDecoder().decode(value.options[3]?.data)).toMatch(/^https:\/\//);
  });

  it('lease query message names (tcpdump dhcp-rfc4388 #9 and #10)', async () => {
    expect(decodeDhcp(await payloadOf('dhcp-rfc4388.pcap', 9)).value.messageTypeName).toBe('LEASEQUERY');
    expect(decodeDhcp(await payloadOf('dhcp-rfc4388.pcap', 10)).value.messageTypeName).toBe('LEASEACTIVE');
  });

  it('a shifted message has a bad magic cookie and no options (tcpdump dhcp-rfc4388 #43)', async () => {
    const { value, anomalies } = decodeDhcp(await payloadOf('dhcp-rfc4388.pcap', 43));
    expect(anomalies).toEqual(['dhcp.bad_magic']);
    expect(value.magicCookie).toBe(false);
    expect(value.options).toEqual([]);
    expect(value.giaddr).toBe('10.30.1.1');
  });
});

describe('decodeDhcp typed options (synthesised)', () => {
  it('chaddr is hex of hlen bytes when not Ethernet', () => {
    const { value } = decodeDhcp(message({ htype: 6, hlen: 8, chaddr: [1, 2, 3, 4, 5, 6, 7, 8] }));
    expect(value.chaddr).toBe('0102030405060708');
    expect(value.chaddrIsMac).toBe(false);
  });

  it('plain BOOTP header without a cookie is not an anomaly', () => {
    const { value, anomalies } = decodeDhcp(message({ cookie: null, options: [] }));
    expect(anomalies).toEqual([]);
    expect(value.magicCookie).toBe(false);
    expect(value.headerComplete).toBe(true);
  });

  it('sname and file are text up to the first NUL when not overloaded', () => {
    const { value } = decodeDhcp(message({ sname: ascii('tftp.example'), file: [...ascii('boot/pxe.0'), 0, 0x41] }));
    expect(value.sname).toBe('tftp.example');
    expect(value.file).toBe('boot/pxe.0');
  });

  it('option overload: options, then file, then sname (RFC 2131 §4.1)', () => {
    const p = message({
      sname: [...opt(12, ...ascii('host')), ...END],
      file: [...opt(60, ...ascii('vendor')), 0, 0, ...END],
      options: [...opt(53, 1), ...opt(52, 3), ...opt(55, 1, 3), ...END],
    });
    const { value, anomalies } = decodeDhcp(p);
    expect(anomalies).toEqual([]);
    expect(value.options.map((o) => [o.code, o.area])).toEqual([
      [53, 'options'],
      [52, 'options'],
      [55, 'options'],
      [60, 'file'],
      [12, 'sname'],
    ]);
    expect(value.overload).toBe(3);
    expect(value.hostname).toBe('host');
    expect(value.vendorClass).toBe('vendor');
    expect(value.sname).toBe('');
    expect(value.file).toBe('');
  });

  it('overload 1 reads only file; sname stays text', () => {
    const p = message({ sname: ascii('srv'), file: [...opt(12, ...ascii('h')), ...END], options: [...opt(52, 1), ...END] });
    const { value } = decodeDhcp(p);
    expect(value.options.map((o) => o.area)).toEqual(['options', 'file']);
    expect(value.sname).toBe('srv');
  });

  it('repeated options are concatenated for typed fields (RFC 3396), kept apart raw', () => {
    const { value } = decodeDhcp(message({ options: [...opt(12, ...ascii('long-')), ...opt(55, 1, 3), ...opt(12, ...ascii('name')), ...END] }));
    expect(value.hostname).toBe('long-name');
    expect(value.options.map((o) => o.code)).toEqual([12, 55, 12]);
  });

  it('pad options are skipped and not listed', () => {
    expect(codesOf(message({ options: [0, 0, ...opt(53, 3), 0, ...opt(50, 10, 0, 0, 9), ...END, 0, 0] }))).toEqual([53, 50]);
  });

  it('unknown message type keeps the number without a name', () => {
    const { value } = decodeDhcp(message({ options: [...opt(53, 200), ...END] }));
    expect(value.messageType).toBe(200);
    expect(value.messageTypeName).toBeUndefined();
  });

  it('option 81 in canonical wire encoding (E flag)', () => {
    const name = [4, ...ascii('mon7'), 3, ...ascii('icu'), 7, ...ascii('example'), 0];
    const { value, anomalies } = decodeDhcp(message({ options: [...opt(81, 0x05, 0, 0, ...name), ...END] }));
    expect(anomalies).toEqual([]);
    expect(value.clientFqdn).toEqual({ flags: 5, rcode1: 0, rcode2: 0, encoding: 'wire', name: 'mon7.icu.example', fullyQualified: true });
  });

  it('option 81 partial wire name (no root label)', () => {
    const { value } = decodeDhcp(message({ options: [...opt(81, 0x04, 0, 0, 4, ...ascii('mon7')), ...END] }));
    expect(value.clientFqdn?.name).toBe('mon7');
    expect(value.clientFqdn?.fullyQualified).toBe(false);
  });

  it('option 81 deprecated ASCII encoding', () => {
    const { value } = decodeDhcp(message({ options: [...opt(81, 0x01, 255, 255, ...ascii('pump3.example.org.')), ...END] }));
    expect(value.clientFqdn).toMatchObject({ flags: 1, rcode1: 255, rcode2: 255, encoding: 'ascii', name: 'pump3.example.org' });
  });

  it('option 82: Cisco binary circuit id and MAC remote id', () => {
    const circuit = [0, 4, 0x00, 0x14, 0x01, 0x03]; // VLAN 20, module 1, port 3
    const remote = [0, 6, 0x00, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f];
    const { value, anomalies } = decodeDhcp(message({ giaddr: [10, 0, 20, 1], options: [...opt(82, ...opt(1, ...circuit), ...opt(2, ...remote)), ...END] }));
    expect(anomalies).toEqual([]);
    const relay = value.relayAgentInfo;
    expect(relay?.circuitId).toMatchObject({ hex: '000400140103', cisco: { vlan: 20, module: 1, port: 3 } });
    expect(relay?.circuitId?.text).toBeUndefined();
    expect(relay?.remoteId?.mac).toBe('00:1b:2c:3d:4e:5f');
  });

  it('option 82: text circuit ids, link selection, server override, VSS, unknown kept raw', () => {
    const sub = [
      ...opt(1, ...ascii('Gi1/0/3')),
      ...opt(2, ...ascii('ICU-ACCESS-SW01')),
      ...opt(5, 10, 20, 0, 0),
      ...opt(6, ...ascii('ward-7')),
      ...opt(11, 10, 0, 0, 5),
      ...opt(151, 1, 0xaa),
      ...opt(152),
      ...opt(9, 0, 0, 0, 9),
    ];
    const relay = decodeDhcp(message({ options: [...opt(82, ...sub), ...END] })).value.relayAgentInfo;
    expect(relay?.circuitId?.text).toBe('Gi1/0/3');
    expect(relay?.circuitId?.hex).toBe(toHex(Uint8Array.from(ascii('Gi1/0/3'))));
    expect(relay?.remoteId?.text).toBe('ICU-ACCESS-SW01');
    expect(relay?.linkSelection).toBe('10.20.0.0');
    expect(relay?.subscriberId).toBe('ward-7');
    expect(relay?.serverIdOverride).toBe('10.0.0.5');
    expect(toHex(relay?.vss ?? new Uint8Array())).toBe('01aa');
    expect(relay?.vssControl).toBe(true);
    expect(relay?.subOptions.map((s) => s.code)).toEqual([1, 2, 5, 6, 11, 151, 152, 9]);
  });

  it('option 43 that parses as encapsulated options yields TLVs', () => {
    const { value } = decodeDhcp(message({ options: [...opt(43, ...opt(1, 0xc0, 0xa8, 0, 1), ...opt(2, ...ascii('x')), 255), ...END] }));
    expect(value.vendorSpecific?.tlvs?.map((t) => [t.code, toHex(t.data)])).toEqual([
      [1, 'c0a80001'],
      [2, '78'],
    ]);
  });

  it('a lowered maxOptions knob stops after that many options', () => {
    const options = [...opt(53, 1), ...opt(12, 65), ...opt(60, 66), ...opt(55, 1), ...END];
    const { value, anomalies } = decodeDhcp(message({ options }), { ...DHCP_LIMITS, maxOptions: 2 });
    expect(value.options.map((o) => o.code)).toEqual([53, 12]);
    expect(anomalies).toEqual(['dhcp.too_many_options']);
  });

  it('maxOptions counts over overloaded fields and is reported once', () => {
    const p = message({
      file: [...opt(12, 65), ...END],
      sname: [...opt(60, 66), ...END],
      options: [...opt(53, 1), ...opt(52, 3), ...END],
    });
    const { value, anomalies } = decodeDhcp(p, { ...DHCP_LIMITS, maxOptions: 2 });
    expect(value.options.map((o) => o.code)).toEqual([53, 52]);
    expect(anomalies).toEqual(['dhcp.too_many_options']);
  });
});

/** One synthesised input per anomaly code, and what else must hold. */
const ANOMALY_CASES: Record<DhcpAnomaly, () => void> = {
  'dhcp.truncated_header': () => {
    const full = message();
    const { value, anomalies } = decodeDhcp(full.subarray(0, 100));
    expect(anomalies).toEqual(['dhcp.truncated_header']);
    expect(value.headerComplete).toBe(false);
    expect(value.chaddr).toBe('00:09:fb:3a:71:07'); // chaddr (bytes 28–43) was complete
    expect(value.options).toEqual([]);
  },
  'dhcp.bad_op': () => {
    expect(decodeDhcp(message({ op: 3 })).anomalies).toEqual(['dhcp.bad_op']);
  },
  'dhcp.bad_hlen': () => {
    const { value, anomalies } = decodeDhcp(message({ htype: 1, hlen: 17 }));
    expect(anomalies).toEqual(['dhcp.bad_hlen']);
    expect(value.chaddr).toHaveLength(32); // 16 bytes of hex, never more
  },
  'dhcp.missing_magic': () => {
    expect(decodeDhcp(message({ cookie: [99, 130], options: [] })).anomalies).toEqual(['dhcp.missing_magic']);
  },
  'dhcp.bad_magic': () => {
    const { value, anomalies } = decodeDhcp(message({ cookie: [99, 130, 83, 98] }));
    expect(anomalies).toEqual(['dhcp.bad_magic']);
    expect(value.options).toEqual([]);
    expect(value.messageType).toBeUndefined();
  },
  'dhcp.option_truncated': () => {
    // Data runs past the end: the option is dropped, the ones before it kept.
    const a = decodeDhcp(message({ options: [...opt(53, 1), 12, 10, 65, 66] }));
    expect(a.anomalies).toEqual(['dhcp.option_truncated']);
    expect(a.value.options.map((o) => o.code)).toEqual([53]);
    // The length byte itself is missing.
    expect(decodeDhcp(message({ options: [...opt(53, 1), 12] })).anomalies).toEqual(['dhcp.option_truncated']);
  },
  'dhcp.missing_end': () => {
    const { value, anomalies } = decodeDhcp(message({ options: [...opt(53, 1), ...opt(55, 1, 3)] }));
    expect(anomalies).toEqual(['dhcp.missing_end']);
    expect(value.parameterRequestList).toEqual([1, 3]);
  },
  'dhcp.bad_option_length': () => {
    const { value, anomalies } = decodeDhcp(message({ options: [...opt(53, 1), ...opt(50, 10, 0, 0), ...END] }));
    expect(anomalies).toEqual(['dhcp.bad_option_length']);
    expect(value.requestedIp).toBeUndefined();
    expect(value.options.map((o) => o.code)).toEqual([53, 50]); // kept raw all the same
  },
  'dhcp.too_many_options': () => {
    const options = [...Array.from({ length: 300 }, () => opt(200)).flat(), ...END];
    const { value, anomalies } = decodeDhcp(message({ options }));
    expect(anomalies).toEqual(['dhcp.too_many_options']);
    expect(value.options).toHaveLength(DHCP_LIMITS.maxOptions);
  },
  'dhcp.overload_loop': () => {
    const p = message({ file: [...opt(52, 3), ...opt(12, 65), ...END], options: [...opt(52, 1), ...END] });
    const { value, anomalies } = decodeDhcp(p);
    expect(anomalies).toEqual(['dhcp.overload_loop']);
    expect(value.overload).toBe(1); // the nested 52 is ignored: sname is not read as options
    expect(value.options.map((o) => [o.code, o.area])).toEqual([
      [52, 'options'],
      [52, 'file'],
      [12, 'file'],
    ]);
  },
  'dhcp.bad_overload_value': () => {
    const { value, anomalies } = decodeDhcp(message({ file: [...opt(12, 65), ...END], options: [...opt(52, 4), ...END] }));
    expect(anomalies).toEqual(['dhcp.bad_overload_value']);
    expect(value.overload).toBeUndefined();
    expect(value.hostname).toBeUndefined();
  },
  'dhcp.relay_suboption_truncated': () => {
    const { value, anomalies } = decodeDhcp(message({ options: [...opt(82, ...opt(1, 65, 66), 2, 9, 1), ...END] }));
    expect(anomalies).toEqual(['dhcp.relay_suboption_truncated']);
    expect(value.relayAgentInfo?.circuitId?.text).toBe('AB');
    expect(value.relayAgentInfo?.remoteId).toBeUndefined();
  },
  'dhcp.too_many_relay_suboptions': () => {
    const sub = Array.from({ length: 10 }, (_, i) => opt(100 + i)).flat();
    const { value, anomalies } = decodeDhcp(message({ options: [...opt(82, ...sub), ...END] }), { ...DHCP_LIMITS, maxSubOptions: 4 });
    expect(anomalies).toEqual(['dhcp.too_many_relay_suboptions']);
    expect(value.relayAgentInfo?.subOptions).toHaveLength(4);
  },
  'dhcp.bad_fqdn': () => {
    // Compression pointer (0xc0) is not allowed in option 81 (RFC 4702 §2.1).
    const { value, anomalies } = decodeDhcp(message({ options: [...opt(81, 0x04, 0, 0, 3, ...ascii('abc'), 0xc0, 0x0c), ...END] }));
    expect(anomalies).toEqual(['dhcp.bad_fqdn']);
    expect(value.clientFqdn?.name).toBe('abc');
  },
};

describe('decodeDhcp anomalies: one synthesised case per code', () => {
  it('every code in DHCP_ANOMALIES has a case', () => {
    expect(Object.keys(ANOMALY_CASES).sort()).toEqual([...DHCP_ANOMALIES].sort());
  });
  for (const [code, check] of Object.entries(ANOMALY_CASES)) it(code, check);
});
