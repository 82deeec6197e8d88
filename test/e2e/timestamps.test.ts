/**
 * A hostile capture timestamp never poisons the database (issue 22: one far-future pcapng
 * timestamp made replay exit 0, then devices, reconcile, report and later replays exit 70 with a
 * RangeError, and stamped later exception lines with the year 2540).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TIMESTAMP_LIMITS, TimestampWindow } from '../../src/capture/timestamps.js';
import { buildPcapngSection, readBytes, readPcapngSections, writeScratch } from '../helpers/capture-files.js';
import { auscult, ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'auscult-ts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The lab DHCP capture with frame `at` given timestamp `ts` (µs, if_tsresol absent). */
function withTimestamp(at: number, ts: bigint): string {
  const sections = readPcapngSections(readBytes(join(ROOT, 'fixtures/dhcp/lab-dhcp-clients.pcapng')));
  let n = 0;
  for (const s of sections) for (const b of s.blocks) if (b.kind === 'epb' || b.kind === 'opb' || b.kind === 'spb') if (++n === at && b.kind !== 'spb') b.timestamp = ts;
  return writeScratch(`ts-${at}-${ts}.pcapng`, Buffer.concat(sections.map(buildPcapngSection)));
}

describe('capture timestamps outside the sane window', () => {
  it.each([
    ['the largest u64 (past what Date can show)', 0xffff_ffff_ffff_ffffn],
    ['the year 2540', BigInt(Date.UTC(2540, 0, 1)) * 1000n],
    ['1970 (before 1995)', 5_000_000n],
  ])('%s: replay warns and counts, and every later command still works', (_name, ts) => {
    const capture = withTimestamp(3, ts);
    const db = join(dir, `${String(ts)}.db`);
    const replay = auscult(['replay', capture, '--db', db]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stderr).toMatch(/capture\.timestamp_out_of_window|outside the sane window/);
    const devices = auscult(['devices', '--db', db, '--json']);
    expect(devices.code, devices.stderr).toBe(0);
    const list = JSON.parse(devices.stdout) as { first_seen: string; last_seen: string }[];
    expect(list.length).toBeGreaterThan(0);
    for (const d of list) {
      expect(Date.parse(d.last_seen)).toBeLessThan(Date.now() + 86_400_000);
      expect(Date.parse(d.first_seen)).toBeGreaterThanOrEqual(Date.UTC(1995, 0, 1));
    }
    expect(auscult(['report', '--db', db, '--out', join(dir, `report-${String(ts)}`), '--stream', join(dir, `x-${String(ts)}.ndjson`)]).code).toBe(0);
    expect(auscult(['replay', capture, '--db', db]).code).toBe(0);
  });
});

describe('TimestampWindow', () => {
  const now = Date.UTC(2026, 11, 1) * 1000;
  it('keeps in-window times, replaces the rest with the previous in-window time (or now when none)', () => {
    const w = new TimestampWindow(TIMESTAMP_LIMITS, () => now);
    const day = TIMESTAMP_LIMITS.maxForwardJumpMicros;
    const t0 = Date.UTC(2024, 0, 1) * 1000;
    expect(w.check(Number.NaN)).toBe(now);
    expect(w.check(t0)).toBeUndefined();
    expect(w.check(t0 + day)).toBeUndefined(); // exactly a day later: kept
    expect(w.check(t0 + 3 * day)).toBe(t0 + day); // a jump of two days
    expect(w.check(t0 - 5 * day)).toBeUndefined(); // backwards is fine (out-of-order interfaces)
    expect(w.check(1)).toBe(t0 - 5 * day);
    expect(w.check(now + 2 * day)).toBe(t0 - 5 * day); // ahead of the wall clock
    expect(w.replaced).toBe(4);
  });
});
