/**
 * \summary The capture files under some directories, walked recursively in name order: the
 * fixtures every whole-pipeline test replays (golden fixtures, the known-frame differential, the
 * cold tier's snapshot check) and the shared captures.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/** The fixture folders whose captures replay through the whole pipeline. */
export const FIXTURE_DIRS = ['dhcp', 'lldp', 'mdns', 'demo', 'dicom', 'hl7', 'tunnels', 'capture', 'lab', 'core'];

const CAPTURE = /\.pcap(ng)?(\.gz)?$/;

function walk(dir: string, out: string[]): void {
  let names: string[] = [];
  try { names = readdirSync(dir); } catch { return; }
  for (const n of names.sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (CAPTURE.test(n)) out.push(p);
  }
}

/** Every capture file (pcap, pcapng, gzipped or not) under `dirs`, each directory in name order. */
export function captureFiles(dirs: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of dirs) walk(d, out);
  return out;
}

/** Every capture under `fixtures/<FIXTURE_DIRS>`. */
export function fixtureCaptures(): string[] {
  return captureFiles(FIXTURE_DIRS.map((d) => join(ROOT, 'fixtures', d)));
}
