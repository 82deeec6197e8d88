/**
 * Metrics that mean what they say: process metrics are `auscult_process_*` (not
 * `auscult_process_process_*`); NIC counters are split into real drops and frames the kernel had
 * no handler for; open exceptions by type and severity, devices by category and the last capture
 * time are gauges, read from the demo's real database after replay + import + reconcile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/inventory/store.js';
import { createMetricsRegistry, inventoryFigures, type SensorSnapshot } from '../../src/metrics.js';
import { auscult, ROOT } from '../helpers/cli.js';

let dir: string;
let db: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auscult-metrics-'));
  db = join(dir, 'demo.db');
  for (const args of [['replay', join(ROOT, 'fixtures/demo/hospital-demo.pcapng')], ['import', join(ROOT, 'fixtures/demo/sor-export.csv')], ['reconcile']]) {
    const r = auscult([...args, '--db', db], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function snapshot(over: Partial<SensorSnapshot> = {}): SensorSnapshot {
  return {
    interface: 'lo',
    capture: { open: true, received: 10, appDropped: 0, truncated: 0, ringFull: 0, kernelDropped: 0, ifDropped: 0, nicRxDropped: 0, lastPacketMs: 1_700_000_000_000 } as SensorSnapshot['capture'],
    counters: [], devices: 0, residentDevices: 0, rulesLoaded: 0, reloads: 0, reloadFailures: 0, dbWritable: true, startedMs: Date.now(),
    ...over,
  };
}

describe('metrics', () => {
  it('process metrics are auscult_process_*, never auscult_process_process_*', async () => {
    const text = await createMetricsRegistry(() => snapshot()).metrics();
    expect(text).toMatch(/^auscult_process_cpu_seconds_total /m);
    expect(text).toMatch(/^auscult_nodejs_heap_size_used_bytes /m);
    expect(text).not.toContain('auscult_process_process_');
  });

  it('NIC drops are split from frames the kernel had no handler for', async () => {
    const text = await createMetricsRegistry(() => snapshot()).metrics();
    expect(text).toMatch(/^auscult_nic_rx_missed \d+/m);
    expect(text).toMatch(/^auscult_nic_rx_dropped_nohandler \d+/m);
    expect(text).toMatch(/# HELP auscult_nic_rx_dropped_nohandler .*NOT capture loss/);
    expect(text).not.toMatch(/^auscult_nic_rx_dropped /m);
  });

  it('kernel drops are a number: a gauge and a counter', async () => {
    const counted = await createMetricsRegistry(() => snapshot({ capture: { ...snapshot().capture, kernelDropped: 3784 } })).metrics();
    expect(counted).toMatch(/^auscult_packets_dropped_kernel 3784$/m);
    expect(counted).toMatch(/^auscult_packets_dropped_kernel_total 3784$/m);
  });

  it('the times the ring was full are a counter', async () => {
    const text = await createMetricsRegistry(() => snapshot({ capture: { ...snapshot().capture, ringFull: 7 } })).metrics();
    expect(text).toMatch(/^auscult_capture_ring_full_total 7$/m);
  });

  it('open exceptions by type and severity and devices by category come from the database', async () => {
    const handle = openDatabase(db, { readonly: true });
    const figures = inventoryFigures(handle);
    handle.close();
    expect(figures.openExceptions.reduce((n, e) => n + e.count, 0)).toBe(9);
    expect(figures.openExceptions).toContainEqual(expect.objectContaining({ type: 'stale_firmware', count: 1 }));
    expect(figures.devicesByCategory.reduce((n, d) => n + d.count, 0)).toBe(10);
    expect(figures.devicesByCategory.map((d) => d.category)).toContain('medical');
    const text = await createMetricsRegistry(() => snapshot({ inventory: figures })).metrics();
    const sev = figures.openExceptions.find((e) => e.type === 'stale_firmware')?.severity;
    expect(text).toContain(`auscult_exceptions_open{type="stale_firmware",severity="${sev}"} 1`);
    expect(text).toMatch(/^auscult_devices_by_category\{category="medical"\} \d+/m);
    expect(text).toMatch(/^auscult_last_capture_timestamp_seconds 1700000000$/m);
  });

  it('the known-frame table\'s hits, misses, sleeps and replays are counters', async () => {
    const knownFrames = { hits: 5, misses: 7, ineligible: 11, remembered: 3, sendersEvicted: 0, dormant: 13, sleeps: 2, onceForgotten: 0, touchesReplayed: 4, signaturesReplayed: 17 };
    const text = await createMetricsRegistry(() => snapshot({ knownFrames })).metrics();
    expect(text).toMatch(/^auscult_known_frames_total\{result="hit"\} 5$/m);
    expect(text).toMatch(/^auscult_known_frames_total\{result="miss"\} 7$/m);
    expect(text).toMatch(/^auscult_known_frames_total\{result="asleep"\} 13$/m);
    expect(text).toMatch(/^auscult_known_frames_total\{result="not_eligible"\} 11$/m);
    expect(text).toMatch(/^auscult_known_frames_replayed_total 4$/m);
    expect(text).toMatch(/^auscult_known_frames_sleeps_total 2$/m);
    expect(text).toMatch(/^auscult_header_signatures_replayed_total 17$/m);
  });
});
