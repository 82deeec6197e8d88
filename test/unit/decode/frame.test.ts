/**
 * decodeFrame on real captures (tshark 4.0.17 as the oracle) and one synthesised frame per
 * anomaly code in FRAME_ANOMALIES.
 *
 * Captures: the shared material's captures (test/helpers/conformance.ts; skipped with the reason
 * where ../shared is absent) and this project's fixtures/conformance/link/lab/. The lab/ captures were
 * made for this test in two empty network namespaces (lab/make-link-captures.sh): the same
 * traffic as Ethernet (veth), Linux SLL, Linux SLL2 and, via `editcap -T rawip`, raw IP. Each
 * lab capture has a `.tshark.tsv` written by tshark with reassembly off; every frame is checked
 * against it. BSD NULL/LOOP frames are the raw IP frames behind a synthesised 4-byte family.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { LINKTYPE, type CapturedFrame } from '../../../src/capture/captured-frame.js';
import { FRAME_ANOMALIES, FRAME_LIMITS, TUNNEL_LINKTYPE, decodeFrame, type FrameLimits } from '../../../src/decode/frame.js';
import type { FrameRecord } from '../../../src/decode/frame-record.js';
import { MAX_IPV6_EXTENSION_HEADERS } from '../../../src/decode/net/ip.js';
import type { AnomalyCode } from '../../../src/decode/result.js';
import { readCapturedFrames } from '../../helpers/frames.js';
import { conformancePath, describeShared, itShared } from '../../helpers/conformance.js';

const LAB = fileURLToPath(new URL('../../../fixtures/conformance/link/lab/', import.meta.url));

const captures = new Map<string, CapturedFrame[]>();
async function load(path: string): Promise<CapturedFrame[]> {
  let frames = captures.get(path);
  if (!frames) {
    frames = await readCapturedFrames(path);
    captures.set(path, frames);
  }
  return frames;
}

/** Frame `n` (1-based, as tshark numbers them) of a capture, decoded. */
async function decoded(path: string, n: number): Promise<{ value: FrameRecord; anomalies: AnomalyCode[] }> {
  const frame = (await load(path))[n - 1];
  if (!frame) throw new Error(`no frame ${n} in ${path}`);
  return decodeFrame(frame);
}

/** The rows of a `tshark -T fields -E header=y` file, keyed by field name. */
function readTsv(path: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const names = (head ?? '').split('\t');
  return rows.map((row) => {
    const cells = row.split('\t');
    return Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']));
  });
}

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const LAB_TEXT = 'auscult-lab '.repeat(300);

describe('decodeFrame on the lab captures, frame by frame against tshark', () => {
  const LAB_FILES = [
    { file: 'lab-veth-ethernet.pcap', linkType: LINKTYPE.ETHERNET, frames: 28, macField: 'eth.src' },
    { file: 'lab-any-sll.pcap', linkType: LINKTYPE.LINUX_SLL, frames: 29, macField: 'sll.src.eth' },
    { file: 'lab-any-sll2.pcap', linkType: LINKTYPE.LINUX_SLL2, frames: 29, macField: 'sll.src.eth' },
    { file: 'lab-rawip.pcap', linkType: LINKTYPE.RAW, frames: 29, macField: undefined },
  ] as const;

  for (const { file, linkType, frames: count, macField } of LAB_FILES) {
    it(`${file}: every frame's MAC, ARP, IP, fragment, option and port fields equal tshark's`, async () => {
      const frames = await load(LAB + file);
      const rows = readTsv(`${LAB}${file}.tshark.tsv`);
      expect(frames).toHaveLength(count);
      expect(rows).toHaveLength(count);
      for (const [i, c] of frames.entries()) {
        const row = rows[i] ?? {};
        const { value: f, anomalies } = decodeFrame(c);
        const at = `${file} frame ${row['frame.number']}`;
        expect(c.linkType, at).toBe(linkType);
        // Clean traffic: no anomaly at all (first fragments included, see the UDP fragment test).
        expect(anomalies, at).toEqual([]);
        expect(f.srcMac, at).toBe(macField === undefined ? undefined : row[macField]);
        // Raw IP has no ARP: tshark shows those two frames as "Raw packet data", and so do we.
        expect(f.arp?.senderIp ?? '', at).toBe(linkType === LINKTYPE.RAW ? '' : row['arp.src.proto_ipv4']);
        const v4 = row['ip.src'] !== '';
        const v6 = row['ipv6.src'] !== '';
        expect(f.ip?.version, at).toBe(v4 ? 4 : v6 ? 6 : undefined);
        if (v4) {
          expect([f.ip?.src, f.ip?.dst], at).toEqual([row['ip.src'], row['ip.dst']]);
          expect(f.ip?.hasOptions ?? false, at).toBe(Number(row['ip.hdr_len']) > 20);
          expect(f.ip?.fragment, at).toBe(row['ip.flags.mf'] === '1' || row['ip.frag_offset'] !== '0');
        }
        if (v6) {
          expect([f.ip?.src, f.ip?.dst], at).toEqual([row['ipv6.src'], row['ipv6.dst']]);
          expect(f.ip?.fragment, at).toBe(row['ipv6.nxt'] === '44');
        }
        expect(f.udp ? `${f.udp.srcPort}>${f.udp.dstPort}` : '', at).toBe(
          row['udp.srcport'] ? `${row['udp.srcport']}>${row['udp.dstport']}` : '',
        );
        expect(f.tcp ? `${f.tcp.srcPort}>${f.tcp.dstPort}` : '', at).toBe(
          row['tcp.srcport'] ? `${row['tcp.srcport']}>${row['tcp.dstport']}` : '',
        );
        if (f.tcp) expect(f.payload.length, at).toBe(Number(row['tcp.len']));
        expect(f.payloadKind, at).toBe(f.udp ? 'udp' : f.tcp ? 'tcp' : 'none');
      }
    });
  }

  it('Linux SLL: the 16-byte header gives the sender MAC and the protocol type', async () => {
    const { value: f } = await decoded(LAB + 'lab-any-sll.pcap', 2);
    expect(f.srcMac).toBe('02:00:00:00:00:01');
    expect(f.dstMac).toBeUndefined(); // SLL carries one address only
    expect(f.ethertype).toBe(0x0806);
    expect(f.arp).toEqual({
      op: 1,
      senderMac: '02:00:00:00:00:01',
      senderIp: '192.0.2.1',
      targetMac: '00:00:00:00:00:00',
      targetIp: '192.0.2.2',
    });
  });

  it('Linux SLL2: the 20-byte header gives the sender MAC and the protocol type', async () => {
    const { value: f } = await decoded(LAB + 'lab-any-sll2.pcap', 3);
    expect(f.srcMac).toBe('02:00:00:00:00:02');
    expect(f.ethertype).toBe(0x0806);
    expect(f.arp?.op).toBe(2);
    expect(f.arp?.senderIp).toBe('192.0.2.2');
  });

  it('raw IP: the version nibble picks IPv4 or IPv6; no MAC', async () => {
    const v4 = (await decoded(LAB + 'lab-rawip.pcap', 10)).value;
    expect([v4.srcMac, v4.ethertype, v4.ip?.src, v4.udp?.dstPort]).toEqual([undefined, 0x0800, '192.0.2.1', 5000]);
    const v6 = (await decoded(LAB + 'lab-rawip.pcap', 14)).value;
    expect([v6.ethertype, v6.ip?.src, v6.udp?.dstPort]).toEqual([0x86dd, '2001:db8::1', 5000]);
  });

  it('BSD NULL (either byte order) and LOOP: the address family picks IPv4 or IPv6', async () => {
    const raw = await load(LAB + 'lab-rawip.pcap');
    const families: [linkType: number, v4: number[], v6: number[][]][] = [
      [LINKTYPE.NULL, [2, 0, 0, 0], [[24, 0, 0, 0], [28, 0, 0, 0], [30, 0, 0, 0], [10, 0, 0, 0]]], // little-endian host
      [LINKTYPE.NULL, [0, 0, 0, 2], [[0, 0, 0, 24], [0, 0, 0, 28], [0, 0, 0, 30]]], // big-endian host
      [LINKTYPE.LOOP, [0, 0, 0, 2], [[0, 0, 0, 24], [0, 0, 0, 28], [0, 0, 0, 30]]],
    ];
    let checked = 0;
    for (const [linkType, v4Family, v6Families] of families) {
      for (const frame of raw) {
        const expected = decodeFrame(frame).value;
        if (!expected.ip) continue;
        for (const family of expected.ip.version === 4 ? [v4Family] : v6Families) {
          const data = Uint8Array.from([...family, ...frame.data]);
          const { value, anomalies } = decodeFrame({ ...frame, linkType, data });
          expect(anomalies).toEqual([]);
          expect(value.ethertype).toBe(expected.ethertype);
          expect(value.ip).toEqual(expected.ip);
          expect(value.udp).toEqual(expected.udp);
          expect(value.tcp).toEqual(expected.tcp);
          expect(text(value.payload)).toBe(text(expected.payload));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    // An unknown family leaves the frame undecoded past the link header, without an anomaly.
    const frame = raw[9] as CapturedFrame;
    const unknown = decodeFrame({ ...frame, linkType: LINKTYPE.LOOP, data: Uint8Array.from([0, 0, 0, 7, ...frame.data]) });
    expect([unknown.value.ethertype, unknown.value.ip, unknown.anomalies]).toEqual([undefined, undefined, []]);
  });
});

describeShared('decodeFrame on real captures: link layer', () => {
  it('Ethernet II: MACs, ethertype, IPv4, UDP and its payload cut to the UDP length', async () => {
    const { value: f, anomalies } = await decoded(LAB + 'lab-veth-ethernet.pcap', 10);
    expect(anomalies).toEqual([]);
    expect([f.dstMac, f.srcMac, f.ethertype, f.vlanTags]).toEqual(['02:00:00:00:00:02', '02:00:00:00:00:01', 0x0800, []]);
    expect(f.ip).toEqual({ version: 4, src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, ttl: 64, fragment: false });
    expect(f.udp).toEqual({ srcPort: 57612, dstPort: 5000, length: 108 });
    expect(text(f.payload)).toBe(LAB_TEXT.slice(0, 100));
  });

  it('802.3 + LLC/SNAP (CDP): length field bounds the payload, SNAP OUI/PID decoded', async () => {
    for (const n of [1, 2, 3]) {
      const { value: f, anomalies } = await decoded(conformancePath('3560_CDP.pcap'), n);
      expect(anomalies).toEqual([]);
      expect([f.dstMac, f.srcMac]).toEqual(['01:00:0c:cc:cc:cc', '00:19:06:ea:b8:85']);
      expect(f.ethertype).toBeUndefined(); // a length, not a type
      expect(f.llc).toEqual({ dsap: 0xaa, ssap: 0xaa, control: 0x03, snapOui: 0x00000c, snapPid: 0x2000 });
      expect(f.payloadKind).toBe('llc');
      expect(f.payload.length).toBe(386 - 8); // tshark eth.len 386, minus LLC (3) and SNAP (5)
      expect(f.payload[0]).toBe(2); // CDP version 2
    }
  });

  it('802.3 length past the captured end: eth.bad_length, as tshark ("Length field value goes past the end")', async () => {
    for (const name of ['cdp__41.good.small.pcap', 'cdp__46.good.2811.pcap']) {
      const { value: f, anomalies } = await decoded(conformancePath(name), 1);
      expect(anomalies).toEqual(['eth.bad_length']);
      expect(f.llc?.snapPid).toBe(0x2000); // what was captured is still decoded
      expect(f.payloadKind).toBe('llc');
    }
  });

  it('single 802.1Q tag (tshark: vlan.id, vlan.priority, vlan.dei), including the VID 0 priority tag', async () => {
    const cdp = (await decoded(conformancePath('cdp__47.good.vlan.pcap'), 1)).value;
    expect(cdp.vlanTags).toEqual([{ tpid: 0x8100, vid: 1, pcp: 0, dei: false }]);
    expect(cdp.llc?.snapPid).toBe(0x2000); // 802.3 + LLC inside the tag
    const prio = (await decoded(conformancePath('http-vlan-0.pcap'), 1)).value;
    expect(prio.vlanTags).toEqual([{ tpid: 0x8100, vid: 0, pcp: 5, dei: true }]);
    expect([prio.ethertype, prio.ip?.src, prio.tcp?.dstPort]).toEqual([0x0800, '141.142.228.5', 80]);
  });

  it('802.1Q stacks with PCP and DEI per tag (vlan-pcp-dei.pcapng, against tshark)', async () => {
    const double = [
      { tpid: 0x8100, vid: 10, pcp: 7, dei: false },
      { tpid: 0x8100, vid: 20, pcp: 5, dei: true },
    ];
    const single = [{ tpid: 0x8100, vid: 20, pcp: 5, dei: true }];
    const expected = [double, single, [], double, single, [], double, single, []];
    for (const [i, tags] of expected.entries()) {
      const { value: f, anomalies } = await decoded(conformancePath('vlan-pcp-dei.pcapng'), i + 1);
      expect(anomalies).toEqual([]);
      expect(f.vlanTags, `frame ${i + 1}`).toEqual(tags);
      expect(f.ethertype).toBe(0x0800);
    }
  });

  it('QinQ (802.1ad_QinQ.pcap): S-tag 0x88a8 VID 200 outside C-tag 0x8100 VID 2001, then ARP', async () => {
    const stack = [
      { tpid: 0x88a8, vid: 200, pcp: 0, dei: false },
      { tpid: 0x8100, vid: 2001, pcp: 0, dei: false },
    ];
    const first = await decoded(conformancePath('802.1ad_QinQ.pcap'), 1);
    expect(first.anomalies).toEqual([]);
    expect(first.value.vlanTags).toEqual(stack);
    expect(first.value.ethertype).toBe(0x0806);
    expect(first.value.arp).toEqual({
      op: 1,
      senderMac: '00:20:d2:5a:fb:3f',
      senderIp: '172.21.79.97',
      targetMac: '00:00:00:00:00:00',
      targetIp: '172.21.79.100',
    });
    const second = await decoded(conformancePath('802.1ad_QinQ.pcap'), 2);
    expect(second.value.vlanTags).toEqual(stack);
    expect(second.value.arp).toMatchObject({ op: 2, senderMac: '00:80:ea:81:88:63', senderIp: '172.21.79.100' });
  });

  it('three stacked 802.1Q tags (vlan-qinqinq.pcap): outermost first', async () => {
    const { value: f, anomalies } = await decoded(conformancePath('vlan-qinqinq.pcap'), 1);
    expect(anomalies).toEqual([]);
    expect(f.vlanTags.map((t) => [t.tpid, t.vid])).toEqual([
      [0x8100, 30],
      [0x8100, 20],
      [0x8100, 10],
    ]);
    expect([f.ip?.src, f.tcp?.srcPort]).toEqual(['141.142.228.5', 59856]);
  });
});

describeShared('decodeFrame on real captures: network and transport layers', () => {
  it('ARP over Ethernet (lab frame 2: who-has 192.0.2.2)', async () => {
    const { value: f } = await decoded(LAB + 'lab-veth-ethernet.pcap', 2);
    expect(f.dstMac).toBe('ff:ff:ff:ff:ff:ff');
    expect(f.arp).toEqual({
      op: 1,
      senderMac: '02:00:00:00:00:01',
      senderIp: '192.0.2.1',
      targetMac: '00:00:00:00:00:00',
      targetIp: '192.0.2.2',
    });
    expect(f.payloadKind).toBe('none');
  });

  it('IPv4 with options: record route (ping -R, 60-byte header) and router alert (IGMP, 24 bytes)', async () => {
    const rr = (await decoded(LAB + 'lab-veth-ethernet.pcap', 4)).value;
    expect(rr.ip).toEqual({ version: 4, src: '192.0.2.1', dst: '192.0.2.2', protocol: 1, ttl: 64, fragment: false, hasOptions: true });
    for (const n of [5, 8, 16]) {
      const { value: f, anomalies } = await decoded(conformancePath('dns__mdns.pcap'), n);
      expect(anomalies).toEqual([]);
      expect([f.ip?.src, f.ip?.protocol, f.ip?.hasOptions]).toEqual(['10.0.2.7', 2, true]);
    }
    expect((await decoded(LAB + 'lab-veth-ethernet.pcap', 10)).value.ip?.hasOptions).toBeUndefined();
  });

  it('IPv4 fragments: all flagged; the first keeps its UDP header (no udp.truncated), later ones have no UDP', async () => {
    // tshark (reassembly off): frame 11 MF=1 offset 0, frame 12 MF=1 offset 185, frame 13 offset 370.
    const first = await decoded(LAB + 'lab-veth-ethernet.pcap', 11);
    expect(first.anomalies).toEqual([]);
    expect(first.value.ip?.fragment).toBe(true);
    expect(first.value.udp).toEqual({ srcPort: 36726, dstPort: 5000, length: 3008 });
    expect(first.value.payload.length).toBe(1480 - 8);
    expect(text(first.value.payload)).toBe(LAB_TEXT.slice(0, 1472));
    for (const n of [12, 13]) {
      const { value: f, anomalies } = await decoded(LAB + 'lab-veth-ethernet.pcap', n);
      expect(anomalies).toEqual([]);
      expect([f.ip?.fragment, f.ip?.protocol, f.udp, f.payloadKind]).toEqual([true, 17, undefined, 'none']);
    }
  });

  it('IPv6 extension headers: hop-by-hop (MLD) skipped to ICMPv6; fragment header flagged', async () => {
    const mld = await decoded(LAB + 'lab-veth-ethernet.pcap', 1);
    expect(mld.anomalies).toEqual([]);
    expect(mld.value.ip).toEqual({ version: 6, src: 'fe80::ff:fe00:1', dst: 'ff02::16', protocol: 58, ttl: 1, fragment: false });
    const mdnsMld = (await decoded(conformancePath('dns__mdns.pcap'), 6)).value;
    expect([mdnsMld.ip?.src, mdnsMld.ip?.protocol]).toEqual(['fe80::883c:d6ff:fee1:4dc4', 58]);
    // Frames 15-17: one UDP datagram in three fragments; the fragment header says nxt=17.
    const first = await decoded(LAB + 'lab-veth-ethernet.pcap', 15);
    expect(first.anomalies).toEqual([]);
    expect([first.value.ip?.fragment, first.value.ip?.protocol]).toEqual([true, 17]);
    expect(first.value.udp).toEqual({ srcPort: 49442, dstPort: 5000, length: 3008 });
    for (const n of [16, 17]) {
      const { value: f } = await decoded(LAB + 'lab-veth-ethernet.pcap', n);
      expect([f.ip?.fragment, f.ip?.protocol, f.udp, f.payloadKind]).toEqual([true, 17, undefined, 'none']);
    }
  });

  it('UDP over IPv6 with its payload', async () => {
    const { value: f } = await decoded(LAB + 'lab-veth-ethernet.pcap', 14);
    expect(f.ip).toEqual({ version: 6, src: '2001:db8::1', dst: '2001:db8::2', protocol: 17, ttl: 64, fragment: false });
    expect(f.udp).toEqual({ srcPort: 48794, dstPort: 5000, length: 108 });
    expect(text(f.payload)).toBe(LAB_TEXT.slice(0, 100));
  });

  it('TCP: ports, sequence numbers, flags, window and payload after 12 bytes of options', async () => {
    // tshark: tcp.seq_raw 3254377856, tcp.ack_raw 4027559490, flags 0x018, window 63, header 32.
    const { value: f, anomalies } = await decoded(LAB + 'lab-veth-ethernet.pcap', 21);
    expect(anomalies).toEqual([]);
    expect(f.tcp).toEqual({ srcPort: 36254, dstPort: 7000, seq: 3254377856, ack: 4027559490, flags: 0x18, window: 63 });
    expect(f.payloadKind).toBe('tcp');
    expect(text(f.payload)).toBe('hello auscult\n');
    const syn = (await decoded(LAB + 'lab-veth-ethernet.pcap', 18)).value;
    expect([syn.tcp?.flags, syn.payload.length]).toEqual([0x02, 0]); // 40-byte header, options only
  });

  it('Ethernet trailer and padding never reach the payload: the IP, UDP and 802.3 lengths cut them', async () => {
    // dhcp-rfc4388 frame 9 (tshark): cap_len 342, ip.len 310, udp.length 290, 18-byte trailer + FCS.
    const dhcp = await decoded(conformancePath('dhcp-rfc4388.pcap'), 9);
    expect(dhcp.anomalies).toEqual([]);
    expect([dhcp.value.udp?.length, dhcp.value.payload.length]).toEqual([290, 282]);
    // rpvstp frame 1 (DTP): cap_len 60, eth.len 39 → 39 - 3 (LLC) - 5 (SNAP) = 31 bytes.
    const dtp = await decoded(conformancePath('rpvstp-trunk-native-vid5.pcap'), 1);
    expect(dtp.anomalies).toEqual([]);
    expect([dtp.value.llc?.snapPid, dtp.value.payload.length]).toEqual([0x2004, 31]);
  });
});

// ---- Synthesised frames, one per anomaly code --------------------------------------------------

const MAC_A = [2, 0, 0, 0, 0, 0xa];
const MAC_B = [2, 0, 0, 0, 0, 0xb];

function frame(data: number[] | Uint8Array, linkType: number = LINKTYPE.ETHERNET): CapturedFrame {
  const bytes = Uint8Array.from(data);
  return { frameNo: 1, tsMicros: 0, linkType, originalLength: bytes.length, data: bytes };
}

const u16 = (v: number) => [v >> 8, v & 0xff];
const ether = (type: number, body: number[]) => [...MAC_B, ...MAC_A, ...u16(type), ...body];
const tag = (tpid: number, vid: number) => [...u16(tpid), ...u16(vid)];

interface Ipv4Options {
  ihlWords?: number;
  totalLength?: number;
  protocol?: number;
}
function ipv4(body: number[], { ihlWords = 5, totalLength, protocol = 17 }: Ipv4Options = {}): number[] {
  const header = [0x40 | ihlWords, 0, ...u16(totalLength ?? 20 + body.length), 0, 1, 0, 0, 64, protocol, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2];
  return [...header, ...body];
}
function ipv6(body: number[], next = 17): number[] {
  const addr = (last: number) => [0x20, 0x01, 0x0d, 0xb8, ...Array<number>(11).fill(0), last];
  return [0x60, 0, 0, 0, ...u16(body.length), next, 64, ...addr(1), ...addr(2), ...body];
}
function udp(payload: number[], length = 8 + payload.length): number[] {
  return [...u16(5353), ...u16(5353), ...u16(length), 0, 0, ...payload];
}
function tcp(payload: number[], offsetWords = 5): number[] {
  return [...u16(40000), ...u16(80), 0, 0, 0, 1, 0, 0, 0, 0, (offsetWords << 4), 0x18, ...u16(512), 0, 0, 0, 0, ...payload];
}

type FrameAnomaly = (typeof FRAME_ANOMALIES)[number];

/** Each code: a frame that must yield it (alone), and what the partial record must still hold. */
/** A UDP datagram to `port`. */
function udpTo(port: number, payload: number[]): number[] {
  return [...u16(40000), ...u16(port), ...u16(8 + payload.length), 0, 0, ...payload];
}
/** Ethernet → IPv4 → GRE with these flags and protocol type, then `body`. */
const greFrame = (flags: number, protocol: number, body: number[]) => frame(ether(0x0800, ipv4([...u16(flags), ...u16(protocol), ...body], { protocol: 47 })));
/** Ethernet → IPv4 → UDP to `port`, then `body`. */
const udpFrame = (port: number, body: number[]) => frame(ether(0x0800, ipv4(udpTo(port, body))));
const INNER_ETH = ether(0x0800, ipv4(udp([1])));
/** An 802.11 data frame ToDS (station → AP): FC, duration, BSSID, SA, DA, sequence. */
const wlanData = (flags: number, body: number[]) => [0x08, flags, 0, 0, ...MAC_B, ...MAC_A, ...MAC_B, 0, 0, ...body];

const ANOMALY_CASES: Record<FrameAnomaly, { why: string; frame: () => CapturedFrame; check?: (f: FrameRecord) => void; limits?: Partial<FrameLimits> }> = {
  'wlan.truncated': {
    why: 'an 802.11 data header of 20 bytes (24 needed)',
    frame: () => frame(wlanData(0x01, []).slice(0, 20), TUNNEL_LINKTYPE.IEEE802_11),
    check: (f) => expect([f.srcMac, f.encap]).toEqual([undefined, ['wlan']]),
  },
  'wlan.bad_version': {
    why: 'an 802.11 protocol version of 1',
    frame: () => frame([0x09, ...wlanData(0x01, []).slice(1)], TUNNEL_LINKTYPE.IEEE802_11),
    check: (f) => expect(f.srcMac).toBeUndefined(),
  },
  'radiotap.truncated': {
    why: 'a radiotap length of 64 in a 12-byte frame',
    frame: () => frame([0, 0, 64, 0, 0, 0, 0, 0, 1, 2, 3, 4], TUNNEL_LINKTYPE.IEEE802_11_RADIOTAP),
    check: (f) => expect(f.srcMac).toBeUndefined(),
  },
  'radiotap.bad_version': {
    why: 'radiotap version 1',
    frame: () => frame([1, 0, 8, 0, 0, 0, 0, 0, ...wlanData(0x01, [])], TUNNEL_LINKTYPE.IEEE802_11_RADIOTAP),
    check: (f) => expect(f.srcMac).toBeUndefined(),
  },
  'gre.truncated': {
    why: 'a GRE header announcing a key that is not there',
    frame: () => greFrame(0x2000, 0x6558, [0, 0]),
    check: (f) => expect([f.srcMac, f.ip?.protocol, f.tunnel]).toEqual(['02:00:00:00:00:0a', 47, undefined]),
  },
  'gre.bad_version': {
    why: 'GRE version 2',
    frame: () => greFrame(0x0002, 0x6558, INNER_ETH),
    check: (f) => expect(f.tunnel).toBeUndefined(),
  },
  'gre.source_routed': {
    why: 'the deprecated routing bit (RFC 1701)',
    frame: () => greFrame(0x4000, 0x6558, INNER_ETH),
  },
  'gre.unknown_protocol': {
    why: 'protocol type 0x1234',
    frame: () => greFrame(0, 0x1234, INNER_ETH),
    check: (f) => expect(f.srcMac).toBe('02:00:00:00:00:0a'),
  },
  'erspan.truncated': {
    why: 'an ERSPAN II header of 4 bytes',
    frame: () => greFrame(0x1000, 0x88be, [0, 0, 0, 1, 0x10, 0x07, 0, 5]),
  },
  'erspan.bad_version': {
    why: 'an ERSPAN version 2 header behind the type II protocol type',
    frame: () => greFrame(0x1000, 0x88be, [0, 0, 0, 1, 0x20, 0x07, 0, 5, 0, 0, 0, 0, ...INNER_ETH]),
  },
  'erspan.unknown_frame_type': {
    why: 'ERSPAN III frame type 5',
    frame: () => greFrame(0, 0x22eb, [0x20, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 5 << 2, 0, ...INNER_ETH]),
    check: (f) => expect(f.sgt).toBe(0),
  },
  'vxlan.truncated': {
    why: 'a VXLAN header of 6 bytes',
    frame: () => udpFrame(4789, [8, 0, 0, 0, 0, 0]),
    check: (f) => expect([f.udp?.dstPort, f.tunnel]).toEqual([4789, undefined]),
  },
  'vxlan.no_vni': {
    why: 'a VXLAN header without the I flag',
    frame: () => udpFrame(4789, [0, 0, 0, 0, 0, 0, 100, 0, ...INNER_ETH]),
  },
  'geneve.truncated': {
    why: 'Geneve options longer than the datagram',
    frame: () => udpFrame(6081, [0x3f, 0, 0x65, 0x58, 0, 0, 1, 0, ...INNER_ETH]),
  },
  'geneve.bad_version': {
    why: 'Geneve version 1',
    frame: () => udpFrame(6081, [0x40, 0, 0x65, 0x58, 0, 0, 1, 0, ...INNER_ETH]),
  },
  'geneve.unknown_protocol': {
    why: 'Geneve protocol type 0x1234',
    frame: () => udpFrame(6081, [0, 0, 0x12, 0x34, 0, 0, 1, 0, ...INNER_ETH]),
  },
  'mpls.truncated': {
    why: 'an MPLS label stack without a bottom-of-stack entry',
    frame: () => frame(ether(0x8847, [0, 0x10, 0x00, 0x40, 0, 0x20, 0x00, 0x40])),
    check: (f) => expect([f.encap, f.srcMac, f.tunnel]).toEqual([[], '02:00:00:00:00:0a', undefined]),
  },
  'mpls.too_many_labels': {
    why: 'three labels with the limit lowered to 2',
    limits: { mplsMaxLabels: 2 },
    frame: () => frame(ether(0x8847, [0, 0x10, 0x00, 0x40, 0, 0x20, 0x00, 0x40, 0, 0x30, 0x01, 0x40, ...ipv4(udp([1]))])),
  },
  'pppoe.truncated': {
    why: 'a PPPoE session header of 4 bytes',
    frame: () => frame(ether(0x8864, [0x11, 0, 0, 1])),
  },
  'pppoe.bad_version': {
    why: 'PPPoE version/type 0x22',
    frame: () => frame(ether(0x8864, [0x22, 0, 0, 1, 0, 22, 0, 0x21, ...ipv4([1])])),
  },
  'ppp.truncated': {
    why: 'a PPP link-type frame of one even byte (a 2-byte protocol cut)',
    frame: () => frame([0x00], TUNNEL_LINKTYPE.PPP),
  },
  'cmd.truncated': {
    why: 'a Cisco MetaData header of 4 bytes',
    frame: () => frame(ether(0x8909, [1, 1, 0, 1])),
    check: (f) => expect(f.sgt).toBeUndefined(),
  },
  'capwap.truncated': {
    why: 'a CAPWAP header length (HLEN) past the datagram',
    frame: () => udpFrame(5247, [0, 0xf8, 0x03, 0x00, 0, 0, 0, 0]),
  },
  'capwap.bad_version': {
    why: 'CAPWAP preamble version 1',
    frame: () => udpFrame(5247, [0x10, 0x10, 0x03, 0x00, 0, 0, 0, 0, ...INNER_ETH]),
  },
  'capwap.dtls': {
    why: 'a DTLS-protected CAPWAP data packet (preamble type 1)',
    frame: () => udpFrame(5247, [0x01, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]),
  },
  'capwap.fragment': {
    why: 'a CAPWAP fragment at offset 8',
    frame: () => udpFrame(5247, [0, 0x10, 0x03, 0x80, 0, 1, 0, 8 << 3, ...INNER_ETH]),
  },
  'capwap.unknown_binding': {
    why: 'a native frame of wireless binding 3 (not 802.11)',
    frame: () => udpFrame(5247, [0, 0x10, 0x07, 0x00, 0, 0, 0, 0, ...INNER_ETH]),
  },
  'lwapp.truncated': {
    why: 'an LWAPP header of 3 bytes',
    frame: () => udpFrame(12222, [0, 0, 0]),
  },
  'encap.too_deep': {
    why: 'VXLAN in VXLAN with the depth lowered to 1',
    limits: { maxEncapDepth: 1 },
    frame: () => udpFrame(4789, [8, 0, 0, 0, 0, 0, 1, 0, ...ether(0x0800, ipv4(udpTo(4789, [8, 0, 0, 0, 0, 0, 2, 0, ...INNER_ETH])))]),
    check: (f) => expect([f.encap, f.srcMac, f.tunnel?.srcMac]).toEqual([['vxlan'], '02:00:00:00:00:0a', '02:00:00:00:00:0a']),
  },
  'ipv4.bad_checksum': {
    why: 'an IPv4 header checksum of 0x1234',
    frame: () => {
      const ip = ipv4(udp([1]));
      ip[10] = 0x12;
      ip[11] = 0x34;
      return frame(ether(0x0800, ip));
    },
    check: (f) => expect([f.ip?.badChecksum, f.udp?.dstPort]).toEqual([true, 5353]),
  },
  'eth.truncated': {
    why: 'a 13-byte Ethernet frame',
    frame: () => frame([...MAC_B, ...MAC_A, 8]),
    check: (f) => expect([f.srcMac, f.payloadKind]).toEqual([undefined, 'none']),
  },
  'eth.too_many_vlan_tags': {
    why: 'three tags with the limit lowered to 2',
    limits: { maxVlanTags: 2 },
    frame: () => frame([...MAC_B, ...MAC_A, ...tag(0x88a8, 1), ...tag(0x8100, 2), ...tag(0x8100, 3), ...u16(0x0800), ...ipv4(udp([1]))]),
    check: (f) => {
      expect(f.vlanTags.map((t) => t.vid)).toEqual([1, 2]); // the first N kept
      expect([f.ethertype, f.ip]).toEqual([undefined, undefined]);
    },
  },
  'eth.bad_length': {
    why: 'a type/length of 1501 (neither a length nor an ethertype)',
    frame: () => frame(ether(1501, [0xaa, 0xaa, 3, 0, 0, 0x0c, 0x20, 0])),
    check: (f) => expect([f.srcMac, f.llc, f.ethertype]).toEqual(['02:00:00:00:00:0a', undefined, undefined]),
  },
  'llc.truncated': {
    why: 'an 802.3 length of 2: no room for DSAP, SSAP and control',
    frame: () => frame(ether(2, [0x42, 0x42])),
    check: (f) => expect([f.llc, f.payloadKind]).toEqual([undefined, 'none']),
  },
  'arp.truncated': {
    why: 'an ARP body of 27 bytes (28 needed)',
    frame: () => frame(ether(0x0806, Array<number>(27).fill(1))),
    check: (f) => expect(f.arp).toBeUndefined(),
  },
  'ipv4.truncated': {
    why: 'an IPv4 header of 19 bytes',
    frame: () => frame(ether(0x0800, ipv4([]).slice(0, 19))),
    check: (f) => expect([f.ethertype, f.ip]).toEqual([0x0800, undefined]),
  },
  'ipv4.bad_header_length': {
    why: 'IHL 4 (16 bytes, less than the 20-byte minimum)',
    frame: () => frame(ether(0x0800, ipv4(udp([1]), { ihlWords: 4 }))),
    check: (f) => expect(f.ip).toBeUndefined(),
  },
  'ipv4.bad_total_length': {
    why: 'a total length of 10, shorter than the header',
    frame: () => frame(ether(0x0800, ipv4(udp([7]), { totalLength: 10 }))),
    check: (f) => {
      expect(f.ip?.src).toBe('192.0.2.1'); // the header is still read
      expect([f.udp?.dstPort, [...f.payload]]).toEqual([5353, [7]]); // and what follows it
    },
  },
  'ipv6.truncated': {
    why: 'an IPv6 header of 39 bytes',
    frame: () => frame(ether(0x86dd, ipv6([]).slice(0, 39))),
    check: (f) => expect(f.ip).toBeUndefined(),
  },
  'ipv6.too_many_extension_headers': {
    why: `${MAX_IPV6_EXTENSION_HEADERS + 1} destination-options headers`,
    frame: () => {
      const count = MAX_IPV6_EXTENSION_HEADERS + 1;
      const chain = Array.from({ length: count }, (_, i) => [i === count - 1 ? 17 : 60, 0, 1, 4, 0, 0, 0, 0]).flat();
      return frame(ether(0x86dd, ipv6([...chain, ...udp([1])], 60)));
    },
    check: (f) => expect([f.ip?.src, f.udp, f.payloadKind]).toEqual(['2001:db8::1', undefined, 'none']),
  },
  'udp.truncated': {
    why: 'an IPv4 payload of 4 bytes where a UDP header needs 8',
    frame: () => frame(ether(0x0800, ipv4([0, 53, 0, 53]))),
    check: (f) => expect([f.ip?.protocol, f.udp, f.payloadKind]).toEqual([17, undefined, 'none']),
  },
  'udp.bad_length': {
    why: 'a UDP length of 4, shorter than its own header',
    frame: () => frame(ether(0x0800, ipv4(udp([9, 9], 4)))),
    check: (f) => expect([f.udp?.length, [...f.payload]]).toEqual([4, [9, 9]]),
  },
  'tcp.truncated': {
    why: 'a TCP header of 10 bytes',
    frame: () => frame(ether(0x0800, ipv4(tcp([]).slice(0, 10), { protocol: 6 }))),
    check: (f) => expect([f.ip?.protocol, f.tcp]).toEqual([6, undefined]),
  },
  'tcp.bad_data_offset': {
    why: 'a TCP data offset of 4 words (16 bytes, below the 20-byte minimum)',
    frame: () => frame(ether(0x0800, ipv4(tcp([1, 2, 3], 4), { protocol: 6 }))),
    check: (f) => expect(f.tcp).toBeUndefined(),
  },
  'link.unsupported_type': {
    why: 'LINKTYPE_USER0 (147), which auscult does not decode',
    frame: () => frame([0x0f, 0x00, 0x08, 0x00, ...ipv4(udp([1]))], 147),
    check: (f) => expect([f.srcMac, f.ethertype, f.ip]).toEqual([undefined, undefined, undefined]),
  },
  'link.truncated': {
    why: 'a Linux SLL header of 15 bytes (16 needed)',
    frame: () => frame([0, 0, 0, 1, 0, 6, ...MAC_A, 0, 0, 8], LINKTYPE.LINUX_SLL),
    check: (f) => expect([f.srcMac, f.ethertype]).toEqual([undefined, undefined]),
  },
};

describe('one synthesised frame per FRAME_ANOMALIES code', () => {
  it('every code has a case (and no case names an unknown code)', () => {
    expect(Object.keys(ANOMALY_CASES).sort()).toEqual([...FRAME_ANOMALIES].sort());
  });

  for (const [code, c] of Object.entries(ANOMALY_CASES)) {
    it(`${code}: ${c.why}`, () => {
      const { value, anomalies } = c.limits ? decodeFrame(c.frame(), { ...FRAME_LIMITS, ...c.limits }) : decodeFrame(c.frame());
      expect(anomalies).toEqual([code]);
      c.check?.(value);
    });
  }

  it('eth.too_many_vlan_tags: the same three tags decode in full under the default limit', () => {
    const { value, anomalies } = decodeFrame(ANOMALY_CASES['eth.too_many_vlan_tags'].frame());
    expect(anomalies).toEqual([]);
    expect(value.vlanTags.map((t) => [t.tpid, t.vid])).toEqual([
      [0x88a8, 1],
      [0x8100, 2],
      [0x8100, 3],
    ]);
    expect(value.udp?.dstPort).toBe(5353);
  });

  it('eth.truncated: a tag whose TCI is cut off', () => {
    const { value, anomalies } = decodeFrame(frame([...MAC_B, ...MAC_A, ...u16(0x8100), 0]));
    expect(anomalies).toEqual(['eth.truncated']);
    expect([value.srcMac, value.vlanTags]).toEqual(['02:00:00:00:00:0a', []]);
  });

  it('eth.bad_length: an 802.3 length past the end still decodes the LLC that is there', () => {
    const { value, anomalies } = decodeFrame(frame(ether(100, [0xaa, 0xaa, 3, 0, 0, 0x0c, 0x20, 0, 1, 2])));
    expect(anomalies).toEqual(['eth.bad_length']);
    expect(value.llc).toEqual({ dsap: 0xaa, ssap: 0xaa, control: 3, snapOui: 0x0c, snapPid: 0x2000 });
    expect([...value.payload]).toEqual([1, 2]);
  });

  it('llc.truncated: SNAP header cut short keeps DSAP/SSAP', () => {
    const { value, anomalies } = decodeFrame(frame(ether(6, [0xaa, 0xaa, 3, 0, 0, 0x0c])));
    expect(anomalies).toEqual(['llc.truncated']);
    expect(value.llc).toEqual({ dsap: 0xaa, ssap: 0xaa, control: 3 });
  });

  it('llc.truncated: an I-format PDU whose 2-byte control field is cut after one byte', () => {
    const { anomalies } = decodeFrame(frame(ether(3, [0x42, 0x42, 0x00])));
    expect(anomalies).toEqual(['llc.truncated']);
    // With the second control byte present it is a clean 4-byte LLC header.
    const whole = decodeFrame(frame(ether(4, [0x42, 0x42, 0x00, 0x02])));
    expect(whole.anomalies).toEqual([]);
    expect(whole.value.llc?.control).toBe(0x0002);
  });

  it('ipv4.truncated: total length larger than what was captured (snaplen) keeps what is there', () => {
    const { value, anomalies } = decodeFrame(frame(ether(0x0800, ipv4(udp([1, 2]), { totalLength: 400 }))));
    expect(anomalies).toEqual(['ipv4.truncated']); // the UDP length (10) fits what is there
    expect([value.ip?.src, value.udp?.dstPort, [...value.payload]]).toEqual(['192.0.2.1', 5353, [1, 2]]);
  });

  it('ipv6.truncated: payload length past the end, and an extension header cut short', () => {
    const long = ipv6(udp([1]));
    long[5] = 200; // payload length 200
    expect(decodeFrame(frame(ether(0x86dd, long))).anomalies).toEqual(['ipv6.truncated']);
    const cut = decodeFrame(frame(ether(0x86dd, ipv6([17, 0, 0, 0], 0))));
    expect(cut.anomalies).toEqual(['ipv6.truncated']);
    expect([cut.value.ip?.src, cut.value.udp]).toEqual(['2001:db8::1', undefined]);
  });

  it('link.truncated: SLL2 under 20 bytes, NULL and LOOP under 4', () => {
    expect(decodeFrame(frame(Array<number>(19).fill(0), LINKTYPE.LINUX_SLL2)).anomalies).toEqual(['link.truncated']);
    expect(decodeFrame(frame([2, 0, 0], LINKTYPE.NULL)).anomalies).toEqual(['link.truncated']);
    expect(decodeFrame(frame([0, 0, 0], LINKTYPE.LOOP)).anomalies).toEqual(['link.truncated']);
  });

  itShared('Cisco HDLC: every frame of the real capture decodes (IPv4 inside, CDP as the SNAP frame it would be)', async () => {
    const frames = await load(conformancePath('HDLC.pcap'));
    expect(frames.length).toBe(38);
    for (const c of frames) {
      expect(c.linkType).toBe(104);
      const { value, anomalies } = decodeFrame(c);
      expect(anomalies).toEqual([]);
      expect(value.encap).toEqual(['chdlc']);
      expect(value.srcMac).toBeUndefined();
      expect(value.ip !== undefined || value.llc?.snapPid === 0x2000 || value.ethertype === 0x8035).toBe(true);
    }
  });
});

beforeAll(async () => {
  await load(LAB + 'lab-veth-ethernet.pcap');
});
