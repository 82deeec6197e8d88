/**
 * \summary Prometheus metrics and a health check on a loopback-bound HTTP port: `/metrics`
 * (prom-client text format) and `/healthz` (JSON, 200 healthy / 503 not).
 *
 * Values are read when scraped (collect callbacks), from the capture's statistics and the
 * pipeline's Counters, so the packet path pays nothing for metrics. Counter names map to
 * labelled families: `anomaly.<proto>.<code>` → auscult_decode_anomalies_total{protocol,code},
 * `decoded.<proto>` → auscult_decoded_frames_total{protocol}, everything else (inventory,
 * reassembly, flows, evictions...) → auscult_events_total{name}.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

import type { KnownFrameStats } from './capture/known-frames.js';
import { readInterfaceCounter, type LiveStats } from './capture/live.js';
import { listDevices } from './inventory/device-view.js';
import type { Db } from './inventory/store.js';

/** What the metrics and health endpoints read, each time they are asked. */
export interface SensorSnapshot {
  interface: string;
  capture: LiveStats;
  /** Pipeline counters, cumulative since start. */
  counters: [string, number][];
  /** Devices known (in memory and in the database). */
  devices: number;
  /** Devices held in memory. */
  residentDevices: number;
  rulesLoaded: number;
  reloads: number;
  reloadFailures: number;
  dbWritable: boolean;
  startedMs: number;
  /** Inventory and reconciliation figures (read from the database, at most once a minute). */
  inventory?: InventoryFigures | undefined;
  /** Problems of the configured outputs (a syslog collector unreachable), one line each. */
  outputProblems?: string[];
  /** The known-frame table's figures (src/capture/known-frames.ts), cumulative since start. */
  knownFrames?: KnownFrameStats & { touchesReplayed: number; signaturesReplayed?: number };
}

export interface InventoryFigures {
  openExceptions: { type: string; severity: string; count: number }[];
  devicesByCategory: { category: string; count: number }[];
}

/** NIC counters (/sys/class/net/<if>/statistics) that count frames really lost: missed, FIFO, overrun. */
export const NIC_LOSS_COUNTERS: readonly string[] = ['rx_missed_errors', 'rx_fifo_errors', 'rx_over_errors'];
/** NIC counters that also count frames the host kernel has no handler for (LLDP, CDP): not loss. */
export const NIC_NOHANDLER_COUNTERS: readonly string[] = ['rx_dropped', 'rx_nohandler'];

/** Sum of /sys/class/net/<if>/statistics counters; null when none can be read. */
export function sumCounters(ifname: string, names: readonly string[]): number | null {
  let sum: number | null = null;
  for (const n of names) {
    const v = readInterfaceCounter(ifname, n);
    if (v !== null) sum = (sum ?? 0) + v;
  }
  return sum;
}

export interface Health {
  status: 'ok' | 'fail';
  interface: string;
  capture_open: boolean;
  /** Seconds since the last packet, null before the first. */
  last_packet_age_s: number | null;
  db_writable: boolean;
  devices: number;
  packets_received: number;
  uptime_s: number;
  /** Why status is fail (empty when ok). */
  problems: string[];
}

export function healthOf(s: SensorSnapshot, maxPacketAgeS: number, nowMs = Date.now()): Health {
  const age = s.capture.lastPacketMs === null ? null : Math.max(0, (nowMs - s.capture.lastPacketMs) / 1000);
  const problems: string[] = [];
  if (!s.capture.open) problems.push('capture is not open');
  if (!s.dbWritable) problems.push('database is not writable');
  problems.push(...(s.outputProblems ?? []));
  if (maxPacketAgeS > 0 && (age === null ? (nowMs - s.startedMs) / 1000 > maxPacketAgeS : age > maxPacketAgeS)) {
    problems.push(`no packet for more than ${maxPacketAgeS} s`);
  }
  return {
    status: problems.length === 0 ? 'ok' : 'fail',
    interface: s.interface,
    capture_open: s.capture.open,
    last_packet_age_s: age === null ? null : Math.round(age * 1000) / 1000,
    db_writable: s.dbWritable,
    devices: s.devices,
    packets_received: s.capture.received,
    uptime_s: Math.round((nowMs - s.startedMs) / 1000),
    problems,
  };
}

/** Builds a registry whose every metric is read from `snapshot()` at scrape time. */
export function createMetricsRegistry(snapshot: () => SensorSnapshot): Registry {
  const registry = new Registry();
  // prom-client's names already start with process_/nodejs_: auscult_process_cpu_seconds_total.
  collectDefaultMetrics({ register: registry, prefix: 'auscult_' });
  let current: SensorSnapshot | null = null;
  // One snapshot per scrape: the first collect takes it, the last one clears it.
  const snap = () => (current ??= snapshot());

  const counterFrom = (name: string, help: string, read: (s: SensorSnapshot) => number | null) =>
    new Counter({ name, help, registers: [registry], collect() { const v = read(snap()); this.reset(); if (v !== null) this.inc(v); } });
  const gaugeFrom = (name: string, help: string, read: (s: SensorSnapshot) => number | null) =>
    new Gauge({ name, help, registers: [registry], collect() { const v = read(snap()); this.set(v ?? Number.NaN); } });

  counterFrom('auscult_packets_received_total', 'Frames received from libpcap (after the BPF filter).', (s) => s.capture.received);
  counterFrom('auscult_packets_processed_total', 'Frames run through the pipeline.', (s) => counterValue(s, 'frames.processed'));
  counterFrom('auscult_packets_dropped_app_total', 'Frames the capture could not copy into its ring (not expected: while the ring is full, frames wait in the kernel\'s buffer and are kernel drops if that fills).', (s) => s.capture.appDropped);
  counterFrom('auscult_packets_truncated_total', 'Frames longer than capture.snaplen, cut.', (s) => s.capture.truncated);
  counterFrom('auscult_capture_ring_full_total', 'Times reading stopped because every slab of the in-process ring (capture.ring_bytes) held frames the pipeline had not taken: the rest waited in the kernel\'s buffer. Not a loss; with kernel drops it says the pipeline falls behind.', (s) => s.capture.ringFull);
  // Kernel drops: pcap_stats, added up since open (src/capture/live.ts).
  counterFrom('auscult_packets_dropped_kernel_total', 'Frames dropped by the kernel because the capture buffer was full (capture.buffer_size).',
    (s) => s.capture.kernelDropped);
  gaugeFrom('auscult_packets_dropped_kernel', 'Frames dropped by the kernel since the capture opened (pcap_stats ps_drop: PACKET_STATISTICS tp_drops on Linux).', (s) => s.capture.kernelDropped);
  gaugeFrom('auscult_packets_dropped_interface', 'Frames dropped by the interface since the capture opened (pcap_stats ps_ifdrop; see also auscult_nic_rx_missed).', (s) => s.capture.ifDropped);
  // The kernel's rx_dropped also counts every frame for a protocol it has no handler for (LLDP,
  // CDP, STP on a SPAN port): that is not a loss. Real NIC drops are the missed/FIFO/overrun errors.
  gaugeFrom('auscult_nic_rx_dropped_nohandler', 'NIC rx_dropped + rx_nohandler from /sys/class/net/<if>/statistics: mostly frames for protocols the kernel has no handler for (LLDP, CDP); NOT capture loss.',
    (s) => sumCounters(s.interface, NIC_NOHANDLER_COUNTERS));
  gaugeFrom('auscult_nic_rx_missed', 'NIC drops that lose frames: rx_missed_errors + rx_fifo_errors + rx_over_errors from /sys/class/net/<if>/statistics (since the interface came up).',
    (s) => sumCounters(s.interface, NIC_LOSS_COUNTERS));
  gaugeFrom('auscult_capture_open', '1 while the capture is open.', (s) => (s.capture.open ? 1 : 0));
  gaugeFrom('auscult_last_packet_age_seconds', 'Seconds since the last frame (NaN before the first).',
    (s) => (s.capture.lastPacketMs === null ? null : (Date.now() - s.capture.lastPacketMs) / 1000));
  gaugeFrom('auscult_devices', 'Devices in the inventory.', (s) => s.devices);
  gaugeFrom('auscult_devices_resident', 'Devices held in memory (at most limits.model.max_resident_devices, past it until the next flush).', (s) => s.residentDevices);
  gaugeFrom('auscult_rules_loaded', 'Fingerprint rules loaded.', (s) => s.rulesLoaded);
  gaugeFrom('auscult_database_writable', '1 when the inventory database is writable.', (s) => (s.dbWritable ? 1 : 0));
  counterFrom('auscult_config_reloads_total', 'Successful SIGHUP reloads.', (s) => s.reloads);
  gaugeFrom('auscult_last_capture_timestamp_seconds', 'Unix time of the last frame captured (NaN before the first).',
    (s) => (s.capture.lastPacketMs === null ? null : s.capture.lastPacketMs / 1000));
  new Gauge({
    name: 'auscult_exceptions_open', help: 'Open reconciliation exceptions by type and severity.', labelNames: ['type', 'severity'], registers: [registry],
    collect() {
      this.reset();
      for (const e of snap().inventory?.openExceptions ?? []) this.set({ type: e.type, severity: e.severity }, e.count);
    },
  });
  new Gauge({
    name: 'auscult_devices_by_category', help: 'Devices in the inventory by category (medical, infrastructure, other, unknown...).', labelNames: ['category'], registers: [registry],
    collect() {
      this.reset();
      for (const d of snap().inventory?.devicesByCategory ?? []) this.set({ category: d.category }, d.count);
    },
  });
  counterFrom('auscult_config_reload_failures_total', 'SIGHUP reloads rejected (the previous config and rules stay).', (s) => s.reloadFailures);

  new Counter({
    name: 'auscult_known_frames_total', help: 'Frames by what the known-frame table did with them: hit (decoding skipped), miss, asleep (passed over while the table slept), not_eligible (TCP, other UDP ports, too long).', labelNames: ['result'], registers: [registry],
    collect() {
      this.reset();
      const k = snap().knownFrames;
      if (k === undefined) return;
      this.inc({ result: 'hit' }, k.hits);
      this.inc({ result: 'miss' }, k.misses);
      this.inc({ result: 'asleep' }, k.dormant);
      this.inc({ result: 'not_eligible' }, k.ineligible);
    },
  });
  counterFrom('auscult_known_frames_replayed_total', 'Known-frame hits whose recorded moves were replayed (binder, identification, model and location skipped).', (s) => s.knownFrames?.touchesReplayed ?? null);
  counterFrom('auscult_header_signatures_replayed_total', 'Plain TCP/UDP frames whose sender\'s earlier frame of the same signature had its moves replayed (src/header-signatures.ts).', (s) => s.knownFrames?.signaturesReplayed ?? null);
  counterFrom('auscult_known_frames_sleeps_total', 'Times the known-frame table went to sleep after a probe window with too few repeats (limits.known_frames.probe_window).', (s) => s.knownFrames?.sleeps ?? null);
  new Counter({
    name: 'auscult_decode_anomalies_total', help: 'Decode anomalies by protocol and code.', labelNames: ['protocol', 'code'], registers: [registry],
    collect() {
      this.reset();
      for (const [name, value] of snap().counters) {
        if (!name.startsWith('anomaly.')) continue;
        const [protocol = '', ...rest] = name.slice('anomaly.'.length).split('.');
        this.inc({ protocol, code: rest.join('.') }, value);
      }
    },
  });
  new Counter({
    name: 'auscult_decoded_frames_total', help: 'Frames decoded by each application protocol decoder.', labelNames: ['protocol'], registers: [registry],
    collect() {
      this.reset();
      for (const [name, value] of snap().counters) if (name.startsWith('decoded.')) this.inc({ protocol: name.slice('decoded.'.length) }, value);
    },
  });
  new Counter({
    name: 'auscult_events_total', help: 'Every other pipeline counter (inventory, flows, reassembly, evictions, warnings), by name.', labelNames: ['name'], registers: [registry],
    collect() {
      this.reset();
      for (const [name, value] of snap().counters) {
        if (name.startsWith('anomaly.') || name.startsWith('decoded.') || name === 'frames.processed') continue;
        this.inc({ name }, value);
      }
      current = null; // registered last: the scrape is complete
    },
  });
  return registry;
}

function counterValue(s: SensorSnapshot, name: string): number {
  for (const [n, v] of s.counters) if (n === name) return v;
  return 0;
}

export interface MetricsServer {
  server: Server;
  /** The bound address (port resolved when 0 was asked). */
  address: { host: string; port: number };
  close(): Promise<void>;
}

/** Serves /metrics and /healthz on host:port. Rejects when the port cannot be bound. */
export async function startMetricsServer(host: string, port: number, registry: Registry, health: () => Health): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType }).end(text);
      }, (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(err as Error).message}\n`);
      });
      return;
    }
    if (path === '/healthz') {
      const h = health();
      res.writeHead(h.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(h)}\n`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host === 'localhost' ? '127.0.0.1' : host, () => { server.off('error', reject); resolve(); });
  });
  const addr = server.address();
  const bound = typeof addr === 'object' && addr !== null ? { host: addr.address, port: addr.port } : { host, port };
  return {
    server,
    address: bound,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => { resolve(); }); }),
  };
}

/**
 * Open exceptions by type and severity, and devices by category, from the database. Categories
 * come from the device view (the same as `devices` shows), so this is cached by the caller.
 */
export function inventoryFigures(db: Db): InventoryFigures {
  const openExceptions = db.prepare("SELECT type, severity, count(*) AS count FROM exception WHERE status = 'open' GROUP BY type, severity ORDER BY type, severity")
    .all() as { type: string; severity: string; count: number }[];
  const byCategory = new Map<string, number>();
  for (const d of listDevices(db)) byCategory.set(d.category, (byCategory.get(d.category) ?? 0) + 1);
  return { openExceptions, devicesByCategory: [...byCategory].sort(([a], [b]) => a.localeCompare(b)).map(([category, count]) => ({ category, count })) };
}
