import { describe, expect, it } from 'vitest';
import { decodeDhcp } from '../../../../src/protocols/dhcp/dhcp.js';
import type { FrameRecord } from '../../../../src/decode/frame-record.js';
import type { Observation } from '../../../../src/observe/observation.js';
import { observeDhcp } from '../../../../src/protocols/dhcp/dhcp-observe.js';
import { readFrames } from '../../../helpers/frames.js';
import { conformancePath, describeShared } from '../../../helpers/conformance.js';


async function frameOf(file: string, frameNo: number): Promise<FrameRecord> {
  const frame = (await readFrames(conformancePath(file))).find((f) => f.frameNo === frameNo);
  if (frame === undefined) throw new Error(`${file}#${frameNo}: no such frame`);
  return frame;
}

async function observe(file: string, frameNo: number): Promise<Observation[]> {
  const frame = await frameOf(file, frameNo);
  return observeDhcp(decodeDhcp(frame.payload).value, frame);
}

/** field → value, failing if a field appears twice. */
function fields(obs: Observation[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of obs) {
    expect(out[o.field], `duplicate ${o.field}`).toBeUndefined();
    out[o.field] = o.value;
  }
  return out;
}

// ---- synthesised messages in synthesised frames ----

const CLIENT_MAC = [0x00, 0x09, 0xfb, 0x3a, 0x71, 0x07];
const opt = (code: number, ...bytes: number[]): number[] => [code, bytes.length, ...bytes];
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

function message(b: { op: number; ciaddr?: number[]; yiaddr?: number[]; giaddr?: number[]; htype?: number; chaddr?: number[]; options: number[] }): Uint8Array {
  const m = new Uint8Array(236);
  m[0] = b.op;
  m[1] = b.htype ?? 1;
  m[2] = 6;
  m.set(b.ciaddr ?? [0, 0, 0, 0], 12);
  m.set(b.yiaddr ?? [0, 0, 0, 0], 16);
  m.set(b.giaddr ?? [0, 0, 0, 0], 24);
  m.set(b.chaddr ?? CLIENT_MAC, 28);
  return Uint8Array.from([...m, 99, 130, 83, 99, ...b.options, 255]);
}

function frame(payload: Uint8Array, over: Partial<FrameRecord> = {}): FrameRecord {
  return {
    frameNo: 7,
    tsMicros: 1_700_000_000_000_000,
    srcMac: '00:00:5e:00:01:01',
    dstMac: 'ff:ff:ff:ff:ff:ff',
    vlanTags: [{ tpid: 0x8100, vid: 20, pcp: 0, dei: false }],
    ethertype: 0x0800,
    ip: { version: 4, src: '10.0.20.1', dst: '10.9.9.9', protocol: 17, ttl: 64, fragment: false },
    udp: { srcPort: 67, dstPort: 67, length: payload.length + 8 },
    payloadKind: 'udp',
    payload,
    ...over,
  };
}

const run = (payload: Uint8Array, over: Partial<FrameRecord> = {}): Observation[] =>
  observeDhcp(decodeDhcp(payload).value, frame(payload, over));

describeShared('observeDhcp on real captures', () => {
  it('DISCOVER: client fingerprint facts about chaddr (zeek discover)', async () => {
    const obs = await observe('dhcp__dhcp_discover_param_req_and_client_id.pcap', 1);
    expect(fields(obs)).toEqual({
      'dhcp.message_type': 'DISCOVER',
      'dhcp.hostname': 'test0000',
      'dhcp.requested_ip': '208.67.222.222',
      'dhcp.client_id': '01:00:0b:82:01:fc:42',
      'dhcp.prl': '1,3,6,42',
      'dhcp.options': '53,61,50,55,12',
    });
    for (const o of obs) {
      expect(o).toMatchObject({ mac: '00:0b:82:01:fc:42', protocol: 'dhcp', frame: 1 });
      expect(o.ip).toBeUndefined();
      expect(o.vlan).toBeUndefined(); // untagged frame
    }
  });

  it('ACK with option 82: assigned IP, binding, relay facts (zeek ACK)', async () => {
    const obs = await observe('dhcp__dhcp_ack_subscriber_id_and_agent_remote_id.pcap', 1);
    expect(fields(obs)).toEqual({
      'dhcp.server_id': '10.10.0.1',
      'dhcp.assigned_ip': '192.168.0.10',
      'ip.address': '192.168.0.10',
      'dhcp.relay.circuit_id': 'this is only a test...',
      'dhcp.relay.circuit_id_hex': '74686973206973206f6e6c79206120746573742e2e2e',
      'dhcp.relay.remote_id': '13',
      'dhcp.relay.remote_id_hex': '13',
      'dhcp.relay.subscriber_id': '-subID-',
    });
    // The frame came from the server (00:0a:28:00:fa:41); the facts are about the client.
    expect(obs.every((o) => o.mac === '00:0a:28:00:fa:42')).toBe(true);
    expect(obs.find((o) => o.field === 'ip.address')?.ip).toBe('192.168.0.10');
  });

  it('OFFER binds nothing (zeek dhcp.pcap #2)', async () => {
    const obs = await observe('dhcp__dhcp.pcap', 2);
    expect(fields(obs)).toEqual({ 'dhcp.server_id': '128.2.6.152' });
  });

  it('relayed REQUEST: agent IP, ciaddr binding, vendor class, no frame VLAN/IP (tcpdump dhcp-mud)', async () => {
    const obs = await observe('dhcp-mud.pcap', 1);
    const f = fields(obs);
    expect(f).toMatchObject({
      'dhcp.message_type': 'REQUEST',
      'dhcp.vendor_class': 'dhcpcd-6.11.5:Linux-4.1.18-v7+:armv7l:BCM2709',
      'dhcp.hostname': 'raspberrypi',
      'dhcp.client_id': '01:b8:27:eb:b8:53:c8',
      'dhcp.options': '53,61,57,161,60,12,145,55',
      'dhcp.prl': '1,121,33,3,6,12,15,28,42,51,54,58,59,100,101,119',
      'dhcp.relay.agent_ip': '62.12.173.121',
      'ip.address': '62.12.173.123',
    });
    expect(Number(f['dhcp.max_message_size'])).toBeGreaterThan(0);
    expect(obs.every((o) => o.mac === 'b8:27:eb:b8:53:c8')).toBe(true);
    // The frame's source (the relay, 62.12.173.121) is never bound to the client.
    expect(obs.some((o) => o.ip === '62.12.173.121' && o.field === 'ip.address')).toBe(false);
  });

  it('lease query traffic gives nothing (tcpdump dhcp-rfc4388 #9, #10)', async () => {
    expect(await observe('dhcp-rfc4388.pcap', 9)).toEqual([]);
    expect(await observe('dhcp-rfc4388.pcap', 10)).toEqual([]);
  });
});

describe('observeDhcp rules (synthesised)', () => {
  it('unrelayed client message carries the frame outer VLAN', () => {
    const obs = run(message({ op: 1, options: [...opt(53, 1), ...opt(12, ...ascii('pump3'))] }));
    expect(obs.map((o) => [o.field, o.value, o.vlan, o.mac])).toEqual([
      ['dhcp.message_type', 'DISCOVER', 20, '00:09:fb:3a:71:07'],
      ['dhcp.hostname', 'pump3', 20, '00:09:fb:3a:71:07'],
      ['dhcp.options', '53,12', 20, '00:09:fb:3a:71:07'],
    ]);
    expect(obs[0]).toMatchObject({ ts: 1_700_000_000_000_000, frame: 7, protocol: 'dhcp' });
  });

  it('relayed message: no VLAN, agent IP, Cisco circuit id parts', () => {
    const circuit = opt(1, 0, 4, 0x00, 0x14, 0x01, 0x03);
    const remote = opt(2, 0, 6, 0x00, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f);
    const obs = run(message({ op: 1, giaddr: [10, 0, 20, 1], options: [...opt(53, 3), ...opt(82, ...circuit, ...remote, ...opt(5, 10, 0, 20, 0))] }));
    expect(obs.every((o) => o.vlan === undefined)).toBe(true);
    expect(fields(obs)).toMatchObject({
      'dhcp.relay.agent_ip': '10.0.20.1',
      'dhcp.relay.circuit_id': '000400140103',
      'dhcp.relay.circuit_id_hex': '000400140103',
      'dhcp.relay.circuit_vlan': '20',
      'dhcp.relay.circuit_module': '1',
      'dhcp.relay.circuit_port': '3',
      'dhcp.relay.remote_id_hex': '0006001b2c3d4e5f',
      'dhcp.relay.remote_id_mac': '00:1b:2c:3d:4e:5f',
      'dhcp.relay.link_selection': '10.0.20.0',
    });
  });

  it('client FQDN, vendor specific and max message size', () => {
    const name = [4, ...ascii('mon7'), 3, ...ascii('icu'), 0];
    const f = fields(run(message({ op: 1, options: [...opt(53, 8), ...opt(81, 4, 0, 0, ...name), ...opt(43, 1, 1, 9), ...opt(57, 0x05, 0xdc)] })));
    expect(f['dhcp.fqdn']).toBe('mon7.icu');
    expect(f['dhcp.vendor_specific']).toBe('010109');
    expect(f['dhcp.max_message_size']).toBe('1500');
  });

  it('INFORM/REQUEST with ciaddr bind it; DISCOVER with ciaddr does not', () => {
    const inform = run(message({ op: 1, ciaddr: [10, 0, 20, 33], options: opt(53, 8) }));
    expect(inform.filter((o) => o.field === 'ip.address').map((o) => [o.value, o.ip, o.mac])).toEqual([['10.0.20.33', '10.0.20.33', '00:09:fb:3a:71:07']]);
    const discover = run(message({ op: 1, ciaddr: [10, 0, 20, 33], options: opt(53, 1) }));
    expect(discover.some((o) => o.field === 'ip.address')).toBe(false);
  });

  it('server messages give no client fingerprint fields even if they carry them', () => {
    const obs = run(message({ op: 2, yiaddr: [10, 0, 20, 40], options: [...opt(53, 5), ...opt(54, 10, 0, 0, 1), ...opt(60, ...ascii('srv')), ...opt(12, ...ascii('x'))] }));
    expect(fields(obs)).toEqual({ 'dhcp.server_id': '10.0.0.1', 'dhcp.assigned_ip': '10.0.20.40', 'ip.address': '10.0.20.40' });
  });

  it('a server-side option 53 in a BOOTREQUEST is not a client message', () => {
    expect(run(message({ op: 1, options: opt(53, 5) }))).toEqual([]);
  });

  it('plain BOOTP reply binds yiaddr', () => {
    const obs = run(message({ op: 2, yiaddr: [10, 0, 20, 41], options: [] }));
    expect(fields(obs)).toEqual({ 'dhcp.assigned_ip': '10.0.20.41', 'ip.address': '10.0.20.41' });
  });

  it('no device key, no facts: non-Ethernet chaddr, zero chaddr, truncated header', () => {
    expect(run(message({ op: 1, htype: 6, options: opt(53, 1) }))).toEqual([]);
    expect(run(message({ op: 1, chaddr: [0, 0, 0, 0, 0, 0], options: opt(53, 1) }))).toEqual([]);
    expect(run(message({ op: 1, options: opt(53, 1) }).subarray(0, 200))).toEqual([]);
  });

  it('non-printable remote id is reported as hex', () => {
    const obs = run(message({ op: 1, options: [...opt(53, 1), ...opt(82, ...opt(2, 0x01, 0xff))] }));
    expect(fields(obs)['dhcp.relay.remote_id']).toBe('01ff');
  });
});
