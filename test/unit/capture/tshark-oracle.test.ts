// Every capture variant the readers accept, compared frame by frame with what tshark reads:
// frame count, frame numbers, timestamp (µs), original length and captured length, plus link type.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import type { CapturedFrame } from '../../../src/capture/captured-frame.js';
import { LINKTYPE } from '../../../src/capture/captured-frame.js';
import { openCapture } from '../../../src/capture/open-capture.js';
import {
  type OracleFrame,
  buildPcap,
  buildPcapngSection,
  hasTshark,
  parseTsharkFields,
  readPcapSpec,
  reencodePcapng,
  swapPcapByteOrder,
  tsharkFieldsText,
  tsharkFrames,
  writeScratch,
} from '../../helpers/capture-files.js';
import { CAPTURE_SKIP, DERIVED_CAPTURES, SHARED_CAPTURES, capturePath, describeCaptures, oraclePath } from '../../helpers/capture-variants.js';
import { readCapturedFrames } from '../../helpers/frames.js';
import { titled, toolMissing } from '../../helpers/tools.js';

// Our own lab captures are in fixtures/capture; the third-party originals are read from the shared
// directory and the variants derived from them built at test time (capture-variants.ts). The
// tshark oracles of all of them are committed in fixtures/capture.
const fixture = (name: string): string => capturePath(name);
const committedOracle = (name: string): OracleFrame[] => parseTsharkFields(readFileSync(oraclePath(name), 'utf8'));
const needsShared = (name: string): boolean => name in SHARED_CAPTURES || DERIVED_CAPTURES.includes(name);

function asOracle(frames: CapturedFrame[]): OracleFrame[] {
  return frames.map((f) => ({ frameNo: f.frameNo, tsMicros: f.tsMicros, originalLength: f.originalLength, capturedLength: f.data.length }));
}

/** Link types per frame, run-length: [[1, 5], [276, 4]]. */
function linkTypeRuns(frames: CapturedFrame[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const f of frames) {
    const last = runs[runs.length - 1];
    if (last && last[0] === f.linkType) last[1]++;
    else runs.push([f.linkType, 1]);
  }
  return runs;
}

const FIXTURES: { name: string; linkTypes: [number, number][] }[] = [
  { name: 'dhcp-option-33.pcap', linkTypes: [[LINKTYPE.ETHERNET, 5]] },
  { name: 'dhcp-option-33.nsec.pcap', linkTypes: [[LINKTYPE.ETHERNET, 5]] },
  { name: 'dhcp-option-33.pcapng', linkTypes: [[LINKTYPE.ETHERNET, 5]] },
  { name: 'dhcp-option-33.pcap.gz', linkTypes: [[LINKTYPE.ETHERNET, 5]] },
  { name: 'vlan-pcp-dei.pcapng', linkTypes: [[LINKTYPE.ETHERNET, 9]] },
  { name: 'vlan-pcp-dei.pcapng.gz', linkTypes: [[LINKTYPE.ETHERNET, 9]] },
  { name: 'dhcp-option-108.pcapng', linkTypes: [[LINKTYPE.ETHERNET, 2]] },
  { name: 'two-sections.pcapng', linkTypes: [[LINKTYPE.ETHERNET, 11]] },
  { name: 'mixed-linktypes.pcapng', linkTypes: [[LINKTYPE.ETHERNET, 5], [LINKTYPE.LINUX_SLL2, 4]] },
  { name: 'loopback-sll.pcap', linkTypes: [[LINKTYPE.LINUX_SLL, 4]] },
  { name: 'loopback-sll2.pcap', linkTypes: [[LINKTYPE.LINUX_SLL2, 4]] },
  { name: 'loopback-rawip.pcap', linkTypes: [[LINKTYPE.RAW, 4]] },
];

describe('committed fixtures against tshark', () => {
  for (const { name, linkTypes } of FIXTURES) {
    const skip = needsShared(name) ? CAPTURE_SKIP : null;
    it.skipIf(skip !== null)(titled(`${name}: every frame matches tshark, link types as captured`, skip), async () => {
      const frames = await readCapturedFrames(fixture(name));
      const oracle = committedOracle(name);
      expect(oracle.length).toBeGreaterThan(0);
      expect(asOracle(frames)).toEqual(oracle);
      expect(linkTypeRuns(frames)).toEqual(linkTypes);
      const source = await openCapture(fixture(name));
      for await (const batch of source.batches()) expect(batch.length).toBeGreaterThan(0);
      expect(source.warnings).toEqual([]);
    });

    it.skipIf(skip !== null || !hasTshark())(titled(`${name}: committed .tshark.tsv is what this tshark prints`, skip ?? toolMissing('tshark')), () => {
      expect(tsharkFrames(fixture(name))).toEqual(committedOracle(name));
    });
  }

  it('raw IP fixture keeps original length apart from captured length', async () => {
    const frames = await readCapturedFrames(fixture('loopback-rawip.pcap'));
    expect(frames.map((f) => [f.originalLength, f.data.length])).toEqual([[104, 84], [104, 84], [104, 84], [104, 84]]);
    expect((frames[0]?.data[0] ?? 0) >> 4).toBe(4); // an IPv4 header, not a link header
  });
});

/** Writes `bytes`, reads it back, and compares with tshark live (or `expected` when tshark is absent). */
async function expectLikeTshark(name: string, bytes: Buffer, expected: OracleFrame[]): Promise<CapturedFrame[]> {
  const path = writeScratch(name, bytes);
  const frames = await readCapturedFrames(path);
  if (hasTshark()) expect(tsharkFrames(path)).toEqual(expected);
  expect(asOracle(frames)).toEqual(expected);
  return frames;
}

describeCaptures('synthesised variants against tshark', () => {
  const pcap = CAPTURE_SKIP === null ? readFileSync(fixture('dhcp-option-33.pcap')) : Buffer.alloc(0);
  const pcapOracle = CAPTURE_SKIP === null ? committedOracle('dhcp-option-33.pcap') : [];

  it('big-endian (byte-swapped) microsecond pcap', async () => {
    const swapped = swapPcapByteOrder(pcap);
    expect(swapped.readUInt32BE(0)).toBe(0xa1b2c3d4);
    expect(swapped.subarray(0, 4)).not.toEqual(pcap.subarray(0, 4));
    await expectLikeTshark('swapped.pcap', swapped, pcapOracle);
  });

  it('big-endian nanosecond pcap with sub-microsecond digits floors to µs', async () => {
    const spec = readPcapSpec(readFileSync(fixture('dhcp-option-33.nsec.pcap')));
    const bytes = buildPcap({ ...spec, littleEndian: false, records: spec.records.map((r) => ({ ...r, fraction: r.fraction + 999 })) });
    expect(bytes.readUInt32BE(0)).toBe(0xa1b23c4d);
    await expectLikeTshark('nsec-be.pcap', bytes, pcapOracle);
  });

  it('big-endian pcapng (real pcapng re-encoded)', async () => {
    const be = reencodePcapng(readFileSync(fixture('vlan-pcp-dei.pcapng')), false);
    expect(be.readUInt32BE(8)).toBe(0x1a2b3c4d);
    await expectLikeTshark('be.pcapng', be, committedOracle('vlan-pcp-dei.pcapng'));
  });

  it('three sections, little- then big- then little-endian, numbered across sections', async () => {
    const a = readFileSync(fixture('dhcp-option-108.pcapng'));
    const b = reencodePcapng(readFileSync(fixture('vlan-pcp-dei.pcapng')), false);
    const expected = [...committedOracle('dhcp-option-108.pcapng'), ...committedOracle('vlan-pcp-dei.pcapng'), ...committedOracle('dhcp-option-108.pcapng')]
      .map((f, i) => ({ ...f, frameNo: i + 1 }));
    await expectLikeTshark('mixed-order.pcapng', Buffer.concat([a, b, a]), expected);
  });

  it('if_tsresol 10^-9, 2^-20, 10^-3 and if_tsoffset; OPB; unknown block skipped', async () => {
    const data = Buffer.alloc(60, 0xaa);
    const bytes = buildPcapngSection({
      littleEndian: false,
      blocks: [
        { kind: 'idb', iface: { linkType: LINKTYPE.ETHERNET, snaplen: 40, tsresol: 9, tsoffset: 100n } },
        { kind: 'idb', iface: { linkType: LINKTYPE.RAW, tsresol: 0x80 | 20 } },
        { kind: 'idb', iface: { linkType: LINKTYPE.LINUX_SLL, tsresol: 3 } },
        { kind: 'epb', interfaceId: 0, timestamp: 1742291025393317999n, data: data.subarray(0, 40), originalLength: 60 },
        { kind: 'epb', interfaceId: 1, timestamp: 1742291025n * (1n << 20n) + 12345n, data },
        { kind: 'opb', interfaceId: 2, timestamp: 1742291025123n, data },
        { kind: 'raw', type: 0x99, body: Buffer.alloc(8) },
        { kind: 'epb', interfaceId: 1, timestamp: 5n, data },
      ],
    });
    // What tshark 4.0.17 printed for this file (floor to µs of its nanosecond text).
    const expected: OracleFrame[] = [
      { frameNo: 1, tsMicros: 1742291125393317, originalLength: 60, capturedLength: 40 },
      { frameNo: 2, tsMicros: 1742291025011773, originalLength: 60, capturedLength: 60 },
      { frameNo: 3, tsMicros: 1742291025123000, originalLength: 60, capturedLength: 60 },
      { frameNo: 4, tsMicros: 4, originalLength: 60, capturedLength: 60 },
    ];
    const frames = await expectLikeTshark('tsresol.pcapng', bytes, expected);
    expect(frames.map((f) => f.linkType)).toEqual([LINKTYPE.ETHERNET, LINKTYPE.RAW, LINKTYPE.LINUX_SLL, LINKTYPE.RAW]);
  });

  it('simple packet block: interface 0, snaplen applied, previous timestamp reused', async () => {
    const data = Buffer.alloc(60, 0x55);
    const bytes = buildPcapngSection({
      littleEndian: true,
      blocks: [
        { kind: 'idb', iface: { linkType: LINKTYPE.ETHERNET, snaplen: 40 } },
        { kind: 'epb', interfaceId: 0, timestamp: 1700000000123456n, data: data.subarray(0, 40), originalLength: 60 },
        { kind: 'spb', data: data.subarray(0, 40), originalLength: 60 },
      ],
    });
    const path = writeScratch('spb.pcapng', bytes);
    const frames = await readCapturedFrames(path);
    expect(asOracle(frames)).toEqual([
      { frameNo: 1, tsMicros: 1700000000123456, originalLength: 60, capturedLength: 40 },
      { frameNo: 2, tsMicros: 1700000000123456, originalLength: 60, capturedLength: 40 },
    ]);
    if (hasTshark()) {
      // tshark agrees on count and lengths; it shows no time for the SPB (we reuse the previous one).
      expect(tsharkFrames(path).map((f) => [f.frameNo, f.originalLength, f.capturedLength, f.tsMicros === null])).toEqual([[1, 60, 40, false], [2, 60, 40, true]]);
      expect(tsharkFieldsText(path)).toContain('\t60\t40');
    }
  });
});
