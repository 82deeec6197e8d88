/**
 * Replaying into reused read buffers changes no result (issue 14): every fixture and shared capture,
 * read in 4 KiB and 64 KiB chunks into reused buffers (so buffers are reused many times within one
 * file, and records straddle chunks), gives the same `devices --json` (with history) and counters
 * as reading it through a stream, which never reuses memory. A stage that kept a view of a frame
 * past its batch would see other bytes there and differ.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KNOWN_FRAME_LIMITS } from '../../src/capture/known-frames.js';
import { openCapture } from '../../src/capture/open-capture.js';
import { checkConfig, runtimeLimits } from '../../src/config.js';
import { listDevices } from '../../src/inventory/device-view.js';
import { silentLogger } from '../../src/log.js';
import { openPipeline } from '../../src/pipeline.js';
import { captureFiles, fixtureCaptures } from '../helpers/fixture-captures.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../helpers/shared.js';

const LIMITS = { ...runtimeLimits(checkConfig(null, null, { env: {} }).config!), timestamps: { earliestMicros: 0, maxForwardJumpMicros: 2 ** 52 } };

async function view(paths: readonly string[], replayReads: { reuseReadBuffers: boolean; readChunkBytes?: number }): Promise<string> {
  const pipeline = openPipeline(':memory:', { logger: silentLogger(), limits: LIMITS, knownFrames: { ...KNOWN_FRAME_LIMITS, enabled: true }, replayReads });
  for (const p of paths) await pipeline.replayFile(p);
  const devices = listDevices(pipeline.db, { withHistory: true });
  const counters = Object.fromEntries(pipeline.counters.entries().filter(([k]) => !k.startsWith('inventory.devices_created')));
  pipeline.db.close();
  return `${JSON.stringify({ devices, counters }, null, 2)}\n`;
}

async function same(files: readonly string[]): Promise<void> {
  for (const f of files) {
    const streamed = await view([f, f], { reuseReadBuffers: false });
    for (const readChunkBytes of [4096, 65536]) expect(await view([f, f], { reuseReadBuffers: true, readChunkBytes }), `${f} in ${readChunkBytes}-byte reads`).toBe(streamed);
  }
}

describe('reused read buffers give the same inventory as a stream', () => {
  it('frames of a batch read in small reused buffers are the bytes a stream gives', async () => {
    const files = fixtureCaptures().filter((f) => !f.endsWith('.gz')).slice(0, 6);
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const streamed: string[] = [];
      for await (const batch of (await openCapture(f)).batches()) for (const fr of batch) streamed.push(Buffer.from(fr.data).toString('hex'));
      const reused: string[] = [];
      // Copied while the batch is current, as the contract says.
      for await (const batch of (await openCapture(f, { reuseReadBuffers: true, readChunkBytes: 1024, batchSize: 7 })).batches()) for (const fr of batch) reused.push(Buffer.from(fr.data).toString('hex'));
      expect(reused).toEqual(streamed);
    }
  });

  it('a consumer that stops after the first frame leaves no file open', async () => {
    const f = fixtureCaptures().filter((x) => !x.endsWith('.gz'))[0] as string;
    const openFiles = (): number => readdirSync('/proc/self/fd').length;
    const before = openFiles();
    for (let i = 0; i < 20; i++) {
      // Stopping here ends the generator inside its loop: its `finally` closes the file.
      for await (const batch of (await openCapture(f, { reuseReadBuffers: true, readChunkBytes: 1024, batchSize: 1 })).batches()) {
        expect(batch.length).toBe(1);
        break;
      }
    }
    expect(openFiles()).toBe(before);
  });

  it('reads synchronously but lets the event loop turn between chunks', async () => {
    const f = fixtureCaptures().filter((x) => !x.endsWith('.gz'))[0] as string;
    const source = await openCapture(f, { reuseReadBuffers: true, readChunkBytes: 1024, batchSize: 1 });
    let turned = false;
    setImmediate(() => { turned = true; });
    let batches = 0;
    let turnedAt = -1;
    for await (const batch of source.batches()) {
      batches += batch.length > 0 ? 1 : 0;
      if (turned && turnedAt < 0) turnedAt = batches;
    }
    expect(batches).toBeGreaterThan(2);
    // The immediate ran before the first chunk was read: frames came after a turn of the loop, not all in one go.
    expect(turnedAt).toBe(1);
  });

  it('every fixture', async () => {
    await same(fixtureCaptures());
  }, 120_000);

  it.skipIf(!sharedAvailable('captures'))('every shared capture', async () => {
    await same(captureFiles([sharedPath('captures')]));
  }, 240_000);
});

if (!sharedAvailable('captures')) console.warn(`read-buffers shared captures: ${SHARED_SKIP_REASON}`);
