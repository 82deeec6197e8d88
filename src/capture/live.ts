/**
 * \summary Live capture from a network interface through libpcap, receive-only.
 *
 * Two bindings, one behaviour. The default is auscult's own addon (libpcap.ts,
 * native/pcap-capture): TPACKET_V3 blocks, snaplen and buffer size from the config, kernel
 * timestamps and wire lengths, pcap_stats, and one call that copies a whole batch into a ring
 * slab when the kernel hands over a block. Where the addon is not built (no compiler or
 * libpcap-dev) or `capture.backend: cap` asks for it, the `cap` package is used: it opens the
 * interface with snaplen 65535, promiscuous, immediate mode (TPACKET_V2, one 64 KiB slot per
 * frame), and emits one synchronous `packet` event per frame, whose bytes the callback copies
 * into the same ring. Neither path ever transmits (lint bans cap's transmit method in src/; the
 * addon links no sending function, which a test checks).
 *
 * The consumer gets whole batches on setImmediate, so reading never waits on the pipeline. With
 * cap, when the ring is full, frames are dropped and counted (`appDropped`) rather than blocking
 * libpcap; with the addon they stay in the kernel's buffer until a slab is free (and are kernel
 * drops if that fills too).
 *
 * What cap 0.2.1 does not expose: the kernel timestamp (frames are stamped with the wall clock
 * when the callback runs), the original wire length (a frame longer than snaplen is cut and
 * counted as `truncated`), and pcap_stats: kernel drops are read instead from the packet socket
 * libpcap opened (kernel-drops.ts). NIC drops come from /sys/class/net/<if>/statistics.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

import { AuscultError } from '../errors.js';
import { LINKTYPE, type CapturedFrame } from './captured-frame.js';
import { openKernelDrops, socketFds, type KernelDrops } from './kernel-drops.js';
import { BLOCK_TIMEOUT_MS, linkTypeOfDlt, loadPcapAddon, pcapAddonUnavailable, RECORD_HEADER_BYTES, walkCaptureRecords, WrappingTotal, type PcapAddon, type PcapHandle } from './libpcap.js';

/** The part of cap's Cap instance used here (receive-only by construction). */
interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): boolean;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): void;
  removeAllListeners(event?: string): void;
}

interface CapModule {
  Cap: { new(): CapHandle; deviceList(): { name: string }[] };
}

let capModule: CapModule | null | undefined;

/** Loads `cap` (an optional dependency) once; null when it is not installed or did not build. */
export function loadCap(): CapModule | null {
  if (capModule !== undefined) return capModule;
  try {
    capModule = createRequire(import.meta.url)('cap') as CapModule;
  } catch {
    capModule = null;
  }
  return capModule;
}

export interface LiveCaptureOptions {
  interface: string;
  /** Bytes copied per frame (at most 65535). */
  snaplen: number;
  /** libpcap kernel buffer size in bytes. */
  bufferSize: number;
  /** pcap-filter(7) expression; '' captures everything. */
  bpfFilter: string;
  /** Bytes of the in-process ring. */
  ringBytes: number;
  /** Frames per batch handed to the consumer (default 1024). */
  batchFrames?: number;
  /** Which libpcap binding: the in-repo addon, `cap`, or the addon when it is built (default). */
  backend?: CaptureBackend;
}

export type CaptureBackend = 'auto' | 'libpcap' | 'cap';

/** Capture statistics, cumulative since open. */
export interface LiveStats {
  /** Frames the callback received from libpcap (after the BPF filter). */
  received: number;
  /** Frames dropped because the in-process ring was full. */
  appDropped: number;
  /** Frames longer than snaplen, cut. */
  truncated: number;
  /** Frames handed to the consumer. */
  delivered: number;
  /**
   * Dropped by the kernel since open, for want of room in the capture socket's buffer
   * (capture.buffer_size): PACKET_STATISTICS tp_drops, pcap_stats' ps_drop. null when it cannot
   * be read (kernelDropsUnavailable says why).
   */
  kernelDropped: number | null;
  /** Dropped by the interface driver (pcap_stats ps_ifdrop); null: not read (the NIC's own figures are in /sys, see metrics.ts). */
  ifDropped: number | null;
  /** The NIC's rx_dropped counter from /sys (since the interface came up); null when unreadable. */
  nicRxDropped: number | null;
  /** Wall-clock ms of the last frame received, null before the first. */
  lastPacketMs: number | null;
  open: boolean;
}

/** Consumer of batches: called on setImmediate, with frames whose `data` views a ring slab
 * that is reused after the call returns (copy to keep). */
export type BatchConsumer = (frames: CapturedFrame[]) => void;

const LINKTYPE_BY_CAP_NAME: Record<string, number> = {
  ETHERNET: LINKTYPE.ETHERNET,
  LINKTYPE_LINUX_SLL: LINKTYPE.LINUX_SLL,
  RAW: LINKTYPE.RAW,
  NULL: LINKTYPE.NULL,
  IEEE802_11_RADIO: 127, // LINKTYPE_IEEE802_11_RADIOTAP (monitor mode)
};

/**
 * DLT values cap 0.2.1 names only as "Unknown linktype N" that auscult decodes (for them DLT and
 * LINKTYPE agree): Cisco HDLC (104), PPP (9), plain 802.11 (105), SLL2 (276).
 */
const DECODED_UNNAMED_DLTS: ReadonlySet<number> = new Set([9, 104, 105, 276]);

/** The LINKTYPE of cap's link name, or undefined when auscult does not decode it. */
export function linkTypeOfCapName(name: string): number | undefined {
  const known = LINKTYPE_BY_CAP_NAME[name];
  if (known !== undefined) return known;
  const n = Number(/^Unknown linktype (\d+)$/.exec(name)?.[1]);
  return DECODED_UNNAMED_DLTS.has(n) ? n : undefined;
}

/** Handles whose open() failed: never closed, never collected (see the constructor). */
const FAILED_HANDLES: CapHandle[] = [];

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

/** True when the interface exists (Linux /sys, else libpcap's device list). */
export function interfaceExists(ifname: string): boolean {
  if (existsSync('/sys/class/net')) return /^[\w.:@-]{1,15}$/.test(ifname) && existsSync(`/sys/class/net/${ifname}`) || ifname === 'any';
  const cap = loadCap();
  return cap !== null && cap.Cap.deviceList().some((d) => d.name === ifname);
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

/** The addon's open capture and its running totals. */
interface AddonCapture {
  addon: PcapAddon;
  handle: PcapHandle;
  snaplen: number;
  kernelDropped: WrappingTotal;
  ifDropped: WrappingTotal;
  /** Frames the addon could not copy (never expected: it checks room first), counted as app drops. */
  lost: WrappingTotal;
  /** The last poll error libuv reported (status < 0), for the log; 0 when none. */
  pollError: number;
}

/** A receive-only live capture on one interface. */
export class LiveCapture {
  /** LINKTYPE of the interface. */
  readonly linkType: number;
  /** The binding in use: 'libpcap' (auscult's addon) or 'cap'. */
  readonly backend: 'libpcap' | 'cap';
  /** A warning libpcap gave while activating (the addon only), or ''. */
  readonly activationWarning: string = '';
  private readonly capHandle: CapHandle | null = null;
  private readonly addonCapture: AddonCapture | null = null;
  private readonly packetBuffer: Buffer = Buffer.alloc(0);
  private readonly free: Buffer[] = [];
  private readonly ready: Batch[] = [];
  private current: Batch | null = null;
  private slabsAllocated = 0;
  private readonly maxSlabs: number;
  private readonly batchFrames: number;
  private scheduled = false;
  private frameNo = 0;
  private closed = false;
  private readonly counts = { received: 0, appDropped: 0, truncated: 0, delivered: 0 };
  private lastPacketMs: number | null = null;
  /** Kernel drop counts of cap's capture socket, or why there are none (the addon has pcap_stats). */
  private readonly kernelDrops: KernelDrops | string = 'not used';

  private constructor(private readonly options: LiveCaptureOptions, private readonly consumer: BatchConsumer) {
    const wanted = options.backend ?? 'auto';
    const addon = wanted === 'cap' ? null : loadPcapAddon();
    if (wanted === 'libpcap' && addon === null) {
      throw new AuscultError('AUS_ERR_NO_INTERFACE', `live capture is unavailable: capture.backend is libpcap but ${pcapAddonUnavailable()}`);
    }
    const cap = addon === null ? loadCap() : null;
    if (addon === null && cap === null) {
      throw new AuscultError('AUS_ERR_NO_INTERFACE', `live capture is unavailable: neither auscult's libpcap addon (${pcapAddonUnavailable() || 'not wanted'}) nor the \`cap\` package is installed (install gcc, make and libpcap-dev, then npm ci and npm run build)`);
    }
    if (!interfaceExists(options.interface)) {
      throw new AuscultError('AUS_ERR_NO_INTERFACE', `no such interface: ${options.interface}`);
    }
    this.maxSlabs = Math.max(2, Math.floor(options.ringBytes / SLAB_BYTES));
    this.batchFrames = Math.max(1, options.batchFrames ?? 1024);
    const snaplen = Math.min(65535, Math.max(64, options.snaplen));
    if (addon !== null) {
      this.backend = 'libpcap';
      let opened: [PcapHandle, number, string];
      try {
        opened = addon.open(options.interface, snaplen, options.bufferSize, BLOCK_TIMEOUT_MS, true, options.bpfFilter, (status) => { this.onReadable(status); });
      } catch (err) {
        throw classifyOpenError(options.interface, (err as Error).message, options.bpfFilter);
      }
      const [handle, dlt, warning] = opened;
      const linkType = linkTypeOfDlt(dlt);
      if (linkType === undefined) {
        addon.close(handle);
        throw new AuscultError('AUS_ERR_NO_INTERFACE', `interface ${options.interface} has an unsupported link type (DLT ${dlt})`);
      }
      this.linkType = linkType;
      this.activationWarning = warning;
      this.addonCapture = { addon, handle, snaplen, kernelDropped: new WrappingTotal(), ifDropped: new WrappingTotal(), lost: new WrappingTotal(), pollError: 0 };
      return;
    }
    this.backend = 'cap';
    this.packetBuffer = Buffer.alloc(snaplen);
    const capHandle = new cap!.Cap();
    this.capHandle = capHandle;
    const socketsBefore = socketFds();
    let linkName: string;
    try {
      linkName = capHandle.open(options.interface, options.bpfFilter, options.bufferSize, this.packetBuffer);
    } catch (err) {
      // Neither close() nor letting it be garbage-collected: cap 0.2.1's close() (also run by its
      // destructor) stops a poll handle that a failed open never started, which segfaults. The
      // half-made handle is kept referenced; the process exits on this error anyway.
      FAILED_HANDLES.push(capHandle);
      throw classifyOpenError(options.interface, (err as Error).message, options.bpfFilter);
    }
    const linkType = linkTypeOfCapName(linkName);
    if (linkType === undefined) {
      capHandle.close();
      throw new AuscultError('AUS_ERR_NO_INTERFACE', `interface ${options.interface} has an unsupported link type (${linkName})`);
    }
    this.linkType = linkType;
    this.kernelDrops = openKernelDrops(options.interface, socketsBefore);
    capHandle.on('packet', (nbytes, truncated) => { this.onPacket(nbytes, truncated); });
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
  /** Why `kernelDropped` is null (logged once by the sensor); null while kernel drops are counted. */
  get kernelDropsUnavailable(): string | null {
    if (this.addonCapture !== null) return null;
    return typeof this.kernelDrops === 'string' ? this.kernelDrops : this.kernelDrops.unavailable;
  }

  /** The last poll error of the addon's descriptor (a negative libuv status), 0 when none. */
  get pollError(): number {
    return this.addonCapture?.pollError ?? 0;
  }

  private takeSlab(): Buffer | null {
    const reused = this.free.pop();
    if (reused) return reused;
    if (this.slabsAllocated >= this.maxSlabs) return null;
    this.slabsAllocated++;
    return Buffer.allocUnsafe(SLAB_BYTES);
  }

  /** The hot path: copy, append, schedule. No allocation beyond the frame record. */
  private onPacket(nbytes: number, truncated: boolean): void {
    this.counts.received++;
    if (truncated) this.counts.truncated++;
    const nowMs = performance.timeOrigin + performance.now();
    this.lastPacketMs = nowMs;
    let batch = this.current;
    if (batch === null || batch.frames.length >= this.batchFrames || batch.used + nbytes > batch.slab.length) {
      if (batch !== null && batch.frames.length > 0) this.ready.push(batch);
      const slab = this.takeSlab();
      if (slab === null) {
        this.current = null;
        this.counts.appDropped++;
        this.schedule();
        return;
      }
      batch = { slab, used: 0, frames: [] };
      this.current = batch;
    }
    this.packetBuffer.copy(batch.slab, batch.used, 0, nbytes);
    batch.frames.push({
      frameNo: ++this.frameNo,
      tsMicros: Math.round(nowMs * 1000),
      linkType: this.linkType,
      originalLength: nbytes,
      data: batch.slab.subarray(batch.used, batch.used + nbytes),
    });
    batch.used += nbytes;
    this.schedule();
  }

  /** The addon's poll fired: the kernel has handed over at least one block. */
  private onReadable(status: number): void {
    if (status < 0 && this.addonCapture !== null) this.addonCapture.pollError = status;
    this.readAvailable();
  }

  /**
   * Copies what the kernel holds into ring slabs, one dispatch per batch, until it holds nothing
   * or no slab is free (the rest waits in the kernel's buffer; the poll fires again after the
   * next delivery frees a slab).
   */
  private readAvailable(): void {
    const capture = this.addonCapture;
    if (capture === null || this.closed) return;
    const roomForOne = RECORD_HEADER_BYTES + capture.snaplen;
    for (;;) {
      let batch = this.current;
      if (batch === null || batch.frames.length >= this.batchFrames || batch.slab.length - batch.used < roomForOne) {
        if (batch !== null && batch.frames.length > 0) this.ready.push(batch);
        this.current = null;
        const slab = this.takeSlab();
        if (slab === null) break;
        batch = { slab, used: 0, frames: [] };
        this.current = batch;
      }
      const start = batch.used;
      const end = capture.addon.dispatch(capture.handle, batch.slab, start, this.batchFrames - batch.frames.length);
      if (end === start) break;
      this.takeRecords(batch, start, end);
      this.schedule();
    }
  }

  /** Turns the addon's records between `start` and `end` of a slab into frames of the batch. */
  private takeRecords(batch: Batch, start: number, end: number): void {
    const slab = batch.slab;
    walkCaptureRecords(slab, start, end, (record) => {
      this.counts.received++;
      if (record.capturedLength < record.wireLength) this.counts.truncated++;
      batch.frames.push({
        frameNo: ++this.frameNo,
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

  /** Stops capturing (no more callbacks); queued frames stay for drain(). */
  close(): void {
    if (this.closed) return;
    const capture = this.addonCapture;
    if (capture !== null) {
      this.readAvailable(); // what the kernel has handed over, for drain()
      this.pollStats(capture);
      this.closed = true;
      capture.addon.close(capture.handle);
      return;
    }
    this.closed = true;
    const capHandle = this.capHandle!;
    capHandle.removeAllListeners('packet');
    // The last read of the socket's counters: after close() its fd may belong to something else.
    if (typeof this.kernelDrops !== 'string') this.kernelDrops.close();
    capHandle.close();
  }

  /** Adds up the addon's pcap_stats (nothing once closed: the totals stay). */
  private pollStats(capture: AddonCapture): void {
    const figures = capture.addon.stats(capture.handle);
    if (figures === null) return;
    capture.kernelDropped.update(figures[1]);
    capture.ifDropped.update(figures[2]);
    capture.lost.update(figures[3]);
  }

  /** Statistics now (reads, and adds up, the kernel's drop counters each time). */
  stats(): LiveStats {
    let kernelDropped: number | null = null;
    let ifDropped: number | null = null;
    let lost = 0;
    const capture = this.addonCapture;
    if (capture !== null) {
      if (!this.closed) this.pollStats(capture);
      kernelDropped = capture.kernelDropped.total;
      ifDropped = capture.ifDropped.total;
      lost = capture.lost.total;
    } else if (typeof this.kernelDrops !== 'string') {
      this.kernelDrops.poll();
      kernelDropped = this.kernelDrops.dropped;
    }
    return {
      ...this.counts,
      appDropped: this.counts.appDropped + lost,
      kernelDropped,
      ifDropped,
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
