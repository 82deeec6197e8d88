/**
 * The known-frame fast path changes no result (issue 14): every golden fixture and every shared
 * capture, replayed two or three times into one database with the table on and off (the first
 * pass hits on the file's own repeats, later ones repeat every frame), gives byte-identical
 * `devices --json` (with history) and counters. The fixtures run with the default doorkeeper (a
 * frame remembered at its second sighting), the shared captures with frames remembered at once.
 * The same view as golden.test.ts.
 */
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_FRAME_LIMITS, type KnownFrameLimits } from '../../src/capture/known-frames.js';
import { checkConfig, runtimeLimits } from '../../src/config.js';
import { listDevices } from '../../src/inventory/device-view.js';
import { silentLogger } from '../../src/log.js';
import { openPipeline } from '../../src/pipeline.js';
import { ROOT } from '../helpers/cli.js';
import { captureFiles, fixtureCaptures } from '../helpers/fixture-captures.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../helpers/shared.js';

interface View { text: string; hits: number; misses: number; replayed: number; sleeps: number; signatures: number }

/** The default limits, but every capture time kept: some shared captures predate 1995, and the
 * wall-clock time their first frame would otherwise take differs between the two replays. */
const LIMITS = { ...runtimeLimits(checkConfig(null, null, { env: {} }).config!), timestamps: { earliestMicros: 0, maxForwardJumpMicros: 2 ** 52 } };

async function view(paths: readonly string[], known: KnownFrameLimits): Promise<View> {
  const pipeline = openPipeline(':memory:', { logger: silentLogger(), limits: LIMITS, knownFrames: known });
  for (const p of paths) await pipeline.replayFile(p);
  const devices = listDevices(pipeline.db, { withHistory: true });
  const counters = Object.fromEntries(pipeline.counters.entries().filter(([k]) => !k.startsWith('inventory.devices_created')));
  pipeline.db.close();
  const { hits, misses, touchesReplayed, sleeps, signaturesReplayed } = pipeline.knownFrameStats;
  return { text: `${JSON.stringify({ devices, counters }, null, 2)}\n`, hits, misses, replayed: touchesReplayed, sleeps, signatures: signaturesReplayed };
}

const ON: KnownFrameLimits = { ...KNOWN_FRAME_LIMITS, enabled: true };
const OFF: KnownFrameLimits = { ...KNOWN_FRAME_LIMITS, enabled: false };

/** Both views equal; returns the hits of the table-on replay, and those whose recorded touches
 * were replayed (observe, identify, merge and locate skipped). */
async function differential(paths: readonly string[], limits: KnownFrameLimits = ON): Promise<{ hits: number; replayed: number; signatures: number }> {
  const off = await view(paths, OFF);
  const on = await view(paths, limits);
  expect(off.hits + off.misses).toBe(0);
  expect(on.text, relative(ROOT, paths[0] ?? '')).toBe(off.text);
  return { hits: on.hits, replayed: on.replayed, signatures: on.signatures };
}

describe('known-frame fast path: on and off give the same inventory', () => {
  const fixtures = fixtureCaptures();

  it('there are fixtures, and the table hits on them', async () => {
    expect(fixtures.length).toBeGreaterThan(10);
    // Each fixture replayed three times into one database: later passes repeat every frame.
    let hits = 0;
    let replayed = 0;
    let signatures = 0;
    for (const f of fixtures) {
      // Three passes: the third copy of a frame replays what its second did (when nothing but times and counts moved between).
      const d = await differential([f, f, f]);
      hits += d.hits;
      replayed += d.replayed;
      signatures += d.signatures;
    }
    console.log(`fixtures: ${hits} hits, ${replayed} replayed, ${signatures} plain frames replayed by header signature`);
    expect(hits).toBeGreaterThan(500);
    expect(replayed).toBeGreaterThan(100);
    expect(signatures).toBeGreaterThan(100);
  }, 60_000);

  it.skipIf(!sharedAvailable('captures'))('each shared capture, twice into one database, frames remembered at once', async () => {
    const shared = captureFiles([sharedPath('captures')]);
    expect(shared.length).toBeGreaterThan(10);
    let hits = 0;
    let replayed = 0;
    let signatures = 0;
    for (const f of shared) {
      const d = await differential([f, f], { ...ON, rememberAfter: 1 });
      hits += d.hits;
      replayed += d.replayed;
      signatures += d.signatures;
    }
    console.log(`shared: ${hits} hits, ${replayed} replayed, ${signatures} by header signature`);
    expect(signatures).toBeGreaterThan(100);
    expect(hits).toBeGreaterThan(500);
    expect(replayed).toBeGreaterThan(100);
  }, 120_000);

  it('a table of a few bytes evicts senders, one that sleeps every few frames wakes, and both give the same inventory', async () => {
    const f = join(ROOT, 'fixtures', 'demo', 'hospital-demo.pcapng');
    const off = await view([f, f], OFF);
    const tiny = await view([f, f], { ...ON, maxBytes: 4096, framesPerSender: 2 });
    expect(tiny.text).toBe(off.text);
    // A table that sleeps and wakes every few frames: the same inventory.
    const restless = await view([f, f], { ...ON, probeWindow: 8, minRepeatShare: 0.9 });
    expect(restless.text).toBe(off.text);
    expect(restless.sleeps).toBeGreaterThan(0);
    // Two header signatures at most: the table empties itself over and over.
    const cramped = await view([f, f], { ...ON, maxHeaderSignatures: 2 });
    expect(cramped.text).toBe(off.text);
    expect(restless.hits).toBeGreaterThan(0);
  });
});

if (!sharedAvailable('captures')) console.warn(`known-frames shared captures: ${SHARED_SKIP_REASON}`);
