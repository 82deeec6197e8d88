/**
 * The bench's capture generator varies MACs per repetition and keeps every DHCP payload valid:
 * checked here on the real DHCP frames of the fixtures, past 256 variants (two bytes vary).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTemplate, generateCapture } from '../../../bench/generate.js';
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
});
