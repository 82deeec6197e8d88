import { describe, expect, it } from 'vitest';
import { LossWatch } from '../../src/loss-watch.js';
import type { SensorSnapshot } from '../../src/metrics.js';

const snapshot = (counters: [string, number][], appDropped = 0, nicRxDropped: number | null = null, kernelDropped = 0): SensorSnapshot => ({
  interface: 'eth1',
  capture: { received: 100, appDropped, truncated: 0, delivered: 100, ringFull: 0, kernelDropped, ifDropped: 0, nicRxDropped, lastPacketMs: Date.now(), open: true },
  counters, devices: 0, residentDevices: 0, rulesLoaded: 0, reloads: 0, reloadFailures: 0, dbWritable: true, startedMs: Date.now(),
});

describe('LossWatch (/healthz problems when input is lost)', () => {
  it('says nothing on the first check, then one problem per loss counter that moved, and nothing once it stops moving', () => {
    let missed = 1;
    const w = new LossWatch(() => missed);
    expect(w.problems(snapshot([['stream.budget_cuts', 3]], 5, 1)).length).toBe(0);
    const moved = w.problems(snapshot([['stream.budget_cuts', 7], ['reassembly.gaps', 2], ['frames.processed', 900]], 9, 1));
    expect(moved).toEqual([
      'input lost since the last check: 4 TCP flows cut by the stream memory budget (limits.streams.total_bytes) (stream.budget_cuts)',
      'input lost since the last check: 2 TCP bytes lost to holes that never filled (reassembly.gaps)',
      'input lost since the last check: 4 frames the capture could not copy into its ring (capture.app_dropped)',
    ]);
    missed = 3;
    expect(w.problems(snapshot([['stream.budget_cuts', 7], ['reassembly.gaps', 2]], 9, 1))).toEqual([
      'input lost since the last check: 2 frames lost by the network interface (rx_missed/fifo/over errors) (capture.nic_rx_missed)',
    ]);
    expect(w.problems(snapshot([['stream.budget_cuts', 7], ['reassembly.gaps', 2]], 9, 1))).toEqual([]);
  });

  it('does not count the NIC rx_dropped (LLDP/CDP frames the kernel has no handler for) as loss', () => {
    const w = new LossWatch(() => 0);
    expect(w.problems(snapshot([], 0, 10))).toEqual([]);
    // A SPAN port with LLDP every 30 s: rx_dropped climbs, nothing is lost.
    expect(w.problems(snapshot([], 0, 250))).toEqual([]);
    expect(w.problems(snapshot([], 0, 4000))).toEqual([]);
  });

  it('says nothing about the NIC when its counters cannot be read', () => {
    const w = new LossWatch(() => null);
    w.problems(snapshot([], 0, 1));
    expect(w.problems(snapshot([], 0, 99))).toEqual([]);
  });

  it('kernel drops (the capture socket buffer full) are a problem when they move, like the ring\'s', () => {
    const w = new LossWatch(() => 0);
    expect(w.problems(snapshot([], 0, 0, 12))).toEqual([]);
    expect(w.problems(snapshot([], 0, 0, 12))).toEqual([]);
    expect(w.problems(snapshot([], 0, 0, 3796))).toEqual([
      'input lost since the last check: 3784 frames dropped by the kernel: the capture socket buffer was full (capture.buffer_size; the sensor reads too slowly) (capture.kernel_dropped)',
    ]);
    expect(w.problems(snapshot([], 0, 0, 3796))).toEqual([]);
  });

});
