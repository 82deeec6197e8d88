/**
 * \summary Visible loss: every place that drops input has a counter, and `/healthz` says so
 * (status fail, one problem per counter) when one of them moved since the previous health check:
 * frames the capture could not copy, the kernel dropping frames for want of room in the capture
 * buffer (pcap_stats ps_drop, src/capture/live.ts),
 * the NIC's real drops (rx_missed/fifo/over errors, the same figure as
 * auscult_nic_rx_missed; NOT rx_dropped, which also counts LLDP/CDP frames the kernel has no
 * handler for and would raise a false alarm on every SPAN port), the stream memory budget cutting flows, TCP
 * reassembly evicting flows for memory, giving up on holes or dropping segments. A sensor falling
 * behind or under a memory attack is then not "ok" while it loses frames. Pure apart from the
 * previous values it keeps.
 */
import { NIC_LOSS_COUNTERS, sumCounters, type SensorSnapshot } from './metrics.js';

/** Pipeline counters that count lost input, with what the /healthz problem says. */
export const LOSS_COUNTERS: Readonly<Record<string, string>> = {
  'stream.budget_cuts': 'TCP flows cut by the stream memory budget (limits.streams.total_bytes)',
  'reassembly.memory_evictions': 'TCP flows evicted for out-of-order memory (limits.reassembly.max_buffered_bytes_total)',
  'reassembly.flows_evicted': 'TCP flows evicted (limits.reassembly.max_flows or the stream budget)',
  'reassembly.gaps': 'TCP bytes lost to holes that never filled',
  'reassembly.segments_dropped': 'TCP segments dropped (limits.reassembly.max_segments_per_direction)',
};

export class LossWatch {
  private previous = new Map<string, number>();

  /** `readNicMissed`: the interface's real NIC drops (tests pass their own); null when unreadable. */
  constructor(private readonly readNicMissed: (ifname: string) => number | null = (i) => sumCounters(i, NIC_LOSS_COUNTERS)) {}

  /** Problems for the loss counters that moved since the previous call (none on the first). */
  problems(s: SensorSnapshot): string[] {
    const now = new Map<string, number>();
    for (const [name, value] of s.counters) if (name in LOSS_COUNTERS) now.set(name, value);
    now.set('capture.app_dropped', s.capture.appDropped);
    now.set('capture.kernel_dropped', s.capture.kernelDropped);
    const missed = this.readNicMissed(s.interface);
    if (missed !== null) now.set('capture.nic_rx_missed', missed);
    const first = this.previous.size === 0;
    const out: string[] = [];
    for (const [name, value] of now) {
      const before = this.previous.get(name) ?? 0;
      if (first || value <= before) continue;
      const what = name === 'capture.app_dropped' ? 'frames the capture could not copy into its ring'
        : name === 'capture.kernel_dropped' ? 'frames dropped by the kernel: the capture socket buffer was full (capture.buffer_size; the sensor reads too slowly)'
        : name === 'capture.nic_rx_missed' ? 'frames lost by the network interface (rx_missed/fifo/over errors)'
        : LOSS_COUNTERS[name];
      out.push(`input lost since the last check: ${value - before} ${what} (${name})`);
    }
    this.previous = now;
    return out;
  }
}
