/**
 * \summary In-process baselines that show where auscult's replay time goes: plain iteration of
 * the capture with the project's reader, the same with the pcap-parser package (the reader the
 * issue names as the alternative), and iteration plus link/network and application decoding
 * without identification or storage. Each returns the frames seen and the elapsed time.
 */
import { createRequire } from 'node:module';

import { openCapture } from '../src/capture/open-capture.js';
import { decodeFrame } from '../src/decode/frame.js';
import { decodeApplication, type DecodeSink } from '../src/decode/registry.js';

export interface BaselineRun {
  frames: number;
  wallMs: number;
}

/** openCapture iteration: chunked reads and record parsing, no decode. */
export async function iterateCapture(path: string): Promise<BaselineRun> {
  const started = performance.now();
  const source = await openCapture(path);
  let frames = 0;
  let bytes = 0;
  for await (const batch of source.batches()) {
    frames += batch.length;
    for (const f of batch) bytes += f.data.length; // touch each frame so nothing is elided
  }
  if (bytes < 0) throw new Error('unreachable');
  return { frames, wallMs: performance.now() - started };
}

/** openCapture + decodeFrame (Ethernet, VLAN, IP, UDP/TCP): link and network decode only. */
export async function iterateAndDecodeFrame(path: string): Promise<BaselineRun> {
  const started = performance.now();
  const source = await openCapture(path);
  let frames = 0;
  let kinds = 0;
  for await (const batch of source.batches()) {
    for (const captured of batch) if (decodeFrame(captured).value.payloadKind !== 'none') kinds++;
    frames += batch.length;
  }
  if (kinds < 0) throw new Error('unreachable');
  return { frames, wallMs: performance.now() - started };
}

/** openCapture + decodeFrame (Ethernet, VLAN, IP, UDP/TCP) + decodeApplication (DHCP, LLDP, CDP, mDNS). */
export async function iterateAndDecode(path: string): Promise<BaselineRun & { appRecords: number }> {
  const sink: DecodeSink = { anomaly: () => {}, decoded: () => {} };
  const started = performance.now();
  const source = await openCapture(path);
  let frames = 0;
  let appRecords = 0;
  for await (const batch of source.batches()) {
    for (const captured of batch) {
      const { value } = decodeFrame(captured);
      if (value.payloadKind !== 'none' && decodeApplication(value, sink)) appRecords++;
    }
    frames += batch.length;
  }
  return { frames, appRecords, wallMs: performance.now() - started };
}

interface PcapParserEmitter {
  on(event: 'packet', fn: (packet: { header: unknown; data: Buffer }) => void): PcapParserEmitter;
  on(event: 'end', fn: () => void): PcapParserEmitter;
  on(event: 'error', fn: (err: Error) => void): PcapParserEmitter;
}

/** The pcap-parser package (devDependency), iterating packets with no decode. */
export async function iteratePcapParser(path: string): Promise<BaselineRun> {
  const require = createRequire(import.meta.url);
  const pcapParser = require('pcap-parser') as { parse(input: string): PcapParserEmitter };
  const started = performance.now();
  let frames = 0;
  await new Promise<void>((resolve, reject) => {
    pcapParser.parse(path)
      .on('packet', () => { frames++; })
      .on('end', resolve)
      .on('error', reject);
  });
  return { frames, wallMs: performance.now() - started };
}
