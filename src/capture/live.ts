/**
 * \summary Live capture from a network interface through libpcap, receive-only: auscult's own
 * addon (native/pcap-capture, loaded by libpcap.ts), whose reasons are given there.
 *
 * libpcap runs without immediate mode (TPACKET_V3 on Linux: blocks of frames at their captured
 * length), non-blocking; when the kernel hands over a block, the addon's poll calls
 * `readAvailable`, which copies what the kernel holds into ring slabs, one `dispatch` per batch.
 * The consumer gets whole batches on setImmediate, so reading never waits on the pipeline. When
 * no slab is free, frames stay in the kernel's buffer (`capture.buffer_size`) until a delivery
 * frees one; what that buffer has no room for is a kernel drop, from pcap_stats. Frames carry the
 * kernel's timestamp and their wire length; one longer than snaplen is cut and counted as
 * `truncated`. NIC drops come from /sys/class/net/<if>/statistics. Nothing here or in the addon
 * can transmit (the addon links no sending function; a test reads its symbols).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

import { AuscultError } from '../errors.js';
import type { CapturedFrame } from './captured-frame.js';
import { BLOCK_TIMEOUT_MS, linkTypeOfDlt, loadPcapAddon, pcapAddonUnavailable, RECORD_HEADER_BYTES, walkCaptureRecords, WrappingTotal, type PcapAddon, type PcapHandle } from './libpcap.js';

/** How long finish() waits for the kernel to hand over its last, partly filled block: twice the
 * block timeout, for the kernel's timer granularity (a jiffy is 4 ms at HZ=250). */
const FINISH_WAIT_MS = 2 * BLOCK_TIMEOUT_MS;
/** At most this many read-and-deliver rounds in finish() (each frees every slab): a bound, not a
 * figure reached; a kernel buffer refilled as fast as it is read would otherwise never end. */
const FINISH_MAX_ROUNDS = 64;

export interface LiveCaptureOptions {
  interface: string;
  /** Bytes the kernel keeps of each frame (64..65535). */
  snaplen: number;
  /** libpcap kernel buffer size in bytes. */
  bufferSize: number;
  /** pcap-filter(7) expression; '' captures everything. */
  bpfFilter: string;
  /** Bytes of the in-process ring. */
  ringBytes: number;
  /** Frames per batch handed to the consumer (default 1024). */
  batchFrames?: number;
  /** Told once when reading fails (the interface went away, say); the capture is then closed. */
  onFailure?: (reason: string) => void;
}

/** Capture statistics, cumulative since open. */
export interface LiveStats {
  /** Frames read from libpcap (after the BPF filter). */
  received: number;
  /** Frames the addon could not copy into a slab (never expected: it checks room first). */
  appDropped: number;
  /** Frames longer than snaplen, cut. */
  truncated: number;
  /** Frames handed to the consumer. */
  delivered: number;
  /**
   * Times reading stopped because every ring slab (`capture.ring_bytes`) held frames the pipeline
   * had not taken yet: the rest waited in the kernel's buffer. Not a loss; rising with kernel
   * drops, it says the pipeline is what falls behind.
   */
  ringFull: number;
  /**
   * Dropped by the kernel since open, for want of room in the capture buffer
   * (capture.buffer_size): pcap_stats' ps_drop (PACKET_STATISTICS tp_drops on Linux).
   */
  kernelDropped: number;
  /** Dropped by the interface driver since open (pcap_stats ps_ifdrop). */
  ifDropped: number;
  /** The NIC's rx_dropped counter from /sys (since the interface came up); null when unreadable. */
  nicRxDropped: number | null;
  /** Kernel timestamp (ms) of the last frame received, null before the first. */
  lastPacketMs: number | null;
  open: boolean;
}

/** Consumer of batches: called on setImmediate, with frames whose `data` views a ring slab
 * that is reused after the call returns (copy to keep). */
export type BatchConsumer = (frames: CapturedFrame[]) => void;

/** Slab size of the ring: many frames per slab, one slab per batch. */
const SLAB_BYTES = 1 << 20;

interface Batch {
  slab: Buffer;
  used: number;
  frames: CapturedFrame[];
}

/** Reads a /sys/class/net/<if>/statistics counter; null when absent or unreadable. */
export function readInterfaceCounter(ifname: string, counter: string): number | null {
  if (!/^[\w.:@-]{1,15}$/.test(ifname)) return null;
  try {
    const n = Number(readFileSync(`/sys/class/net/${ifname}/statistics/${counter}`, 'utf8').trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** True when the interface exists (Linux /sys); elsewhere libpcap's open says. */
export function interfaceExists(ifname: string): boolean {
  if (existsSync('/sys/class/net')) return /^[\w.:@-]{1,15}$/.test(ifname) && existsSync(`/sys/class/net/${ifname}`) || ifname === 'any';
  return true;
}

/** Maps a libpcap error text to the error a user should see. */
export function classifyOpenError(ifname: string, message: string, filter: string): AuscultError {
  if (/permission|not permitted|EPERM|EACCES/i.test(message)) {
    return new AuscultError('AUS_ERR_PERMISSION',
      `cannot open interface ${ifname}: ${message}: needs CAP_NET_RAW (run as root, or setcap cap_net_raw+eip on node, or AmbientCapabilities=CAP_NET_RAW in the systemd unit)`);
  }
  if (/no such device|doesn't exist|does not exist|not found|ENODEV/i.test(message)) {
    return new AuscultError('AUS_ERR_NO_INTERFACE', `no such interface: ${ifname} (${message})`);
  }
  if (filter !== '' && /syntax|parse|filter|expression|unknown|illegal|bpf/i.test(message)) {
    return new AuscultError('AUS_ERR_BPF', `capture.bpf_filter does not compile: ${message}`);
  }
  return new AuscultError('AUS_ERR_NO_INTERFACE', `cannot capture on ${ifname}: ${message}`);
}

/** A receive-only live capture on one interface. */
export class LiveCapture {
  /** LINKTYPE of the interface. */
  readonly linkType: number;
  /** A warning libpcap gave while activating, or ''. */
  readonly activationWarning: string;
  private readonly addon: PcapAddon;
  private readonly handle: PcapHandle;
  private readonly snaplen: number;
  private readonly free: Buffer[] = [];
  private readonly ready: Batch[] = [];
  private current: Batch | null = null;
  private slabsAllocated = 0;
  private readonly maxSlabs: number;
  private readonly batchFrames: number;
  private scheduled = false;
  private closed = false;
  private readonly counts = { received: 0, truncated: 0, delivered: 0, ringFull: 0 };
  private lastPacketMs: number | null = null;
  /** pcap_stats' u32 counters, added up. */
  private readonly kernelDropped = new WrappingTotal();
  private readonly ifDropped = new WrappingTotal();
  private readonly lost = new WrappingTotal();
  /** Why reading stopped, when it failed; null while it has not. */
  failure: string | null = null;

  private constructor(private readonly options: LiveCaptureOptions, private readonly consumer: BatchConsumer) {
    const addon = loadPcapAddon();
    if (addon === null) {
      throw new AuscultError('AUS_ERR_NO_INTERFACE', `live capture is unavailable: ${pcapAddonUnavailable()}`);
    }
    if (!interfaceExists(options.interface)) {
      throw new AuscultError('AUS_ERR_NO_INTERFACE', `no such interface: ${options.interface}`);
    }
    this.addon = addon;
    this.maxSlabs = Math.max(2, Math.floor(options.ringBytes / SLAB_BYTES));
    this.batchFrames = Math.max(1, options.batchFrames ?? 1024);
    this.snaplen = Math.min(65535, Math.max(64, options.snaplen));
    let opened: [PcapHandle, number, string];
    try {
      opened = addon.open(options.interface, this.snaplen, options.bufferSize, BLOCK_TIMEOUT_MS, true, options.bpfFilter, (status, message) => { this.onReadable(status, message); });
    } catch (err) {
      throw classifyOpenError(options.interface, (err as Error).message, options.bpfFilter);
    }
    const [handle, dlt, warning] = opened;
    this.handle = handle;
    const linkType = linkTypeOfDlt(dlt);
    if (linkType === undefined) {
      addon.close(handle);
      throw new AuscultError('AUS_ERR_NO_INTERFACE', `interface ${options.interface} has an unsupported link type (DLT ${dlt})`);
    }
    this.linkType = linkType;
    this.activationWarning = warning;
  }

  /**
   * Opens `options.interface` and starts delivering batches to `consumer`. Throws
   * AUS_ERR_NO_INTERFACE (69), AUS_ERR_PERMISSION (77) or AUS_ERR_BPF (78).
   */
  static open(options: LiveCaptureOptions, consumer: BatchConsumer): LiveCapture {
    return new LiveCapture(options, consumer);
  }

  get interfaceName(): string { return this.options.interface; }
  get isOpen(): boolean { return !this.closed; }

  private takeSlab(): Buffer | null {
    const reused = this.free.pop();
    if (reused) return reused;
    if (this.slabsAllocated >= this.maxSlabs) return null;
    this.slabsAllocated++;
    return Buffer.allocUnsafe(SLAB_BYTES);
  }

  /** libpcap's poll fired: the kernel has handed over at least one block (status < 0: a poll error). */
  private onReadable(status: number, message: string): void {
    try {
      if (status < 0) throw new Error(`polling the capture failed: ${message} (libuv status ${status}; the interface may have gone away)`);
      this.readAvailable();
    } catch (err) {
      this.fail((err as Error).message);
    }
  }

  /** Reading failed: what was read stays queued for delivery, the capture closes, the owner is told. */
  private fail(reason: string): void {
    if (this.closed) return;
    this.failure = reason;
    this.stop();
    this.schedule();
    this.options.onFailure?.(reason);
  }

  /**
   * Copies what the kernel holds into ring slabs, one dispatch per batch, until it holds nothing
   * or no slab is free (the rest waits in the kernel's buffer; the poll fires again after the
   * next delivery frees a slab).
   */
  private readAvailable(): void {
    if (this.closed) return;
    const roomForOne = RECORD_HEADER_BYTES + this.snaplen;
    for (;;) {
      let batch = this.current;
      if (batch === null || batch.frames.length >= this.batchFrames || batch.slab.length - batch.used < roomForOne) {
        if (batch !== null && batch.frames.length > 0) this.ready.push(batch);
        this.current = null;
        const slab = this.takeSlab();
        if (slab === null) {
          this.counts.ringFull++;
          break;
        }
        batch = { slab, used: 0, frames: [] };
        this.current = batch;
      }
      const start = batch.used;
      const end = this.addon.dispatch(this.handle, batch.slab, start, this.batchFrames - batch.frames.length);
      if (end === start) break;
      this.takeRecords(batch, start, end);
      this.schedule();
    }
  }

  /** Turns the addon's records between `start` and `end` of a slab into frames of the batch. */
  private takeRecords(batch: Batch, start: number, end: number): void {
    const slab = batch.slab;
    walkCaptureRecords(slab, start, end, (record) => {
      if (record.capturedLength < record.wireLength) this.counts.truncated++;
      batch.frames.push({
        frameNo: ++this.counts.received,
        tsMicros: record.tsMicros,
        linkType: this.linkType,
        originalLength: record.wireLength,
        data: slab.subarray(record.dataStart, record.dataStart + record.capturedLength),
      });
      this.lastPacketMs = record.tsMicros / 1000;
    });
    batch.used = end;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => { this.scheduled = false; this.deliverOne(); });
  }

  /** Hands one batch to the consumer per turn of the event loop, so libpcap is read in between. */
  private deliverOne(): void {
    if (this.ready.length === 0 && this.current !== null && this.current.frames.length > 0) {
      this.ready.push(this.current);
      this.current = null;
    }
    const batch = this.ready.shift();
    if (batch === undefined) return;
    try {
      this.consumer(batch.frames);
      this.counts.delivered += batch.frames.length;
    } finally {
      this.free.push(batch.slab);
      if (this.ready.length > 0 || (this.current !== null && this.current.frames.length > 0)) this.schedule();
    }
  }

  /** Delivers everything queued now, synchronously (after close, before the final flush). */
  drain(): void {
    if (this.current !== null && this.current.frames.length > 0) this.ready.push(this.current);
    this.current = null;
    for (let batch = this.ready.shift(); batch !== undefined; batch = this.ready.shift()) {
      this.consumer(batch.frames);
      this.counts.delivered += batch.frames.length;
      this.free.push(batch.slab);
    }
  }

  /** Stops capturing (no more callbacks); what the kernel had handed over stays queued for drain(). */
  close(): void {
    if (this.closed) return;
    try {
      this.readAvailable();
    } catch {
      // the reading that failed is what close() ends anyway
    }
    this.stop();
  }

  /**
   * Stops capturing once the frames of the last moments are read: what the sensor does on SIGTERM
   * (close() stops at once, for start-up failures). With TPACKET_V3 the kernel hands a block over
   * when it is full or `BLOCK_TIMEOUT_MS` after it was opened, so frames of the last 25 ms are in
   * a block nobody can read yet: finish waits `FINISH_WAIT_MS` for the kernel to retire it, then
   * reads everything the kernel holds. Batches read go on being delivered as ever meanwhile, and
   * when every ring slab holds frames the consumer has not taken, queued batches are handed to it
   * at once (as drain() does) to make room, so nothing in the kernel's buffer is left behind.
   * Then deliver the rest with drain().
   */
  async finish(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => { setTimeout(resolve, FINISH_WAIT_MS); });
    try {
      for (let round = 0; !this.closed && round < FINISH_MAX_ROUNDS; round++) {
        const ringFull = this.counts.ringFull;
        this.readAvailable();
        if (this.counts.ringFull === ringFull) break;
        this.drain();
      }
    } catch {
      // a reading that failed ends the capture, as close() does
    }
    this.close();
  }

  /** The last read of pcap_stats, then the handle closed (close() and a failed read both end here). */
  private stop(): void {
    this.pollStats();
    this.closed = true;
    this.addon.close(this.handle);
  }

  /** Adds up pcap_stats (nothing once closed: the totals stay). */
  private pollStats(): void {
    let figures: [number, number, number, number] | null;
    try {
      figures = this.addon.stats(this.handle);
    } catch {
      return; // pcap_stats failed (the interface went away): the totals stay as last read
    }
    if (figures === null) return;
    this.kernelDropped.update(figures[1]);
    this.ifDropped.update(figures[2]);
    this.lost.update(figures[3]);
  }

  /** Statistics now (reads, and adds up, pcap_stats each time while open). */
  stats(): LiveStats {
    if (!this.closed) this.pollStats();
    return {
      ...this.counts,
      appDropped: this.lost.total,
      kernelDropped: this.kernelDropped.total,
      ifDropped: this.ifDropped.total,
      nicRxDropped: readInterfaceCounter(this.options.interface, 'rx_dropped'),
      lastPacketMs: this.lastPacketMs,
      open: !this.closed,
    };
  }
}

/**
 * Compiles a BPF filter without opening any interface, with `tcpdump -d -y EN10MB` (pcap_compile
 * against a dead Ethernet handle). Returns null when it compiles, the compiler's message when it
 * does not, and 'unchecked' reasons when tcpdump is not installed.
 */
export function compileFilterOffline(filter: string): { ok: true } | { ok: false; reason: string } | { ok: 'unchecked'; reason: string } {
  if (filter.trim() === '') return { ok: true };
  const r = spawnSync('tcpdump', ['-d', '-y', 'EN10MB', filter], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) {
    const code = (r.error as { code?: string }).code;
    return { ok: 'unchecked', reason: code === 'ENOENT' ? 'tcpdump is not installed (the filter is compiled when the interface opens)' : `tcpdump failed to run (${r.error.message})` };
  }
  if (r.status === 0) return { ok: true };
  const message = r.stderr.split('\n').map((l) => l.replace(/^tcpdump: /, '').trim()).filter((l) => l !== '' && !/^(Warning|WARNING)/.test(l)).join('; ');
  return { ok: false, reason: message || `tcpdump exited ${r.status ?? 'on a signal'}` };
}

/** Effective capability mask from /proc/<pid>/status (CapEff), as a bigint; null off Linux. */
export function effectiveCapabilities(pid: number | 'self' = 'self'): bigint | null {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] !== undefined ? BigInt(`0x${m[1]}`) : null;
  } catch {
    return null;
  }
}

export interface DropResult {
  uid: number;
  gid: number;
  /** CapEff after the switch (0n when dropped); null where /proc is absent. */
  capEff: bigint | null;
}

/**
 * Switches to `user` (and `group`, else the user's primary group) after the interface is open:
 * supplementary groups cleared, then setgid, then setuid. A switch from uid 0 to another uid
 * clears the permitted, effective and ambient capability sets (capabilities(7)); this checks
 * that CapEff is 0 afterwards and throws AUS_ERR_PERMISSION if anything is left.
 */
export function dropPrivileges(user: string, group: string | null): DropResult {
  const setuid = process.setuid;
  const setgid = process.setgid;
  const setgroups = process.setgroups;
  if (!setuid || !setgid || !setgroups) throw new AuscultError('AUS_ERR_PERMISSION', 'capture.user is set but this platform cannot switch users');
  const asId = (v: string) => (/^\d+$/.test(v) ? Number(v) : v);
  try {
    setgroups([]);
    if (group !== null) {
      setgid(asId(group));
    } else {
      // The user's primary group: initgroups would add supplementary groups, which are not wanted.
      const entry = spawnSync('id', ['-g', user], { encoding: 'utf8' });
      if (entry.status !== 0) throw new Error(`no such user: ${user}`);
      setgid(Number(entry.stdout.trim()));
    }
    setuid(asId(user));
  } catch (err) {
    throw new AuscultError('AUS_ERR_PERMISSION', `cannot switch to user ${user}${group ? ` group ${group}` : ''}: ${(err as Error).message} (needs CAP_SETUID and CAP_SETGID, e.g. run as root or --cap-add SETUID --cap-add SETGID)`);
  }
  const capEff = effectiveCapabilities();
  if (capEff !== null && capEff !== 0n) {
    throw new AuscultError('AUS_ERR_PERMISSION', `capabilities remain after switching to ${user} (CapEff=${capEff.toString(16)}); refusing to run`);
  }
  return { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1, capEff };
}
