/**
 * \summary Builds the DICOM-heavy benchmark capture (issue 5): the eight real associations of
 * `fixtures/dicom/lab-dicom-associations.pcapng` (dcmtk echoscu/storescu → storescp; four of them
 * C-STORE a CT image whose 32 KiB of pixel data spans several P-DATA-TF PDUs) repeated whole until
 * there are at least N packets, written as one classic Ethernet pcap.
 *
 * Repetition r is one "visit" of modality m = r % modalities: the modality's side of every flow
 * (the CT at 10.30.0.21, MAC 00:00:5e:00:53:21) gets the modality's own MAC
 * (00:00:5e:00:53+⌊m/256⌋:m%256), IPv4 address (10.64.0.0 + m + 1) and, for each flow, a client
 * port distinct per repetition (1024 + (8r + flow) mod 64,000 for the 8 flows, so a port comes back only
 * after 8,000 repetitions, hours later in capture time). The PACS side (10.30.0.2, its MAC and ports 104, 4242,
 * 11112, 11113) is left as it is. The IPv4 header checksum is recomputed (RFC 791 §3.1). The TCP
 * checksums are left as they are: they were already wrong in the lab capture (checksum offload on the
 * veth: tshark reports all 175 as bad) and neither auscult nor tshark checks them by default.
 * Timestamps: each repetition keeps the fixture's gaps and starts 1 ms after the previous one ended,
 * so flows never overlap in time. No payload byte changes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';

import { LINKTYPE } from '../src/capture/captured-frame.js';
import { openCapture } from '../src/capture/open-capture.js';
import { PcapWriter } from './pcap-writer.js';

/** The modality in the lab capture: its MAC and IPv4 address. */
export const LAB_MODALITY_MAC = [0x00, 0x00, 0x5e, 0x00, 0x53, 0x21] as const;
export const LAB_MODALITY_IP = [10, 30, 0, 21] as const;
/** Distinct modalities the repetitions are spread over (default). */
export const DICOM_MODALITIES = 100;
/** Gap between the end of one repetition and the start of the next. */
export const DICOM_REPETITION_GAP_MICROS = 1_000;
/** First timestamp of the capture: 2024-01-01T00:00:00Z. */
export const DICOM_START_MICROS = 1_704_067_200_000_000;

/** One template frame, with the offsets the per-repetition rewrite patches. */
interface DicomTemplateFrame {
  offsetMicros: number;
  data: Uint8Array;
  originalLength: number;
  /** Ethernet address fields (0: destination, 6: source) that hold the modality's MAC. */
  macAt: number[];
  /** Start of the IPv4 header, or -1 (then nothing else is patched). */
  ipAt: number;
  ipHeaderBytes: number;
  /** IPv4 address fields (absolute offsets) that hold the modality's address. */
  addrAt: number[];
  /** Absolute offset of the modality's TCP port, or -1. */
  portAt: number;
  /** Index of the modality's flow (by its original client port) within the repetition. */
  flow: number;
}

export interface DicomTemplate {
  frames: DicomTemplateFrame[];
  flows: number;
  spanMicros: number;
  digest: string;
}

export interface GeneratedDicomCapture {
  path: string;
  packets: number;
  bytes: number;
  repetitions: number;
  modalities: number;
  /** Associations in the file (flows per repetition × repetitions). */
  associations: number;
  writeMs: number;
  reused: boolean;
}

function sameBytes(d: Uint8Array, at: number, want: readonly number[]): boolean {
  for (let i = 0; i < want.length; i++) if (d[at + i] !== want[i]) return false;
  return true;
}

/** Reads the lab capture into a template and locates the fields each repetition rewrites. */
export async function buildDicomTemplate(path: string): Promise<DicomTemplate> {
  const source = await openCapture(path);
  const frames: DicomTemplateFrame[] = [];
  const flowOfPort = new Map<number, number>();
  const hash = createHash('sha256');
  let first: number | undefined;
  let last = 0;
  for await (const batch of source.batches()) {
    for (const f of batch) {
      if (f.linkType !== LINKTYPE.ETHERNET || f.data.length < 14) continue;
      const data = Uint8Array.from(f.data);
      first ??= f.tsMicros;
      last = Math.max(last, f.tsMicros);
      const macAt = [0, 6].filter((at) => sameBytes(data, at, LAB_MODALITY_MAC));
      const frame: DicomTemplateFrame = {
        offsetMicros: Math.max(0, f.tsMicros - first), data, originalLength: f.originalLength,
        macAt, ipAt: -1, ipHeaderBytes: 0, addrAt: [], portAt: -1, flow: 0,
      };
      const ethertype = ((data[12] ?? 0) << 8) | (data[13] ?? 0);
      const vihl = data[14] ?? 0;
      if (ethertype === 0x0800 && vihl >> 4 === 4 && data.length >= 14 + (vihl & 0x0f) * 4) {
        const ip = 14;
        const ihl = (vihl & 0x0f) * 4;
        frame.ipAt = ip;
        frame.ipHeaderBytes = ihl;
        frame.addrAt = [ip + 12, ip + 16].filter((at) => sameBytes(data, at, LAB_MODALITY_IP));
        const tcp = ip + ihl;
        if (data[ip + 9] === 6 && data.length >= tcp + 4 && frame.addrAt.length === 1) {
          // The modality's port is the source port when it sends, the destination when it receives.
          const portAt = frame.addrAt[0] === ip + 12 ? tcp : tcp + 2;
          const port = ((data[portAt] ?? 0) << 8) | (data[portAt + 1] ?? 0);
          if (!flowOfPort.has(port)) flowOfPort.set(port, flowOfPort.size);
          frame.portAt = portAt;
          frame.flow = flowOfPort.get(port) ?? 0;
        }
      }
      frames.push(frame);
      hash.update(data);
    }
  }
  if (frames.length === 0) throw new Error(`${path}: no Ethernet frames`);
  hash.update(`${frames.length}:${DICOM_REPETITION_GAP_MICROS}:${DICOM_START_MICROS}:dicom-v1`);
  return { frames, flows: flowOfPort.size, spanMicros: last - (first ?? 0), digest: hash.digest('hex').slice(0, 16) };
}

/** RFC 791 §3.1 header checksum over `len` bytes at `at` (the checksum field itself must be zero). */
function ipv4Checksum(b: Uint8Array, at: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i += 2) sum += ((b[at + i] ?? 0) << 8) | (b[at + i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * Writes `path` with whole repetitions of the template, at least `minPackets` packets, spread over
 * `modalities` modalities. Reuses the file when its sidecar `<path>.json` matches.
 */
export function generateDicomCapture(template: DicomTemplate, path: string, minPackets: number, modalities: number = DICOM_MODALITIES): GeneratedDicomCapture {
  const perRep = template.frames.length;
  const repetitions = Math.ceil(minPackets / perRep);
  const packets = repetitions * perRep;
  const meta = `${path}.json`;
  const key = `${template.digest}:${packets}:${modalities}`;
  if (existsSync(path) && existsSync(meta)) {
    try {
      const m = JSON.parse(readFileSync(meta, 'utf8')) as GeneratedDicomCapture & { key?: string };
      if (m.key === key && statSync(path).size === m.bytes) return { ...m, writeMs: 0, reused: true };
    } catch { /* regenerate */ }
  }
  const started = performance.now();
  const writer = new PcapWriter(path, LINKTYPE.ETHERNET);
  const step = template.spanMicros + DICOM_REPETITION_GAP_MICROS;
  for (let r = 0; r < repetitions; r++) {
    const m = r % modalities;
    const mac4 = (0x53 + (m >> 8)) & 0xff;
    const mac5 = m & 0xff;
    const host = 0x0a400000 + m + 1; // 10.64.0.0 + m + 1
    const repStart = DICOM_START_MICROS + r * step;
    for (const t of template.frames) {
      const at = writer.write(repStart + t.offsetMicros, t.data, t.originalLength);
      const b = writer.buffer;
      for (const mac of t.macAt) { b[at + mac + 4] = mac4; b[at + mac + 5] = mac5; }
      if (t.ipAt < 0) continue;
      for (const addr of t.addrAt) b.writeUInt32BE(host >>> 0, at + addr);
      if (t.portAt >= 0) b.writeUInt16BE(1024 + ((r * template.flows + t.flow) % 64_000), at + t.portAt);
      const ip = at + t.ipAt;
      b[ip + 10] = 0;
      b[ip + 11] = 0;
      b.writeUInt16BE(ipv4Checksum(b, ip, t.ipHeaderBytes), ip + 10);
    }
  }
  writer.close();
  const result: GeneratedDicomCapture = {
    path, packets: writer.records, bytes: writer.bytes, repetitions, modalities,
    associations: repetitions * template.flows, writeMs: performance.now() - started, reused: false,
  };
  writeFileSync(meta, `${JSON.stringify({ ...result, key })}\n`);
  return result;
}
