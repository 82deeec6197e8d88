/**
 * \summary The known-frame table (issue 14): a frame its sender has already sent, byte for byte
 * once the fields that change without meaning are masked, skips frame decoding, application
 * decoding and the application observer; the pipeline replays what those gave the first time.
 *
 * Real networks repeat themselves: a switch sends the same LLDP frame every 30 s per port, a pump
 * the same DHCP options at every renewal. Decoding is a pure function of the frame's bytes
 * (design.md: decoders are pure), and so is `observeApplication`. What follows them (the address
 * binder, hygiene, identification, the model, location) keeps state: the pipeline records what a
 * remembered frame's full processing moved and read (src/device/touch-log.ts,
 * src/state-version.ts) and, for a later copy, replays those moves only while nothing it read has
 * changed; else that state runs as for any frame. A hit changes no result: the golden fixtures
 * are replayed with the table on and off and must give byte-identical `devices --json`, history
 * and counters (test/golden/known-frames.test.ts).
 *
 * Masked (zeroed in the copy that is compared, never in the frame): the IPv4 identification and
 * header checksum (the checksum's verdict, which the frame decoder reports as
 * `ipv4.bad_checksum`, is kept in its place), the UDP checksum (no decoder reads it), and in
 * BOOTP/DHCP (UDP 67↔68) the transaction id and `secs` (no observer reads them). Only classic
 * Ethernet frames are looked up, and never a TCP segment (IPv4 protocol 6, IPv6 next header other
 * than UDP or ICMPv6; `eligible` turns it away before its bytes are copied): the stream decoder
 * keeps per-flow state. A tunnelled frame whose inner packet is TCP is decoded and never
 * remembered.
 *
 * Keyed by the 48-bit source MAC (a number, no string built per frame); each sender keeps its
 * `framesPerSender` most recently remembered frames (the oldest replaced first). With
 * `rememberAfter` 2 (the default) a frame is remembered at its second sighting; the first only
 * notes its sender and hash (at most `maxSeenOnce`, src/capture/seen-once.ts), so the many
 * frames a feed carries once cost no copy. The table holds at most `maxBytes` (frame bytes plus
 * an estimate of the replayed objects); past it the senders remembered longest ago go first
 * (`known_frames.senders_evicted`). A lookup hashes the masked bytes (FNV-1a over 32-bit words),
 * reads the sender's frame with that hash and compares it once (native `Buffer#compare`); a hash
 * collision is a miss.
 *
 * A table that does not pay sleeps: each probe window of `probeWindow` lookups counts its
 * repeats (hits, and frames the doorkeeper had seen once); under `minRepeatShare` of them, the next
 * `DORMANT_WINDOWS` windows' worth of eligible frames are decoded in full without a lookup. On by
 * default, measured paired as deployed (bench/README.md, issue 14, sixth session): 0.40-0.48x
 * the CPU of the table off on the repeating capture, 0.94-0.98x on the dense 1x capture (its
 * frames mostly differ: the table sleeps), about 1.0x on the SPAN-like mix; peak RSS +4 to +10 MB.
 *
 * Hand-written: no npm package dedupes frames with protocol-aware masks; this is a table and one
 * pass over at most four headers.
 */
import type { CapturedFrame } from './captured-frame.js';
import { LINKTYPE } from './captured-frame.js';
import { SeenOnce } from './seen-once.js';

export interface KnownFrameLimits {
  /** False: every frame is decoded in full (config `limits.known_frames.enabled`). */
  enabled: boolean;
  /** Frames remembered per sender. */
  framesPerSender: number;
  /** Bytes the table may hold (frame bytes plus `ENTRY_OVERHEAD_BYTES` and `FACT_BYTES` per replayed fact). */
  maxBytes: number;
  /** Frames longer than this are never remembered. */
  maxFrameBytes: number;
  /** Sightings of a frame before it is remembered: 1, at once; 2, at its second (a frame heard
   * once, most of a large network's first minutes, then costs its hash, not a copy). */
  rememberAfter: 1 | 2;
  /** Frames seen once (`rememberAfter` 2) whose hashes are kept, across all senders; past it the
   * oldest is forgotten (`KnownFrameStats.onceForgotten`). */
  maxSeenOnce: number;
  /** Eligible lookups per probe window; at its end, a window whose repeats (hits, and frames the
   * doorkeeper had seen) were under `minRepeatShare` of its lookups puts the table to sleep for
   * `DORMANT_WINDOWS` windows' worth of eligible frames: they are decoded in full, nothing is
   * looked up or remembered. 0: never asleep. */
  probeWindow: number;
  minRepeatShare: number;
  /** Plain TCP/UDP frame signatures kept (src/header-signatures.ts); 0: none, those frames take the full path. */
  maxHeaderSignatures: number;
}

/**
 * `maxBytes` 4 MiB: the table fills to its budget on a long capture, so the budget is what a
 * sensor holds in the steady state. At 16 MiB it held 17 MB of heap (and its doorkeeper 2.6 MB
 * more, before src/capture/seen-once.ts), and the 10-million-frame bench capture peaked at 160-166
 * MB of RSS against the 150 MB target; at 4 MiB, 145 MB. The repeating capture's frames take about
 * 2.3 MiB, and it replays as fast at 4 MiB as at 16 (1.02x, 10 pairs; bench/README.md, issue 14,
 * eighteenth session).
 */
export const KNOWN_FRAME_LIMITS: KnownFrameLimits = {
  enabled: true,
  framesPerSender: 1024,
  maxBytes: 4 * 1024 * 1024,
  maxFrameBytes: 1600,
  rememberAfter: 2,
  maxSeenOnce: 65_536,
  probeWindow: 4096,
  minRepeatShare: 0.4,
  maxHeaderSignatures: 8192,
};

/** Windows' worth of eligible frames a table with too few repeats sleeps before it probes again. */
export const DORMANT_WINDOWS = 15;

/** Estimated heap cost of one remembered frame besides its bytes: the decoded frame and
 * application records, the recorded counters, touches and state reads. Calibrated on the 1x bench
 * capture with the table never asleep and an 8 MB budget: with 512 and 96 here the heap grew by
 * 2.1 times the estimate, with 1,536 and 192 by 1.25 times, with these by 1.1 times. */
export const ENTRY_OVERHEAD_BYTES = 2048;
/** Estimated heap cost of one replayed observation. */
export const FACT_BYTES = 192;
/** Estimated heap cost of a sender's own record (its map and array), counted from its first
 * remembered frame. */
export const SENDER_BYTES = 512;

/** One remembered frame and what the pipeline recorded for it. */
export interface KnownFrame<T> {
  readonly bytes: Buffer;
  readonly value: T;
  readonly cost: number;
  /** Hash of `bytes` (`hashOf`): the key of `Sender.index`. */
  readonly hash: number;
}

interface Sender<T> {
  frames: KnownFrame<T>[];
  /** The same frames by hash (the newest of a hash's frames): a lookup is one Map read and one
   * compare, whatever `framesPerSender` is (a linear scan of 2,048 frames cost more than decoding). */
  index: Map<number, KnownFrame<T>>;
  /** Next slot to replace once `frames` is full. */
  next: number;
  bytes: number;
}

/** Counters the table reports (the pipeline adds them to its own under `known_frames.`). */
export interface KnownFrameStats {
  hits: number;
  misses: number;
  /** Frames not looked up: not Ethernet, TCP, too long or too short. */
  ineligible: number;
  remembered: number;
  sendersEvicted: number;
  /** Eligible frames passed over while the table slept, and the times it went to sleep. */
  dormant: number;
  sleeps: number;
  /** Hashes of frames seen once forgotten at `maxSeenOnce`. */
  onceForgotten: number;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMPV6 = 58;
/** Tags walked before the ethertype (802.1Q, 802.1ad, the old 0x9100). */
const MAX_TAGS = 8;

export class KnownFrames<T> {
  private readonly senders = new Map<number, Sender<T>>();
  private readonly scratch: Buffer;
  /** `scratch` as 32-bit words, for the hash. */
  private readonly words: Int32Array;
  /** Hash of the masked copy in `scratch` (set by an eligible lookup). */
  private pendingHash = 0;
  /** Length of the masked copy in `scratch`, and its sender; -1 after an ineligible lookup. */
  private pendingLength = -1;
  private pendingSender = 0;
  private bytes = 0;
  readonly stats: KnownFrameStats = { hits: 0, misses: 0, ineligible: 0, remembered: 0, sendersEvicted: 0, dormant: 0, sleeps: 0, onceForgotten: 0 };
  /** Sender and hash of frames seen once and not remembered yet (`rememberAfter` 2), oldest first:
   * one doorkeeper for all senders, so a sender heard once costs no record of its own (with a set
   * per sender, the 250,000 senders of the bench's many-devices capture took 34 MB more). */
  private readonly seenOnce: SeenOnce;
  /** Eligible lookups and repeats in the current probe window. */
  private windowLookups = 0;
  private windowRepeats = 0;
  /** Eligible frames still to pass over before the next probe window (0: awake). */
  private asleepFor = 0;

  /**
   * `udpPorts`: when given, a UDP datagram is looked up only when either port is in it (the ports
   * whose decoders do work worth skipping; decoding anything else costs less than the lookup).
   */
  constructor(readonly limits: KnownFrameLimits = KNOWN_FRAME_LIMITS, private readonly udpPorts?: ReadonlySet<number>) {
    const size = Math.ceil(Math.max(64, limits.maxFrameBytes) / 4) * 4;
    const buffer = new ArrayBuffer(size);
    this.scratch = Buffer.from(buffer);
    this.words = new Int32Array(buffer);
    this.seenOnce = new SeenOnce(limits.maxSeenOnce);
  }

  /** Bytes held now (frames plus estimates), for tests and metrics. */
  get heldBytes(): number {
    return this.bytes;
  }

  get senderCount(): number {
    return this.senders.size;
  }

  /**
   * What was remembered for this frame's masked bytes, or undefined (a miss, or a frame that is
   * never looked up). After a miss on an eligible frame, `remember` stores the value for it.
   */
  lookup(captured: CapturedFrame): T | undefined {
    this.pendingLength = -1;
    if (!this.limits.enabled) return undefined;
    const data = captured.data;
    const len = data.length;
    if (captured.linkType !== LINKTYPE.ETHERNET || len < 14 || len > this.limits.maxFrameBytes || captured.originalLength !== len) {
      this.stats.ineligible++;
      return undefined;
    }
    const s = this.scratch;
    // A TCP segment is turned away before its bytes are copied (most of a SPAN feed is TCP).
    if (!eligible(data, len, this.udpPorts)) {
      this.stats.ineligible++;
      return undefined;
    }
    if (this.asleepFor > 0) {
      this.asleepFor--;
      this.stats.dormant++;
      return undefined;
    }
    s.set(data);
    if (!mask(s, len)) {
      this.stats.ineligible++;
      return undefined;
    }
    // Source MAC as one number: 16 high bits and 32 low bits, exact below 2^53.
    const sender = (s[6]! * 0x100 + s[7]!) * 0x100000000 + s.readUInt32BE(8);
    const hash = hashOf(s, this.words, len);
    this.pendingLength = len;
    this.pendingSender = sender;
    this.pendingHash = hash;
    const f = this.senders.get(sender)?.index.get(hash);
    if (f !== undefined && f.bytes.length === len && s.compare(f.bytes, 0, len, 0, len) === 0) {
      this.stats.hits++;
      this.pendingLength = -1;
      this.probed(true);
      return f.value;
    }
    this.stats.misses++;
    let repeat = false;
    if (this.limits.rememberAfter > 1) {
      repeat = this.seenBefore(sender, hash);
      if (!repeat) this.pendingLength = -1;
    }
    this.probed(repeat);
    return undefined;
  }

  /** Counts one eligible lookup in the probe window; at its end, sleeps if repeats were too few. */
  private probed(repeat: boolean): void {
    const window = this.limits.probeWindow;
    if (window <= 0) return;
    if (repeat) this.windowRepeats++;
    if (++this.windowLookups < window) return;
    if (this.windowRepeats < window * this.limits.minRepeatShare) {
      this.asleepFor = DORMANT_WINDOWS * window;
      this.stats.sleeps++;
    }
    this.windowLookups = 0;
    this.windowRepeats = 0;
  }

  /** True when the last lookup missed and `remember` would store a value for its frame. */
  get remembering(): boolean {
    return this.pendingLength >= 0;
  }

  /** Whether this sender's frame with this hash was seen before (then forgotten as such, to be
   * remembered in full); else it is noted as seen once. Sender and hash share one number: a
   * collision only remembers a frame at its first sighting. */
  private seenBefore(sender: number, hash: number): boolean {
    const key = (Math.imul(hash, 0x01000193) ^ (sender % 0x100000000) ^ Math.floor(sender / 0x100000000) * 0x10001) | 0;
    const seen = this.seenOnce.seenBefore(key);
    this.stats.onceForgotten = this.seenOnce.forgotten;
    return seen;
  }

  private senderOf(key: number): Sender<T> {
    let sender = this.senders.get(key);
    if (sender === undefined) {
      sender = { frames: [], index: new Map(), next: 0, bytes: SENDER_BYTES };
      this.senders.set(key, sender);
      this.bytes += SENDER_BYTES;
    }
    return sender;
  }

  /** Over the budget: the senders remembered first go (Map order is insertion order). */
  private evictOverBudget(): void {
    while (this.bytes > this.limits.maxBytes) {
      const first = this.senders.entries().next();
      if (first.done === true) break;
      const [key, gone] = first.value;
      this.senders.delete(key);
      this.bytes -= gone.bytes;
      this.stats.sendersEvicted++;
    }
  }

  /**
   * Remembers `value` for the frame of the last lookup (a miss). `facts` sizes its estimate.
   * Does nothing after a hit or an ineligible frame. True when the value was stored.
   */
  remember(value: T, facts: number): boolean {
    const len = this.pendingLength;
    if (len < 0) return false;
    this.pendingLength = -1;
    const cost = len + ENTRY_OVERHEAD_BYTES + FACT_BYTES * facts;
    if (cost > this.limits.maxBytes || this.limits.framesPerSender < 1) return false;
    const entry: KnownFrame<T> = { bytes: Buffer.from(this.scratch.subarray(0, len)), value, cost, hash: this.pendingHash };
    const sender = this.senderOf(this.pendingSender);
    if (sender.frames.length < this.limits.framesPerSender) {
      sender.frames.push(entry);
    } else {
      const old = sender.frames[sender.next]!;
      sender.bytes -= old.cost;
      this.bytes -= old.cost;
      if (sender.index.get(old.hash) === old) sender.index.delete(old.hash);
      sender.frames[sender.next] = entry;
      sender.next = (sender.next + 1) % this.limits.framesPerSender;
    }
    sender.index.set(entry.hash, entry);
    sender.bytes += cost;
    this.bytes += cost;
    this.stats.remembered++;
    this.evictOverBudget();
    return true;
  }

  /** Forgets every frame (a test, or a change that invalidates every decode: none today). */
  clear(): void {
    this.senders.clear();
    this.bytes = 0;
    this.pendingLength = -1;
  }
}

/** FNV-1a over the 32-bit words of `s[0..len)` (`words` views the same bytes), then its tail bytes. */
export function hashOf(s: Buffer, words: Int32Array, len: number): number {
  let h = 0x811c9dc5 ^ len;
  const n = len >>> 2;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  for (let i = n << 2; i < len; i++) h = Math.imul(h ^ s[i]!, 0x01000193);
  return h;
}

/** Offset of the network header after the Ethernet header and at most MAX_TAGS VLAN tags (its
 * ethertype is the two bytes before it); -1 when a tag is cut short. */
function networkOffset(d: Uint8Array, len: number): number {
  let off = 12;
  let type = (d[off]! << 8) | d[off + 1]!;
  for (let tags = 0; (type === 0x8100 || type === 0x88a8 || type === 0x9100) && tags < MAX_TAGS; tags++) {
    off += 4;
    if (off + 2 > len) return -1;
    type = (d[off]! << 8) | d[off + 1]!;
  }
  return off + 2;
}

/** Length of the IPv4 header at `off`, or -1 when it is not one or is cut short. */
function ipv4HeaderLength(d: Uint8Array, off: number, len: number): number {
  if (off + 20 > len || d[off]! >> 4 !== 4) return -1;
  const ihl = (d[off]! & 0x0f) * 4;
  return ihl < 20 || off + ihl > len ? -1 : ihl;
}

/** False for a TCP segment (IPv4 protocol 6, IPv6 next header other than UDP or ICMPv6), the
 * same verdict `mask` gives, read from the frame itself; false too for a UDP datagram on neither
 * of `udpPorts` when given. */
export function eligible(d: Uint8Array, len: number, udpPorts?: ReadonlySet<number>): boolean {
  const off = networkOffset(d, len);
  if (off < 0) return true;
  const type = (d[off - 2]! << 8) | d[off - 1]!;
  if (type === ETHERTYPE_IPV4) {
    const ihl = ipv4HeaderLength(d, off, len);
    if (ihl < 0) return true;
    const proto = d[off + 9];
    if (proto === IPPROTO_UDP) return udpPortsMatch(d, off + ihl, len, udpPorts);
    return proto !== IPPROTO_TCP;
  }
  if (type === ETHERTYPE_IPV6) {
    if (off + 40 > len || d[off]! >> 4 !== 6) return true;
    const next = d[off + 6]!;
    if (next === IPPROTO_UDP) return udpPortsMatch(d, off + 40, len, udpPorts);
    return next === IPPROTO_ICMPV6;
  }
  return true;
}

/** Whether the UDP header at `off` has a port in `ports` (true when no set is given or the header
 * is cut short: `mask` then decides). */
function udpPortsMatch(d: Uint8Array, off: number, len: number, ports: ReadonlySet<number> | undefined): boolean {
  if (ports === undefined || off + 4 > len) return true;
  return ports.has((d[off]! << 8) | d[off + 1]!) || ports.has((d[off + 2]! << 8) | d[off + 3]!);
}

/**
 * A copy of a decoded record whose byte fields (views into the capture's 256 KiB read chunks) are
 * copied out, so a remembered record does not keep its chunk alive: before, each remembered frame
 * pinned a chunk (20-30 MB more peak RSS on the SPAN-like bench capture with a few thousand
 * entries). Objects are copied by spread, which keeps a decoder-built record's hidden class, and
 * only their object fields are replaced; class instances and other values are shared.
 */
export function detached<T>(value: T, depth = 0): T {
  if (typeof value !== 'object' || value === null || depth > 16) return value;
  if (ArrayBuffer.isView(value)) return (value as unknown as Uint8Array).slice() as T;
  if (Array.isArray(value)) return value.map((v: unknown) => detached(v, depth + 1)) as T;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out = { ...value } as Record<string, unknown>;
  for (const k in out) {
    const v = out[k];
    if (typeof v === 'object' && v !== null) out[k] = detached(v, depth + 1);
  }
  return out as T;
}

/**
 * Zeroes the meaningless fields of the Ethernet frame in `s[0..len)`; false when the frame is
 * not looked up (TCP, or IPv6 with a next header that may hide TCP).
 */
export function mask(s: Buffer, len: number): boolean {
  const off = networkOffset(s, len);
  if (off < 0) return true;
  const type = (s[off - 2]! << 8) | s[off - 1]!;
  if (type === ETHERTYPE_IPV4) {
    const ihl = ipv4HeaderLength(s, off, len);
    if (ihl < 0) return true;
    const proto = s[off + 9]!;
    if (proto === IPPROTO_TCP) return false;
    // RFC 1071 sum over the header: the verdict the frame decoder gives takes the checksum's place.
    let sum = 0;
    for (let i = 0; i < ihl; i += 2) sum += (s[off + i]! << 8) | s[off + i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    const checksumZero = s[off + 10] === 0 && s[off + 11] === 0;
    const bad = !checksumZero && sum !== 0xffff;
    s[off + 4] = 0;
    s[off + 5] = 0;
    s[off + 10] = bad ? 1 : checksumZero ? 2 : 0;
    s[off + 11] = 0;
    const fragment = ((s[off + 6]! & 0x3f) << 8 | s[off + 7]!) !== 0;
    if (proto === IPPROTO_UDP && !fragment) maskUdp(s, off + ihl, len);
    return true;
  }
  if (type === ETHERTYPE_IPV6) {
    if (off + 40 > len || s[off]! >> 4 !== 6) return true;
    const next = s[off + 6]!;
    if (next === IPPROTO_UDP) {
      maskUdp(s, off + 40, len);
      return true;
    }
    return next === IPPROTO_ICMPV6;
  }
  return true;
}

/** UDP checksum; in BOOTP (67↔68) the transaction id and `secs` too. */
function maskUdp(s: Buffer, udp: number, len: number): void {
  if (udp + 8 > len) return;
  s[udp + 6] = 0;
  s[udp + 7] = 0;
  const sport = (s[udp]! << 8) | s[udp + 1]!;
  const dport = (s[udp + 2]! << 8) | s[udp + 3]!;
  if ((sport === 67 || sport === 68) && (dport === 67 || dport === 68)) {
    const bootp = udp + 8;
    if (bootp + 10 > len) return;
    s.fill(0, bootp + 4, bootp + 10); // xid (4 bytes), secs (2 bytes)
  }
}
