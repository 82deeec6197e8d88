import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';

/**
 * Issue 22 (resources): a 1M-row system-of-record export is refused with a bounded peak RSS, not
 * after reading the whole file and parsing 200k rows (302 MiB on main before the fix). The peak
 * is the CLI process's own `process.resourceUsage().maxRSS`, written at exit by a preload module,
 * so the test needs no optional tool.
 */
let dir: string;
let preload: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auscult-e2e-import-mem-'));
  preload = join(dir, 'peak-rss.mjs');
  writeFileSync(
    preload,
    "import { writeFileSync } from 'node:fs';\n" +
      "process.on('exit', () => writeFileSync(process.env.AUSCULT_TEST_PEAK_FILE, String(process.resourceUsage().maxRSS)));\n",
  );
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the built CLI; returns its exit code, stderr and peak RSS in MiB. */
function runMeasured(args: string[]): { code: number; stderr: string; peakMiB: number } {
  const peakFile = join(dir, 'peak.txt');
  rmSync(peakFile, { force: true });
  const r = spawnSync(process.execPath, ['--import', preload, BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, AUSCULT_LOG_LEVEL: 'warn', AUSCULT_TEST_PEAK_FILE: peakFile },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stderr: r.stderr, peakMiB: Number(readFileSync(peakFile, 'utf8')) / 1024 };
}

/** A CMMS-like export of `rows` distinct devices (asset tag, MAC, IP, type), about 53 bytes a row. */
function writeExport(path: string, rows: number): void {
  const lines: Buffer[] = [Buffer.from('Asset Tag,MAC Address,IP Address,Device Type\n')];
  for (let i = 0; i < rows; i++) {
    const h = i.toString(16).padStart(6, '0');
    lines.push(
      Buffer.from(
        `A${String(i).padStart(7, '0')},02:00:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}:01,10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255},Infusion pump\n`,
      ),
    );
  }
  writeFileSync(path, Buffer.concat(lines));
}

describe('auscult import memory', () => {
  it('a 1,000,000-row export (53 MB, under the 64 MiB file cap) is refused at the row cap, exit 66, peak RSS under 200 MB', () => {
    const csv = join(dir, 'big.csv');
    writeExport(csv, 1_000_000);
    const db = join(dir, 'big.db');
    const r = runMeasured(['import', csv, '--db', db]);
    expect(r.code, r.stderr).toBe(66);
    expect(r.stderr).toContain(`${csv}:200002: more than 200000 data rows; refusing a partial import [AUS_ERR_CSV_FILE]`);
    expect(r.peakMiB).toBeGreaterThan(0);
    expect(r.peakMiB).toBeLessThan(200);
    expect(existsSync(db)).toBe(false);
  }, 60_000);
});
