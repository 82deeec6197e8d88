/**
 * \summary The SPAN-like replay capture of `npm run bench`: the `bench:live` mix (about 97 %
 * ordinary unicast TCP/UDP between 64 host pairs, 3 % discovery and medical frames from the
 * fixtures, DICOM and HL7 included; see live-mix.ts) repeated with time moving forward until it
 * holds at least the requested number of packets, written as one classic Ethernet pcap.
 *
 * The main bench capture (generate.ts) is all discovery traffic, where every frame carries facts:
 * the worst case. A hospital SPAN is mostly traffic whose only fact is "this host is still here".
 * Measuring both in the same run shows the range between them.
 *
 * Each repetition is the mix unchanged but for its timestamps (shifted by the mix's span plus one
 * gap), so hosts, ports and TCP sequence numbers repeat: a stream seen again is retransmission to
 * the reassembler, as a looping SPAN replay would be.
 */
import { rmSync } from 'node:fs';

import { LINKTYPE } from '../src/capture/captured-frame.js';
import { openCapture } from '../src/capture/open-capture.js';
import { buildLiveMix, LIVE_FRAME_GAP_MICROS, type LiveMix } from './live-mix.js';
import { PcapWriter } from './pcap-writer.js';

export interface SpanMixCapture {
  path: string;
  packets: number;
  bytes: number;
  repetitions: number;
  /** The mix one repetition is. */
  mix: Omit<LiveMix, 'path'>;
  writeMs: number;
}

/** Builds the mix, then writes it `ceil(minPackets / mix frames)` times into `path`. */
export async function generateSpanMix(root: string, path: string, minPackets: number, extraFixtures: string[]): Promise<SpanMixCapture> {
  const started = performance.now();
  const basePath = `${path}.one.pcap`;
  const built = await buildLiveMix(root, basePath, extraFixtures);
  const mix = { frames: built.frames, bytes: built.bytes, specialFrames: built.specialFrames, ordinaryFrames: built.ordinaryFrames, meanFrameBytes: built.meanFrameBytes, skippedLarge: built.skippedLarge };
  const frames: { tsMicros: number; data: Uint8Array; originalLength: number }[] = [];
  const source = await openCapture(basePath);
  for await (const batch of source.batches()) {
    for (const f of batch) if (f.linkType === LINKTYPE.ETHERNET) frames.push({ tsMicros: f.tsMicros, data: Uint8Array.from(f.data), originalLength: f.originalLength });
  }
  rmSync(basePath, { force: true });
  const first = frames[0];
  const last = frames[frames.length - 1];
  if (!first || !last) throw new Error('the SPAN mix has no frames');
  const span = last.tsMicros - first.tsMicros + LIVE_FRAME_GAP_MICROS;
  const repetitions = Math.ceil(minPackets / frames.length);
  const writer = new PcapWriter(path, LINKTYPE.ETHERNET);
  for (let r = 0; r < repetitions; r++) {
    for (const f of frames) writer.write(f.tsMicros + r * span, f.data, f.originalLength);
  }
  writer.close();
  return { path, packets: writer.records, bytes: writer.bytes, repetitions, mix, writeMs: performance.now() - started };
}
