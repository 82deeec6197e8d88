/**
 * \summary Builds the benchmark capture: the project's real fixtures, repeated with time moving
 * forward and the device MACs varied per repetition, written as one classic Ethernet pcap.
 *
 * Template: every Ethernet frame of every fixture (fixtures/{dhcp,lldp,mdns}/*.pcapng,
 * fixtures/capture/*.pcap*, our own lab captures under fixtures/conformance/**, not gzipped) and of the other projects' captures in the shared
 * directory (`$AUSCULT_SHARED/captures/**`, else `../shared/captures/**` beside the repository;
 * left out of the mix, with a line saying so, when absent), read with the project's own
 * openCapture, each distinct file once (the shared folders hold copies of the same files).
 * Within a fixture the frames keep their order; the gaps between them are kept but clamped to
 * [0, 60 s] so time never runs backwards and years-long gaps do not overflow 32-bit seconds.
 * Fixtures follow each other 1 ms apart; each repetition starts where the last one ended.
 *
 * Variation per repetition r (k = r % 50): the last byte of the Ethernet source address is
 * XORed with k, and so is the last byte of the DHCP chaddr (BOOTP offset 28..33, RFC 2131 §2)
 * when the frame is an unfragmented IPv4/UDP 67/68 BOOTP frame with htype 1, hlen 6, so a
 * client's frames and its chaddr stay bound to each other. The UDP checksum, when present, is
 * updated incrementally (RFC 1624 eqn. 3), so every payload stays valid. Nothing else changes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

import { LINKTYPE } from '../src/capture/captured-frame.js';
import { openCapture } from '../src/capture/open-capture.js';
import { PcapWriter } from './pcap-writer.js';

/** Largest gap kept between two frames of one fixture. */
export const MAX_GAP_MICROS = 60_000_000;
/** Gap between one fixture's last frame and the next fixture's first. */
export const FIXTURE_GAP_MICROS = 1_000;
/** Number of distinct MAC variants (k = repetition % MAC_VARIANTS). */
export const MAC_VARIANTS = 50;
/** Timestamp of the first frame: 2024-01-01T00:00:00Z. */
export const START_MICROS = 1_704_067_200_000_000;

/** One frame of the template, with what the generator patches precomputed. */
export interface TemplateFrame {
  /** Offset from the start of a repetition. */
  offsetMicros: number;
  data: Uint8Array;
  originalLength: number;
  /** Index in `data` of the last chaddr byte, or -1 when the frame is not patched as DHCP. */
  chaddrLast: number;
  /** Index in `data` of the UDP checksum (big-endian u16), or -1 when absent/zero. */
  udpChecksum: number;
  /** Index in `data` of the UDP header (for the 16-bit word alignment of the checksum update). */
  udpStart: number;
}

export interface Template {
  frames: TemplateFrame[];
  /** Span of one repetition. */
  spanMicros: number;
  /** Fixture files used (relative paths), and how many frames of other link types were skipped. */
  files: string[];
  skippedNonEthernet: number;
  dhcpFrames: number;
  /** Hash of the template bytes and layout: a generated file is reused only when it matches. */
  digest: string;
}

const FIXTURE_DIRS: readonly { dir: string; recursive: boolean; pattern: RegExp }[] = [
  { dir: 'fixtures/dhcp', recursive: false, pattern: /\.pcapng$/ },
  { dir: 'fixtures/lldp', recursive: false, pattern: /\.pcapng$/ },
  { dir: 'fixtures/mdns', recursive: false, pattern: /\.pcapng$/ },
  { dir: 'fixtures/capture', recursive: false, pattern: /\.(pcap|pcapng)$/ },
  // Our own lab captures left there (the third-party ones moved to the shared directory).
  { dir: 'fixtures/conformance', recursive: true, pattern: /\.(pcap|pcapng)$/ },
];

/** The other projects' captures (never copied into the repository): `$AUSCULT_SHARED/captures`. */
export function sharedCapturesDir(root: string): string {
  return resolve(process.env['AUSCULT_SHARED'] ?? resolve(root, '../shared'), 'captures');
}

/** Lists the fixture files, sorted, each distinct content once. */
export function listFixtures(root: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const shared = sharedCapturesDir(root);
  if (!existsSync(shared)) process.stderr.write(`bench: ${shared} absent: the other projects' captures are left out of the mix (set AUSCULT_SHARED)\n`);
  const dirs = [...FIXTURE_DIRS, { dir: shared, recursive: true, pattern: /\.(pcap|pcapng)$/ }];
  for (const { dir, recursive, pattern } of dirs) {
    const abs = resolve(root, dir);
    if (!existsSync(abs)) continue;
    const names = (readdirSync(abs, { recursive }) as string[]).filter((n) => pattern.test(n)).sort();
    for (const name of names) {
      const path = join(abs, name);
      if (!statSync(path).isFile()) continue;
      const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
      if (seen.has(hash)) continue;
      seen.add(hash);
      out.push(path);
    }
  }
  return out;
}

/** Where the chaddr and UDP checksum of a DHCP frame sit, or undefined when it is not one. */
function locateDhcp(d: Uint8Array): { chaddrLast: number; udpChecksum: number; udpStart: number } | undefined {
  let off = 12;
  let type = ((d[off] ?? 0) << 8) | (d[off + 1] ?? 0);
  off += 2;
  for (let depth = 0; depth < 4 && (type === 0x8100 || type === 0x88a8 || type === 0x9100); depth++) {
    type = ((d[off + 2] ?? 0) << 8) | (d[off + 3] ?? 0);
    off += 4;
  }
  if (type !== 0x0800 || d.length < off + 20) return undefined;
  const vihl = d[off] ?? 0;
  if (vihl >> 4 !== 4) return undefined;
  const ihl = (vihl & 0x0f) * 4;
  const fragment = (((d[off + 6] ?? 0) << 8) | (d[off + 7] ?? 0)) & 0x3fff; // MF + offset
  if (ihl < 20 || fragment !== 0 || d[off + 9] !== 17) return undefined;
  const udp = off + ihl;
  if (d.length < udp + 8) return undefined;
  const sport = ((d[udp] ?? 0) << 8) | (d[udp + 1] ?? 0);
  const dport = ((d[udp + 2] ?? 0) << 8) | (d[udp + 3] ?? 0);
  const isBootp = (p: number): boolean => p === 67 || p === 68;
  if (!isBootp(sport) || !isBootp(dport)) return undefined;
  const bootp = udp + 8;
  if (d.length < bootp + 34 || d[bootp + 1] !== 1 || d[bootp + 2] !== 6) return undefined; // htype Ethernet, hlen 6
  const checksum = ((d[udp + 6] ?? 0) << 8) | (d[udp + 7] ?? 0);
  return { chaddrLast: bootp + 33, udpChecksum: checksum === 0 ? -1 : udp + 6, udpStart: udp };
}

/** Reads the fixtures into a template (all frames in memory: a few thousand small frames). */
export async function buildTemplate(root: string): Promise<Template> {
  const files = listFixtures(root);
  const frames: TemplateFrame[] = [];
  const hash = createHash('sha256');
  let cursor = 0;
  let skipped = 0;
  let dhcpFrames = 0;
  for (const path of files) {
    const source = await openCapture(path);
    let prevTs: number | undefined;
    let rel = 0;
    let any = false;
    for await (const batch of source.batches()) {
      for (const f of batch) {
        if (f.linkType !== LINKTYPE.ETHERNET || f.data.length < 14) { skipped++; continue; }
        if (prevTs !== undefined) rel += Math.min(MAX_GAP_MICROS, Math.max(0, f.tsMicros - prevTs));
        prevTs = f.tsMicros;
        const data = Uint8Array.from(f.data);
        const dhcp = locateDhcp(data);
        if (dhcp) dhcpFrames++;
        frames.push({
          offsetMicros: cursor + rel,
          data,
          originalLength: f.originalLength,
          chaddrLast: dhcp?.chaddrLast ?? -1,
          udpChecksum: dhcp?.udpChecksum ?? -1,
          udpStart: dhcp?.udpStart ?? -1,
        });
        hash.update(data);
        any = true;
      }
    }
    if (any) cursor += rel + FIXTURE_GAP_MICROS;
  }
  hash.update(`${frames.length}:${cursor}:${MAC_VARIANTS}:${MAX_GAP_MICROS}:${START_MICROS}:v1`);
  return {
    frames,
    spanMicros: cursor,
    files: files.map((p) => relative(root, p)),
    skippedNonEthernet: skipped,
    dhcpFrames,
    digest: hash.digest('hex').slice(0, 16),
  };
}

/** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), in ones' complement arithmetic. */
export function updateChecksum16(hc: number, oldWord: number, newWord: number): number {
  let sum = (~hc & 0xffff) + (~oldWord & 0xffff) + newWord;
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  const out = ~sum & 0xffff;
  return out === 0 ? 0xffff : out; // UDP sends a computed 0 as all ones (RFC 768)
}

/** XORs the byte at `at` of a UDP datagram starting at `udpStart` and fixes the checksum. */
function xorUdpByte(b: Buffer, base: number, t: TemplateFrame, at: number, k: number): void {
  const wordStart = at - ((at - t.udpStart) & 1); // words are aligned from the UDP header
  const oldWord = ((b[base + wordStart] ?? 0) << 8) | (b[base + wordStart + 1] ?? 0);
  b[base + at] = (b[base + at] ?? 0) ^ k;
  if (t.udpChecksum < 0) return;
  const newWord = ((b[base + wordStart] ?? 0) << 8) | (b[base + wordStart + 1] ?? 0);
  const hc = ((b[base + t.udpChecksum] ?? 0) << 8) | (b[base + t.udpChecksum + 1] ?? 0);
  const fixed = updateChecksum16(hc, oldWord, newWord);
  b[base + t.udpChecksum] = fixed >> 8;
  b[base + t.udpChecksum + 1] = fixed & 0xff;
}

export interface GeneratedCapture {
  path: string;
  packets: number;
  bytes: number;
  repetitions: number;
  /** Distinct source-MAC variants (repetition r uses variant r % macVariants). */
  macVariants: number;
  /** Milliseconds spent writing (0 when an up-to-date file was reused). */
  writeMs: number;
  reused: boolean;
}

/** UDP ports of what a network repeats on a timer or a lease: DHCP/BOOTP, mDNS, SSDP. */
const REPEATED_UDP_PORTS: ReadonlySet<number> = new Set([67, 68, 5353, 1900]);

/** True for an LLDP or CDP frame, or an IPv4/IPv6 UDP frame to or from REPEATED_UDP_PORTS (802.1Q/ad tags skipped; a tunnel's inner frame is not looked at). */
export function isRepeatedByNetworks(d: Uint8Array): boolean {
  let off = 12;
  let type = ((d[off] ?? 0) << 8) | (d[off + 1] ?? 0);
  for (let tags = 0; (type === 0x8100 || type === 0x88a8) && tags < 4; tags++) {
    off += 4;
    type = ((d[off] ?? 0) << 8) | (d[off + 1] ?? 0);
  }
  if (type === 0x88cc) return true; // LLDP
  // CDP: 802.3 length, LLC/SNAP with Cisco's OUI and protocol id 0x2000.
  if (type <= 1500) return d[off + 2] === 0xaa && d[off + 5] === 0x00 && d[off + 6] === 0x00 && d[off + 7] === 0x0c && d[off + 8] === 0x20 && d[off + 9] === 0x00;
  const ip = off + 2;
  let udp: number;
  if (type === 0x0800 && d[ip + 9] === 17) udp = ip + ((d[ip] ?? 0) & 0x0f) * 4;
  else if (type === 0x86dd && d[ip + 6] === 17) udp = ip + 40;
  else return false;
  const sport = ((d[udp] ?? 0) << 8) | (d[udp + 1] ?? 0);
  const dport = ((d[udp + 2] ?? 0) << 8) | (d[udp + 3] ?? 0);
  return REPEATED_UDP_PORTS.has(sport) || REPEATED_UDP_PORTS.has(dport);
}

/**
 * The repeating capture's template (issue 14): only the template's frames a network repeats on
 * a timer or at a lease renewal (LLDP, CDP, DHCP/BOOTP, mDNS, SSDP), in their order and at their
 * times. Written with one MAC variant (`generateCapture(t, path, n, 1)`), every repetition is
 * byte-identical up to time: the same switches, pumps and printers announcing the same things
 * again, as a switch does every 30 s per port and a pump at every renewal. What the known-frame
 * table is for; the discovery capture (MACs varied per repetition) is mostly first sightings.
 */
export function repeatingTemplate(template: Template): Template {
  const frames = template.frames.filter((f) => isRepeatedByNetworks(f.data));
  return { ...template, frames, dhcpFrames: frames.filter((f) => f.chaddrLast >= 0).length, digest: `repeating-${template.digest}` };
}

/**
 * Writes `path` with at least `minPackets` packets (whole repetitions of the template). Reuses an
 * existing file when its sidecar `<path>.json` names the same template digest and size.
 */
export function generateCapture(template: Template, path: string, minPackets: number, macVariants = MAC_VARIANTS): GeneratedCapture {
  if (!Number.isInteger(macVariants) || macVariants < 1 || macVariants > 65536) throw new Error(`macVariants must be 1..65536, not ${macVariants}`);
  const perRep = template.frames.length;
  if (perRep === 0) throw new Error('no Ethernet frames found in fixtures/');
  const repetitions = Math.ceil(minPackets / perRep);
  const packets = repetitions * perRep;
  const metaPath = `${path}.json`;
  if (existsSync(path) && existsSync(metaPath)) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Partial<GeneratedCapture> & { digest?: string };
      if (meta.digest === template.digest && meta.packets === packets && (meta.macVariants ?? MAC_VARIANTS) === macVariants && statSync(path).size === meta.bytes) {
        return { path, packets, bytes: meta.bytes, repetitions, macVariants, writeMs: 0, reused: true };
      }
    } catch { /* regenerate */ }
  }
  const started = performance.now();
  const writer = new PcapWriter(path, LINKTYPE.ETHERNET);
  const spanPerRep = template.spanMicros + FIXTURE_GAP_MICROS;
  for (let r = 0; r < repetitions; r++) {
    const k = r % macVariants;
    const repStart = START_MICROS + r * spanPerRep;
    for (const t of template.frames) {
      const at = writer.write(repStart + t.offsetMicros, t.data, t.originalLength);
      if (k === 0) continue;
      const b = writer.buffer;
      // The last two bytes of the Ethernet source address (and of chaddr) XOR k: up to 65,536 variants.
      b[at + 11] = (b[at + 11] ?? 0) ^ (k & 0xff);
      if (k > 0xff) b[at + 10] = (b[at + 10] ?? 0) ^ (k >> 8);
      if (t.chaddrLast >= 1 && t.chaddrLast < t.data.length) {
        xorUdpByte(b, at, t, t.chaddrLast, k & 0xff);
        if (k > 0xff) xorUdpByte(b, at, t, t.chaddrLast - 1, k >> 8);
      }
    }
  }
  writer.close();
  const result: GeneratedCapture = {
    path, packets: writer.records, bytes: writer.bytes, repetitions, macVariants, writeMs: performance.now() - started, reused: false,
  };
  writeFileSync(metaPath, `${JSON.stringify({ ...result, digest: template.digest })}\n`);
  return result;
}

/** Device i's NIC bytes (24 bits), in an order unrelated to i: xor-shifts and multiplications by
 * odd numbers modulo 2^24 (a hash finaliser's steps, each one to one on 24 bits), so devices
 * 0..2^24-1 keep distinct MACs. */
export function scatteredNic(i: number): number {
  let x = i & 0xffffff;
  x ^= x >>> 12;
  x = Math.imul(x, 0x9e3779b1) & 0xffffff;
  x ^= x >>> 11;
  x = Math.imul(x, 0x85ebca6b) & 0xffffff;
  x ^= x >>> 12;
  return x;
}

/**
 * The many-devices capture (issue 14: 250,000 devices, each heard a few times): `devices` DHCP
 * clients, each sending `passes` DHCP messages, one pass over every device after another (so,
 * with the default resident cap, every device is evicted and read back between two of its
 * messages, as in a large hospital's first hour). Device i sends the template's client-sent DHCP
 * frame i mod n (source MAC equal to chaddr) with the last three bytes of both MACs set to
 * `scatteredNic(i)`: the manufacturer's OUI and the client's options stay, the device is new.
 *
 * The NIC bytes are scattered, not i itself: on a network, devices are heard in an order that has
 * nothing to do with their MACs, and every table of the inventory is keyed by the MAC. With i in
 * MAC order each write and read-back landed next to the one before, which flattered the store:
 * the same 50,000 devices took 1.7 times as long with scattered MACs (sixteenth session).
 */
export function generateManyDevicesCapture(template: Template, path: string, devices: number, passes: number): GeneratedCapture {
  if (!Number.isInteger(devices) || devices < 1 || devices > 1 << 24) throw new Error(`devices must be 1..2^24, not ${devices}`);
  const clients = template.frames.filter((f) => f.chaddrLast >= 5 && f.chaddrLast < f.data.length
    && [0, 1, 2, 3, 4, 5].every((j) => f.data[6 + j] === f.data[f.chaddrLast - 5 + j]));
  if (clients.length === 0) throw new Error('no client-sent DHCP frames in the template');
  const packets = devices * passes;
  const metaPath = `${path}.json`;
  const digest = `many-devices-scattered-${template.digest}`;
  if (existsSync(path) && existsSync(metaPath)) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Partial<GeneratedCapture> & { digest?: string };
      if (meta.digest === digest && meta.packets === packets && meta.macVariants === devices && statSync(path).size === meta.bytes) {
        return { path, packets, bytes: meta.bytes, repetitions: passes, macVariants: devices, writeMs: 0, reused: true };
      }
    } catch { /* regenerate */ }
  }
  const started = performance.now();
  const writer = new PcapWriter(path, LINKTYPE.ETHERNET);
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < devices; i++) {
      const t = clients[i % clients.length] as TemplateFrame;
      const at = writer.write(START_MICROS + (p * devices + i) * 1000, t.data, t.originalLength);
      const b = writer.buffer;
      const nic = scatteredNic(i);
      for (let j = 0; j < 3; j++) {
        const want = (nic >> (8 * (2 - j))) & 0xff;
        b[at + 9 + j] = want;
        const chaddrByte = t.chaddrLast - 2 + j;
        xorUdpByte(b, at, t, chaddrByte, (b[at + chaddrByte] ?? 0) ^ want);
      }
    }
  }
  writer.close();
  const result: GeneratedCapture = { path, packets: writer.records, bytes: writer.bytes, repetitions: passes, macVariants: devices, writeMs: performance.now() - started, reused: false };
  writeFileSync(metaPath, `${JSON.stringify({ ...result, digest })}\n`);
  return result;
}
