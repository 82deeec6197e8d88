// Cut real captures at every byte offset: the reader never throws past the header, yields exactly
// the frames whose records end before the cut, and says so with at most one warning.
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';

import type { CapturedFrame, CaptureWarning } from '../../../src/capture/captured-frame.js';
import { openCapture, parseCaptureBuffer } from '../../../src/capture/open-capture.js';
import { AuscultError } from '../../../src/errors.js';
import { recordLayout, reencodePcapng, writeScratch } from '../../helpers/capture-files.js';
import { CAPTURE_SKIP, captureBytes, describeCaptures } from '../../helpers/capture-variants.js';

// The originals are in the shared directory, the variants built at test time (capture-variants.ts).
const FILES: Record<string, Buffer> = CAPTURE_SKIP !== null ? {} : {
  'dhcp-option-33.pcap': captureBytes('dhcp-option-33.pcap'),
  'dhcp-option-33.nsec.pcap': captureBytes('dhcp-option-33.nsec.pcap'),
  'vlan-pcp-dei.pcapng': captureBytes('vlan-pcp-dei.pcapng'),
  'two-sections.pcapng': captureBytes('two-sections.pcapng'),
  'mixed-linktypes.pcapng': captureBytes('mixed-linktypes.pcapng'),
  'vlan-pcp-dei big-endian': reencodePcapng(captureBytes('vlan-pcp-dei.pcapng'), false),
};

function summary(frames: CapturedFrame[]): unknown[] {
  return frames.map((f) => [f.frameNo, f.tsMicros, f.linkType, f.originalLength, Buffer.from(f.data).toString('hex')]);
}

/** What a cut at `cut` must give: frames ending at or before it; one warning unless it hits a boundary. */
function expectCut(full: CapturedFrame[], bytes: Buffer, cut: number, frames: CapturedFrame[], warnings: CaptureWarning[]): void {
  const layout = recordLayout(bytes);
  const whole = layout.packetEnds.filter((end) => end <= cut).length;
  expect(summary(frames)).toEqual(summary(full.slice(0, whole)));
  if (cut === bytes.length || layout.boundaries.includes(cut)) {
    expect(warnings).toEqual([]);
  } else {
    const recordStart = [0, ...layout.boundaries].filter((b) => b <= cut).pop() ?? 0;
    expect(warnings).toEqual([{ code: 'capture.truncated_record', offset: recordStart, message: expect.any(String) as string }]);
  }
}

describeCaptures('cutting a capture at every offset (in memory)', () => {
  for (const [name, bytes] of Object.entries(FILES)) {
    it(`${name}: ${bytes.length + 1} cuts`, () => {
      const full = parseCaptureBuffer(bytes).frames;
      const { headerLength } = recordLayout(bytes);
      expect(full.length).toBe(recordLayout(bytes).packetEnds.length);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const prefix = bytes.subarray(0, cut);
        if (cut < headerLength) {
          expect(() => parseCaptureBuffer(prefix)).toThrow(AuscultError);
          continue;
        }
        const { frames, warnings } = parseCaptureBuffer(prefix);
        expectCut(full, bytes, cut, frames, warnings);
      }
    });
  }
});

describeCaptures('cutting a capture file on disk', () => {
  it('vlan-pcp-dei.pcapng cut at every offset, read through openCapture', async () => {
    const bytes = FILES['vlan-pcp-dei.pcapng'] ?? Buffer.alloc(0);
    const full = parseCaptureBuffer(bytes).frames;
    for (let cut = 0; cut <= bytes.length; cut++) {
      const path = writeScratch('cut.pcapng', bytes.subarray(0, cut));
      if (cut < 16) {
        await expect(openCapture(path)).rejects.toMatchObject({ code: 'AUS_ERR_CAPTURE_HEADER', where: { file: path, offset: 0 } });
        continue;
      }
      const source = await openCapture(path, { batchSize: 3 });
      const frames: CapturedFrame[] = [];
      for await (const batch of source.batches()) frames.push(...batch);
      expectCut(full, bytes, cut, frames, source.warnings);
    }
  });

  it('gzipped pcap cut at every offset: a prefix of the frames and at most one warning', async () => {
    const bytes = FILES['dhcp-option-33.pcap'] ?? Buffer.alloc(0);
    const full = summary(parseCaptureBuffer(bytes).frames);
    const gz = gzipSync(bytes);
    let sawFramesWithWarning = false;
    for (let cut = 0; cut <= gz.length; cut++) {
      const path = writeScratch('cut.pcap.gz', gz.subarray(0, cut));
      // What zlib can recover from the cut stream.
      const recoverable = cut < 10 ? 0 : gunzipSync(gz.subarray(0, cut), { finishFlush: constants.Z_SYNC_FLUSH }).length;
      if (recoverable < 24) {
        // Too little survives to show a header: refused before any frame, as a header error.
        await expect(openCapture(path)).rejects.toMatchObject({ code: 'AUS_ERR_CAPTURE_HEADER' });
        continue;
      }
      const source = await openCapture(path);
      const frames: CapturedFrame[] = [];
      for await (const batch of source.batches()) frames.push(...batch);
      expect(summary(frames)).toEqual(full.slice(0, frames.length));
      if (cut === gz.length) expect(source.warnings).toEqual([]);
      else expect(source.warnings.map((w) => w.code)).toEqual(['capture.gzip_error']);
      if (frames.length > 0 && cut < gz.length) sawFramesWithWarning = true;
    }
    expect(sawFramesWithWarning).toBe(true);
  });
});
