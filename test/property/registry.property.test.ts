/**
 * The property harness over the registry: it walks APP_PROTOCOLS, so every application decoder,
 * present and future, is covered without a line here. fast-check seed 42; per protocol 10,000
 * runs split as 4,000 arbitrary inputs, 3,000 prefixes of real payloads and 3,000 byte-flipped
 * real payloads, plus every prefix of every real payload where that fits the time budget.
 *
 * Real payloads: every frame of every capture under fixtures/ (recursively, gzip included) for
 * which `entry.matches(frame)` holds. A protocol without a real payload in fixtures/ fails the
 * harness: each protocol brings its fixtures (style guide §11).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../src/decode/bytes.js';
import { decodeFrame } from '../../src/decode/frame.js';
import type { FrameRecord } from '../../src/decode/frame-record.js';
import { APP_PROTOCOLS, decodeApplication, type AppProtocol } from '../../src/decode/registry.js';
import { readCapturedFrames } from '../helpers/frames.js';
import { REMOTE_ACCESS_SKIP, SHARED_ONLY_PROTOCOLS, sharedAvailable, sharedPath } from '../helpers/shared.js';
import { titled } from '../helpers/tools.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const SEED = 42;
const RUNS = { arbitrary: 4_000, prefix: 3_000, flip: 3_000 } as const;
/** Exhaustive prefixes run while a protocol's corpus stays under this many bytes in total. */
const EXHAUSTIVE_PREFIX_BYTES = 500_000;

/** Every frame of every fixture capture, decoded. */
const frames: FrameRecord[] = [];
/** Distinct real payloads per protocol name. */
const payloads = new Map<string, Uint8Array[]>();
const unreadable: string[] = [];

beforeAll(async () => {
  const names = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
    .filter((n) => /\.(pcap|pcapng)(\.gz)?$/.test(n))
    .sort();
  for (const name of names) {
    try {
      for (const c of await readCapturedFrames(FIXTURES + name)) frames.push(decodeFrame(c).value);
    } catch {
      unreadable.push(name);
    }
  }
  // Issue 20: nDPI's remote-access captures (TeamViewer has no free software to record a fixture
  // from), read from the shared directory, never copied into fixtures/.
  if (sharedAvailable('captures', 'remote-access')) {
    const dir = sharedPath('captures', 'remote-access');
    for (const name of readdirSync(dir).filter((n) => /\.(pcap|pcapng)$/.test(n)).sort()) {
      for (const c of await readCapturedFrames(`${dir}/${name}`)) frames.push(decodeFrame(c).value);
    }
  }
  for (const entry of APP_PROTOCOLS) {
    const seen = new Map<string, Uint8Array>();
    for (const f of frames) if (entry.matches(f)) seen.set(toHex(f.payload), Uint8Array.from(f.payload));
    payloads.set(entry.name, [...seen.values()]);
  }
}, 120_000);

function corpusOf(entry: AppProtocol): Uint8Array[] {
  return payloads.get(entry.name) ?? [];
}

/** Decodes; anything but a code from the entry's own list (or a throw) fails the property. */
function decodeChecked(entry: AppProtocol, bytes: Uint8Array): void {
  const { anomalies } = entry.decode(bytes);
  for (const a of anomalies) {
    if (!entry.anomalyCodes.includes(a)) expect.fail(`${entry.name} yielded ${a}, not in its anomalyCodes`);
  }
}

describe('registry harness: every APP_PROTOCOLS entry', () => {
  it('the fixtures are readable and the registry names are unique', () => {
    expect(unreadable).toEqual([]);
    expect(frames.length).toBeGreaterThan(1000);
    const names = APP_PROTOCOLS.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('decodeApplication over every real frame: no decoder throws, every code is declared', () => {
    const codes: string[] = [];
    const decodedBy = new Map<string, number>();
    const sink = { anomaly: (c: string) => codes.push(c), decoded: (p: string) => decodedBy.set(p, (decodedBy.get(p) ?? 0) + 1) };
    for (const f of frames) decodeApplication(f, sink);
    expect(codes.filter((c) => c.startsWith('decoder_threw.'))).toEqual([]);
    const declared = new Set<string>(APP_PROTOCOLS.flatMap((e) => e.anomalyCodes));
    expect(codes.filter((c) => !declared.has(c))).toEqual([]);
    for (const e of APP_PROTOCOLS) {
      if (REMOTE_ACCESS_SKIP !== null && SHARED_ONLY_PROTOCOLS.has(e.name)) continue;
      expect(decodedBy.get(e.name) ?? 0, e.name).toBeGreaterThan(0);
    }
  });

  for (const entry of APP_PROTOCOLS) {
    // Without the shared captures these protocols have no real payloads: their corpus tests skip.
    const corpusSkip = SHARED_ONLY_PROTOCOLS.has(entry.name) ? REMOTE_ACCESS_SKIP : null;
    describe(entry.name, () => {
      it('declares anomaly codes named after itself', () => {
        expect(entry.anomalyCodes.length).toBeGreaterThan(0);
        for (const code of entry.anomalyCodes) expect(code.startsWith(`${entry.name}.`), code).toBe(true);
      });

      it.skipIf(corpusSkip !== null)(titled('has real payloads in fixtures/', corpusSkip), () => {
        expect(corpusOf(entry).length).toBeGreaterThan(0);
      });

      it(`arbitrary bytes never throw and give only its own codes (${RUNS.arbitrary} runs)`, () => {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => decodeChecked(entry, bytes)),
          { seed: SEED, numRuns: RUNS.arbitrary },
        );
      });

      it.skipIf(corpusSkip !== null)(titled(`prefixes of real payloads never throw (${RUNS.prefix} runs, exhaustive when small)`, corpusSkip), () => {
        const corpus = corpusOf(entry);
        const total = corpus.reduce((n, p) => n + p.length, 0);
        if (total <= EXHAUSTIVE_PREFIX_BYTES) {
          for (const p of corpus) for (let n = 0; n <= p.length; n++) decodeChecked(entry, p.subarray(0, n));
        }
        const arb = fc.nat({ max: corpus.length - 1 }).chain((i) => fc.tuple(fc.constant(i), fc.nat({ max: corpus[i]?.length ?? 0 })));
        fc.assert(
          fc.property(arb, ([i, n]) => decodeChecked(entry, (corpus[i] as Uint8Array).subarray(0, n))),
          { seed: SEED, numRuns: RUNS.prefix },
        );
      });

      it.skipIf(corpusSkip !== null)(titled(`random byte flips of real payloads never throw (${RUNS.flip} runs)`, corpusSkip), () => {
        const corpus = corpusOf(entry);
        const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 16 });
        fc.assert(
          fc.property(fc.nat({ max: corpus.length - 1 }), flips, (i, changes) => {
            const bytes = Uint8Array.from(corpus[i] as Uint8Array);
            for (const [at, xor] of changes) if (bytes.length > 0) bytes[at % bytes.length] = (bytes[at % bytes.length] ?? 0) ^ xor;
            decodeChecked(entry, bytes);
          }),
          { seed: SEED, numRuns: RUNS.flip },
        );
      });
    });
  }
});
