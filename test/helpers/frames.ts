/**
 * \summary Test helpers that read whole capture files into memory (tests only: the product
 * streams).
 */

import type { CapturedFrame } from '../../src/capture/captured-frame.js';
import { openCapture } from '../../src/capture/open-capture.js';
import { decodeFrame } from '../../src/decode/frame.js';
import type { FrameRecord } from '../../src/decode/frame-record.js';

/** Every frame of a pcap/pcapng file (gzip too), with `data` copied out of the read buffers. */
export async function readCapturedFrames(path: string): Promise<CapturedFrame[]> {
  const source = await openCapture(path);
  const frames: CapturedFrame[] = [];
  for await (const batch of source.batches()) {
    for (const frame of batch) frames.push({ ...frame, data: new Uint8Array(frame.data) });
  }
  return frames;
}

/** Every frame of a capture decoded to a FrameRecord (payload views point into copied data). */
export async function readFrames(path: string): Promise<FrameRecord[]> {
  return (await readCapturedFrames(path)).map((f) => decodeFrame(f).value);
}
