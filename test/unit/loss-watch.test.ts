import { describe, expect, it } from 'vitest';
import { LossWatch } from '../../src/loss-watch.js';
import type { SensorSnapshot } from '../../src/metrics.js';

const snapshot = (counters: [string, number][], appDropped = 0, nicRxDropped: number | null = null): SensorSnapshot => ({
  interface: 'eth1',
  capture: { received: 100, appDropped, truncated: 0, delivered: 100, kernelDropped: null, ifDropped: null, nicRxDropped, lastPacketMs: Date.now(), open: true },
  counters, devices: 0, residentDevices: 0, rulesLoaded: 0, reloads: 0, reloadFailures: 0, dbWritable: true, startedMs: Date.now(),
});

describe('LossWatch (/healthz problems when input is lost)', () => {
  it('says nothing on the first check, then one problem per loss counter that moved, and nothing once it stops moving', () => {
    const w = new LossWatch();
    expect(w.problems(snapshot([['stream.budget_cuts', 3]], 5, 1)).length).toBe(0);
    const moved = w.problems(snapshot([['stream.budget_cuts', 7], ['reassembly.gaps', 2], ['frames.processed', 900]], 9, 1));
    expect(moved).toEqual([
      'input lost since the last check: 4 TCP flows cut by the stream memory budget (limits.streams.total_bytes) (stream.budget_cuts)',
      'input lost since the last check: 2 TCP bytes lost to holes that never filled (reassembly.gaps)',
      'input lost since the last check: 4 frames dropped because the in-process ring was full (the sensor is falling behind) (capture.app_dropped)',
    ]);
    expect(w.problems(snapshot([['stream.budget_cuts', 7], ['reassembly.gaps', 2]], 9, 3))).toEqual([
      'input lost since the last check: 2 frames dropped by the network interface (rx_dropped) (capture.nic_rx_dropped)',
    ]);
    expect(w.problems(snapshot([['stream.budget_cuts', 7], ['reassembly.gaps', 2]], 9, 3))).toEqual([]);
  });
});
