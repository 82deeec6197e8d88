/**
 * The bench's capture generator varies MACs per repetition and keeps every DHCP payload valid:
 * checked here on the real DHCP frames of the fixtures, past 256 variants (two bytes vary).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTemplate, generateCapture, generateManyDevicesCapture, repeatingTemplate, scatteredNic } from '../../../bench/generate.js';
import { decodeFrame } from '../../../src/decode/frame.js';
import { decodeApplication } from '../../../src/decode/registry.js';
import { openCapture } from '../../../src/capture/open-capture.js';
import { ROOT } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'auscult-bench-gen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** RFC 768 checksum of the IPv4/UDP datagram in an untagged Ethernet frame (0 and 0xffff are equal). */
function udpChecksumOk(f: Uint8Array): boolean {
  const ip = 14;
  const ihl = ((f[ip] ?? 0) & 0x0f) * 4;
  const udp = ip + ihl;
  const length = ((f[udp + 4] ?? 0) << 8) | (f[udp + 5] ?? 0);
  if ((((f[udp + 6] ?? 0) << 8) | (f[udp + 7] ?? 0)) === 0) return true; // no checksum
  let sum = 17 + length;
  for (let i = 12; i < 20; i += 2) sum += ((f[ip + i] ?? 0) << 8) | (f[ip + i + 1] ?? 0);
  for (let i = 0; i < length; i += 2) sum += ((f[udp + i] ?? 0) << 8) | (i + 1 < length ? (f[udp + i + 1] ?? 0) : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

const hex = (b: Uint8Array, from: number) => Buffer.from(b.subarray(from, from + 6)).toString('hex');

describe('bench capture generator', () => {
  it('300 MAC variants: two address bytes vary, chaddr follows the source MAC, and UDP checksums stay valid', async () => {
    const template = await buildTemplate(ROOT);
    // Client-sent DHCP frames whose chaddr is the source MAC, untagged, with a UDP checksum.
    const dhcp = template.frames.filter((t) => t.chaddrLast >= 0 && t.udpChecksum >= 0 && t.udpStart === 34
      && hex(t.data, 6) === hex(t.data, t.chaddrLast - 5) && udpChecksumOk(t.data));
    expect(dhcp.length).toBeGreaterThan(3);
    const small = { ...template, frames: dhcp.slice(0, 4) };
    const path = join(dir, 'variants.pcap');
    const variants = 300;
    const c = generateCapture(small, path, 4 * variants, variants);
    expect(c).toMatchObject({ packets: 4 * variants, repetitions: variants, macVariants: variants });
    const sources = new Set<string>();
    let frames = 0;
    for await (const batch of (await openCapture(path)).batches()) {
      for (const f of batch) {
        frames++;
        const d = f.data;
        sources.add(hex(d, 6));
        const chaddr = (small.frames[(frames - 1) % 4]?.chaddrLast ?? 0) - 5;
        expect(hex(d, chaddr)).toBe(hex(d, 6));
        expect(udpChecksumOk(d)).toBe(true);
      }
    }
    expect(frames).toBe(4 * variants);
    const templateSources = new Set(small.frames.map((t) => hex(t.data, 6))).size;
    expect(sources.size).toBe(templateSources * variants);
  });

  it('the repeating capture: the LLDP, CDP, DHCP, mDNS and SSDP frames of the template, byte-identical in every repetition', async () => {
    const template = await buildTemplate(ROOT);
    const repeating = repeatingTemplate(template);
    const sink = { anomaly: () => undefined, decoded: () => undefined };
    const protocolOf = (data: Uint8Array): string | undefined => {
      const frame = decodeFrame({ data, linkType: 1, frameNo: 1, tsMicros: 0, originalLength: data.length }).value;
      if (frame.tunnel !== undefined || (frame.encap?.length ?? 0) > 0) return 'tunnelled';
      if (frame.udp !== undefined && (frame.udp.srcPort === 1900 || frame.udp.dstPort === 1900)) return 'ssdp';
      return frame.payloadKind === 'tcp' ? 'tcp' : decodeApplication(frame, sink)?.protocol;
    };
    const kept = new Set(repeating.frames);
    const counts = new Map<string, number>();
    for (const t of template.frames) {
      const p = protocolOf(t.data) ?? 'other';
      if (kept.has(t)) counts.set(p, (counts.get(p) ?? 0) + 1);
      else expect(['lldp', 'cdp', 'dhcp', 'mdns', 'ssdp'], p).not.toContain(p);
    }
    for (const p of ['lldp', 'cdp', 'dhcp', 'mdns']) expect(counts.get(p), p).toBeGreaterThan(0);
    expect([...counts.keys()].every((p) => ['lldp', 'cdp', 'dhcp', 'mdns', 'ssdp'].includes(p))).toBe(true);
    expect(repeating.digest).not.toBe(template.digest);
    const small = { ...repeating, frames: repeating.frames.slice(0, 50) };
    const c = generateCapture(small, join(dir, 'repeat.pcap'), 150, 1);
    const frames: { data: Buffer; ts: number }[] = [];
    for await (const batch of (await openCapture(c.path)).batches()) for (const f of batch) frames.push({ data: Buffer.from(f.data), ts: f.tsMicros });
    expect(frames).toHaveLength(150);
    for (let i = 50; i < 150; i++) {
      expect(frames[i]?.data.equals(frames[i - 50]?.data ?? Buffer.alloc(0))).toBe(true);
      expect(frames[i]?.ts).toBeGreaterThan(frames[i - 50]?.ts ?? Infinity);
    }
  });

  it('the many-devices capture: every client a MAC of its own, heard once per pass, MACs in no order', async () => {
    const template = await buildTemplate(ROOT);
    const clients = 3000;
    const c = generateManyDevicesCapture(template, join(dir, 'many.pcap'), clients, 2);
    expect(c).toMatchObject({ packets: 2 * clients, repetitions: 2, macVariants: clients });
    const sources: string[] = [];
    for await (const batch of (await openCapture(c.path)).batches()) {
      for (const f of batch) sources.push(hex(f.data, 6));
    }
    expect(sources).toHaveLength(2 * clients);
    const first = sources.slice(0, clients);
    expect(new Set(first).size).toBe(clients);
    expect(sources.slice(clients)).toEqual(first);
    // Scattered: the NIC bytes do not rise with the client's number (about half the neighbours descend).
    const descending = first.slice(1).filter((m, i) => m.slice(6) < (first[i] ?? '').slice(6)).length;
    expect(descending).toBeGreaterThan(clients * 0.4);
    expect(descending).toBeLessThan(clients * 0.6);
    // One to one on 24 bits (every NIC of the first 2^18 devices distinct).
    const nics = new Set<number>();
    for (let i = 0; i < 1 << 18; i++) nics.add(scatteredNic(i));
    expect(nics.size).toBe(1 << 18);
  });
});
