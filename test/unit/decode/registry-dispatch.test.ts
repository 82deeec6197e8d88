/**
 * decodeApplication looks only at the protocols of the frame's payload kind: that must pick the
 * same protocol as trying every entry of APP_PROTOCOLS in order, for every fixture frame and for
 * frames built to sit on the edges (both DHCP and mDNS ports, wrong payload kind).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../../src/decode/frame.js';
import type { FrameRecord, PayloadKind } from '../../../src/decode/frame-record.js';
import { APP_PROTOCOLS, decodeApplication, type DecodeSink } from '../../../src/decode/registry.js';
import { readCapturedFrames } from '../../helpers/frames.js';
import { REMOTE_ACCESS_SKIP, SHARED_ONLY_PROTOCOLS, sharedAvailable, sharedPath } from '../../helpers/shared.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const sink: DecodeSink = { anomaly: () => undefined, decoded: () => undefined };

/** The protocol the full scan in table order picks. */
function firstMatch(frame: FrameRecord): string | undefined {
  return APP_PROTOCOLS.find((p) => p.matches(frame))?.name;
}

function synthetic(payloadKind: PayloadKind, extra: Partial<FrameRecord>): FrameRecord {
  return { frameNo: 1, tsMicros: 0, vlanTags: [], payloadKind, payload: new Uint8Array(300), ...extra };
}

describe('decodeApplication dispatch', () => {
  it('every protocol matches only frames of its declared payload kind, and the dispatch equals the ordered scan (all fixtures)', async () => {
    const names = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' }).filter((n) => /\.(pcap|pcapng)(\.gz)?$/.test(n)).sort().map((n) => FIXTURES + n);
    // Issue 20: nDPI's remote-access captures too (TeamViewer has no fixture of its own).
    if (sharedAvailable('captures', 'remote-access')) {
      const dir = sharedPath('captures', 'remote-access');
      names.push(...readdirSync(dir).filter((n) => /\.(pcap|pcapng)$/.test(n)).sort().map((n) => `${dir}/${n}`));
    }
    const seen = new Map<string, number>();
    for (const name of names) {
      let captured;
      try { captured = await readCapturedFrames(name); } catch { continue; }
      for (const c of captured) {
        const frame = decodeFrame(c).value;
        for (const p of APP_PROTOCOLS) if (p.matches(frame)) expect(frame.payloadKind, `${name} #${frame.frameNo} ${p.name}`).toBe(p.payloadKind);
        const want = firstMatch(frame);
        expect(decodeApplication(frame, sink)?.protocol, `${name} #${frame.frameNo}`).toBe(want);
        if (want !== undefined) seen.set(want, (seen.get(want) ?? 0) + 1);
      }
    }
    // The fixtures exercise every protocol (those only nDPI's shared captures carry, when they are here).
    expect([...seen.keys()].sort()).toEqual(APP_PROTOCOLS.map((p) => p.name).filter((n) => REMOTE_ACCESS_SKIP === null || !SHARED_ONLY_PROTOCOLS.has(n)).sort());
  }, 120_000);

  it.each([
    ['UDP 68 → 5353: DHCP wins, as listed first', synthetic('udp', { udp: { srcPort: 68, dstPort: 5353, length: 308 } })],
    ['UDP 5353 → 5353', synthetic('udp', { udp: { srcPort: 5353, dstPort: 5353, length: 308 } })],
    ['UDP without a header record', synthetic('udp', {})],
    ['UDP on other ports', synthetic('udp', { udp: { srcPort: 1000, dstPort: 2000, length: 308 } })],
    ['LLDP ethertype', synthetic('ethertype', { ethertype: 0x88cc })],
    ['LLDP ethertype on a UDP payload kind', synthetic('udp', { ethertype: 0x88cc })],
    ['other ethertype', synthetic('ethertype', { ethertype: 0x88b5 })],
    ['CDP SNAP', synthetic('llc', { llc: { dsap: 0xaa, ssap: 0xaa, control: 3, snapOui: 0x00000c, snapPid: 0x2000 } })],
    ['other SNAP', synthetic('llc', { llc: { dsap: 0xaa, ssap: 0xaa, control: 3, snapOui: 0x00000c, snapPid: 0x2004 } })],
    ['CDP SNAP on an ethertype payload kind', synthetic('ethertype', { llc: { dsap: 0xaa, ssap: 0xaa, control: 3, snapOui: 0x00000c, snapPid: 0x2000 } })],
    ['TCP', synthetic('tcp', { tcp: { srcPort: 67, dstPort: 68, seq: 0, ack: 0, flags: 0, window: 0 } })],
    ['none', synthetic('none', {})],
  ])('%s', (_name, frame) => {
    expect(decodeApplication(frame, sink)?.protocol).toBe(firstMatch(frame));
  });
});
