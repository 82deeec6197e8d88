/**
 * \summary Builds the mixed capture for the live-rate benchmark (issue 8): mostly ordinary traffic
 * with a few percent of discovery and medical frames, like a SPAN port, written as one classic
 * Ethernet pcap for tcpreplay.
 *
 * - **Discovery/medical frames (about 3 %)**: every Ethernet frame of the bench template (the
 *   DHCP, LLDP, CDP, mDNS and capture fixtures and the shared captures; see generate.ts) plus the real DICOM
 *   associations (`fixtures/dicom/lab-dicom-associations.pcapng`) and HL7/MLLP messages
 *   (`fixtures/hl7/lab-hl7-oru-mllp.pcapng`), in their original order. Frames longer than 1514
 *   bytes are left out: a veth with MTU 1500 refuses them, and tcpreplay would count them as failed.
 * - **Ordinary traffic (about 97 %)**, synthesised, between 64 host pairs on 10.50.0.0/16 (MACs
 *   02:00:0a:32:xx:xx, locally administered): per 20 frames, 10 TCP data segments of 1460 bytes
 *   (port 443 → client, 1514-byte frames), 7 bare TCP ACKs back (60 bytes; the minimum frame),
 *   3 RTP-like UDP datagrams (port 16384, 172 bytes of payload, 214-byte frames). None of it is on a
 *   port the default BPF filter passes. IPv4 header checksums are right; TCP checksums are zero and
 *   UDP checksums absent (0), which no receiver here checks.
 *
 * The discovery/medical frames are spread evenly through the ordinary ones. Timestamps are 10 µs
 * apart (tcpreplay --mbps paces by size, not by timestamps).
 */
import { LINKTYPE } from '../src/capture/captured-frame.js';
import { openCapture } from '../src/capture/open-capture.js';
import { buildTemplate } from './generate.js';
import { PcapWriter } from './pcap-writer.js';

/** Share of discovery/medical frames in the mix. */
export const LIVE_SPECIAL_SHARE = 0.03;
/** Largest frame tcpreplay can put on a veth with MTU 1500. */
export const LIVE_MAX_FRAME_BYTES = 1514;
/** Host pairs of the ordinary traffic. */
export const LIVE_ORDINARY_HOSTS = 64;
/** Timestamp of frame 0 (2024-01-01T00:00:00Z) and the gap between frames: frame i is at START + i × GAP. */
export const LIVE_START_MICROS = 1_704_067_200_000_000;
export const LIVE_FRAME_GAP_MICROS = 10;

export interface LiveMix {
  path: string;
  frames: number;
  bytes: number;
  specialFrames: number;
  ordinaryFrames: number;
  /** Mean frame length on the wire (without preamble/FCS/IFG). */
  meanFrameBytes: number;
  /** Fixture frames left out because they exceed LIVE_MAX_FRAME_BYTES. */
  skippedLarge: number;
}

function ipv4Checksum(b: Uint8Array, at: number): number {
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += ((b[at + i] ?? 0) << 8) | (b[at + i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An Ethernet + IPv4 (20-byte header) frame around `l4Length` bytes of transport header and data. */
function ipv4Frame(srcHost: number, dstHost: number, protocol: number, l4Length: number): Buffer {
  const ipLength = 20 + l4Length;
  const b = Buffer.alloc(Math.max(60, 14 + ipLength), 0x5a); // filler; padded to the 60-byte minimum
  const mac = (host: number, at: number): void => { b.set([0x02, 0x00, 0x0a, 0x32, host >> 8, host & 0xff], at); };
  mac(dstHost, 0);
  mac(srcHost, 6);
  b.writeUInt16BE(0x0800, 12);
  b[14] = 0x45;
  b[15] = 0;
  b.writeUInt16BE(ipLength, 16);
  b.writeUInt32BE(0, 18); // id 0, no fragmentation
  b[22] = 64;
  b[23] = protocol;
  b.writeUInt16BE(0, 24);
  b.writeUInt32BE((0x0a32 << 16 | srcHost) >>> 0, 26);
  b.writeUInt32BE((0x0a32 << 16 | dstHost) >>> 0, 30);
  b.writeUInt16BE(ipv4Checksum(b, 14), 24);
  return b;
}

function tcpFrame(srcHost: number, dstHost: number, sport: number, dport: number, seq: number, ack: number, flags: number, payload: number): Buffer {
  const b = ipv4Frame(srcHost, dstHost, 6, 20 + payload);
  const t = 34;
  b.writeUInt16BE(sport, t);
  b.writeUInt16BE(dport, t + 2);
  b.writeUInt32BE(seq >>> 0, t + 4);
  b.writeUInt32BE(ack >>> 0, t + 8);
  b[t + 12] = 5 << 4;
  b[t + 13] = flags;
  b.writeUInt16BE(65535, t + 14);
  b.writeUInt32BE(0, t + 16); // checksum 0 (not computed), urgent pointer 0
  return b;
}

function udpFrame(srcHost: number, dstHost: number, port: number, payload: number): Buffer {
  const b = ipv4Frame(srcHost, dstHost, 17, 8 + payload);
  b.writeUInt16BE(port, 34);
  b.writeUInt16BE(port, 36);
  b.writeUInt16BE(8 + payload, 38);
  b.writeUInt16BE(0, 40); // no checksum (RFC 768)
  return b;
}

/** Host numbers inside 10.50.0.0/16: clients 10.50.0.x, servers 10.50.1.x, RTP peers 10.50.2.x/10.50.3.x. */
const client = (h: number): number => h + 1;
const server = (h: number): number => 0x100 + h + 1;
const rtpA = (h: number): number => 0x200 + h + 1;
const rtpB = (h: number): number => 0x300 + h + 1;

async function readEthernetFrames(path: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const source = await openCapture(path);
  for await (const batch of source.batches()) {
    for (const f of batch) if (f.linkType === LINKTYPE.ETHERNET && f.data.length >= 14) out.push(Uint8Array.from(f.data));
  }
  return out;
}

/** Writes the mix to `path` (always regenerated: it takes well under a second). */
export async function buildLiveMix(root: string, path: string, extraFixtures: string[]): Promise<LiveMix> {
  const template = await buildTemplate(root);
  const candidates: Uint8Array[] = template.frames.map((f) => f.data);
  for (const p of extraFixtures) candidates.push(...await readEthernetFrames(p));
  const special = candidates.filter((d) => d.length <= LIVE_MAX_FRAME_BYTES);
  const skippedLarge = candidates.length - special.length;
  const total = Math.round(special.length / LIVE_SPECIAL_SHARE);
  const writer = new PcapWriter(path, LINKTYPE.ETHERNET);
  const seq = new Array<number>(LIVE_ORDINARY_HOSTS).fill(1);
  let s = 0;
  let o = 0;
  let wireBytes = 0;
  for (let i = 0; i < total; i++) {
    const ts = LIVE_START_MICROS + i * LIVE_FRAME_GAP_MICROS;
    let frame: Uint8Array;
    // Bresenham spread: frame i is special when ⌊(i+1)·S/N⌋ steps up.
    if (Math.floor(((i + 1) * special.length) / total) > s) {
      frame = special[s] ?? new Uint8Array(60);
      s++;
    } else {
      const h = Math.floor(o / 20) % LIVE_ORDINARY_HOSTS;
      const k = o % 20;
      const port = 49152 + h;
      const sq = seq[h] ?? 1;
      if (k < 10) {
        frame = tcpFrame(server(h), client(h), 443, port, sq, 1, 0x18, 1460);
        seq[h] = (sq + 1460) >>> 0;
      } else if (k < 17) {
        frame = tcpFrame(client(h), server(h), port, 443, 1, sq, 0x10, 0);
      } else {
        frame = k % 2 === 0 ? udpFrame(rtpA(h), rtpB(h), 16384 + 2 * h, 172) : udpFrame(rtpB(h), rtpA(h), 16384 + 2 * h, 172);
      }
      o++;
    }
    writer.write(ts, frame, frame.length);
    wireBytes += frame.length;
  }
  writer.close();
  return {
    path, frames: writer.records, bytes: writer.bytes, specialFrames: s, ordinaryFrames: o,
    meanFrameBytes: wireBytes / Math.max(1, writer.records), skippedLarge,
  };
}
