/**
 * \summary The capture-reader test inputs: our own lab captures from fixtures/capture, the
 * third-party originals read from the shared directory (never copied into the repository), and
 * the variants derived from those originals, built at test time into a scratch directory.
 *
 * The derived variants used to be made with editcap/mergecap/gzip and committed; they are built
 * here instead (same frames, same timestamps and lengths, so the committed `.tshark.tsv` oracles
 * still hold): nanosecond pcap, pcap → pcapng, gzip, two interfaces of different link types in one
 * section, two sections in one file. Written by hand (a few lines over capture-files.ts) because
 * no npm library writes pcapng the way the tests need.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'vitest';

import { buildPcap, buildPcapngSection, readBytes, readPcapSpec, writeScratch, type PcapngBlockSpec } from './capture-files.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from './shared.js';
import { titled } from './tools.js';

/** Originals in the shared directory (see its captures/MANIFEST.tsv), by fixture name. */
export const SHARED_CAPTURES: Readonly<Record<string, string>> = {
  'dhcp-option-33.pcap': 'captures/tcpdump/dhcp-option-33.pcap',
  'dhcp-option-108.pcapng': 'captures/tcpdump/dhcp-option-108.pcapng',
  'vlan-pcp-dei.pcapng': 'captures/zeek/vlan-pcp-dei.pcapng',
};

const OWN_DIR = 'fixtures/capture';

/** True when every shared original the variants need is present. */
export function captureVariantsAvailable(): boolean {
  return Object.values(SHARED_CAPTURES).every((p) => sharedAvailable(p));
}
/** Null when the shared originals are there, else the one-line reason to skip with. */
export const CAPTURE_SKIP: string | null = captureVariantsAvailable() ? null : SHARED_SKIP_REASON;

/** `it`, skipped with CAPTURE_SKIP when the shared originals are absent. */
export function itCaptures(title: string, fn: () => Promise<void> | void): void {
  it.skipIf(CAPTURE_SKIP !== null)(titled(title, CAPTURE_SKIP), fn);
}

/** `describe`, skipped the same way. */
export function describeCaptures(title: string, fn: () => void): void {
  describe.skipIf(CAPTURE_SKIP !== null)(titled(title, CAPTURE_SKIP), fn);
}

/** Microsecond pcap records as pcapng EPBs on interface `id`, with their µs timestamps. */
function epbs(pcap: Buffer, id: number): { ts: bigint; block: PcapngBlockSpec }[] {
  const spec = readPcapSpec(pcap);
  return spec.records.map((r) => {
    const ts = BigInt(r.seconds) * 1_000_000n + BigInt(spec.nanos ? Math.floor(r.fraction / 1000) : r.fraction);
    return { ts, block: { kind: 'epb', interfaceId: id, timestamp: ts, data: r.data, originalLength: r.originalLength ?? r.data.length } };
  });
}

function pcapToPcapng(pcap: Buffer): Buffer {
  const spec = readPcapSpec(pcap);
  return buildPcapngSection({ littleEndian: true, blocks: [{ kind: 'idb', iface: { linkType: spec.linkType, snaplen: spec.snaplen ?? 262144 } }, ...epbs(pcap, 0).map((e) => e.block)] });
}

const BUILDERS: Readonly<Record<string, () => Buffer>> = {
  // editcap -F nsecpcap
  'dhcp-option-33.nsec.pcap': () => {
    const spec = readPcapSpec(original('dhcp-option-33.pcap'));
    return buildPcap({ ...spec, nanos: true, records: spec.records.map((r) => ({ ...r, fraction: r.fraction * 1000 })) });
  },
  // editcap -F pcapng
  'dhcp-option-33.pcapng': () => pcapToPcapng(original('dhcp-option-33.pcap')),
  // gzip -n -9
  'dhcp-option-33.pcap.gz': () => gzipSync(original('dhcp-option-33.pcap'), { level: 9 }),
  'vlan-pcp-dei.pcapng.gz': () => gzipSync(original('vlan-pcp-dei.pcapng'), { level: 9 }),
  // mergecap -F pcapng dhcp-option-33.pcap loopback-sll2.pcap (frames ordered by time)
  'mixed-linktypes.pcapng': () => {
    const a = original('dhcp-option-33.pcap');
    const b = readBytes(join(OWN_DIR, 'loopback-sll2.pcap'));
    const frames = [...epbs(a, 0), ...epbs(b, 1)].sort((x, y) => (x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : 0));
    return buildPcapngSection({ littleEndian: true, blocks: [
      { kind: 'idb', iface: { linkType: readPcapSpec(a).linkType, snaplen: readPcapSpec(a).snaplen ?? 262144 } },
      { kind: 'idb', iface: { linkType: readPcapSpec(b).linkType, snaplen: readPcapSpec(b).snaplen ?? 262144 } },
      ...frames.map((f) => f.block),
    ] });
  },
  // cat vlan-pcp-dei.pcapng dhcp-option-108.pcapng
  'two-sections.pcapng': () => Buffer.concat([original('vlan-pcp-dei.pcapng'), original('dhcp-option-108.pcapng')]),
};

/** Names of the variants built at test time. */
export const DERIVED_CAPTURES: readonly string[] = Object.keys(BUILDERS);

function original(name: string): Buffer {
  const rel = SHARED_CAPTURES[name];
  if (rel === undefined) throw new Error(`not a shared capture: ${name}`);
  return readBytes(sharedPath(rel));
}

const built = new Map<string, string>();

/**
 * The path of a capture-reader fixture by name: ours in fixtures/capture, a shared original, or a
 * derived variant built (once per process) into a scratch directory. When the shared originals
 * are absent it names a file that does not exist (the tests using it skip with CAPTURE_SKIP).
 */
export function capturePath(name: string): string {
  const shared = SHARED_CAPTURES[name];
  if (CAPTURE_SKIP !== null && (shared !== undefined || BUILDERS[name] !== undefined)) return sharedPath('captures', '(absent)', name);
  if (shared !== undefined) return sharedPath(shared);
  const build = BUILDERS[name];
  if (build === undefined) {
    const own = join(OWN_DIR, name);
    if (!existsSync(own)) throw new Error(`no such capture fixture: ${name}`);
    return own;
  }
  let path = built.get(name);
  if (path === undefined) {
    path = writeScratch(name, build());
    built.set(name, path);
  }
  return path;
}

/** The bytes of a capture-reader fixture (see capturePath); empty when the shared originals are absent. */
export function captureBytes(name: string): Buffer {
  const path = capturePath(name);
  return existsSync(path) ? readBytes(path) : Buffer.alloc(0);
}

/** The committed tshark oracle of a fixture (frame, epoch time, lengths), kept for every name. */
export function oraclePath(name: string): string {
  return join(OWN_DIR, `${name}.tshark.tsv`);
}
