/**
 * \summary What every TCP stream protocol's flow handler is built from: where a record came from
 * (StreamOrigin), where it goes (StreamSink), the byte meter the stream budget reads, the
 * per-direction pending buffer and the loop that runs a framer over it. A protocol's flow handler
 * lives in its folder (src/protocols/<name>/<name>-flow.ts); the stream decoder
 * (./stream-decoder.ts) registers it.
 */
import type { StreamRecord } from './stream-decoder.js';
import type { FramerResult } from './framer.js';
import type { TcpSegment } from './tcp-reassembly.js';

/** The config section every stream protocol's limits join (`limits.streams.*`). */
export const STREAMS_SECTION = 'Which TCP streams are read (src/decode/stream/stream-decoder.ts STREAM_LIMITS).';

/** Where a record's bytes came from: the segment that completed it. */
export interface StreamOrigin {
  frameNo: number;
  tsMicros: number;
  srcMac?: string;
  /** The receiver's MAC (the acceptor of a DICOM association, for its called AE title). */
  dstMac?: string;
  vlan?: number;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
}

export interface StreamSink {
  anomaly(code: string): void;
  counter(name: string, by?: number): void;
  record(r: StreamRecord): void;
}

/** Bytes held by all the flows of one StreamDecoder, by allocated size. */
export class ByteMeter {
  used = 0;
}

/**
 * A growable byte buffer for one direction's not-yet-framed bytes. Dropping from the front moves
 * a start offset (no copy); the live bytes are moved down only when the buffer must grow or the
 * dead prefix is larger than the live part, so each byte is copied O(1) times on average.
 * Its allocated size is charged to the decoder's ByteMeter.
 */
export class Pending {
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;
  constructor(private readonly meter: ByteMeter) {}

  get bytes(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  get length(): number {
    return this.end - this.start;
  }

  /** Allocated bytes (what the meter is charged). */
  get capacity(): number {
    return this.buf.length;
  }

  append(b: Uint8Array): void {
    if (b.length === 0) return;
    if (this.end + b.length > this.buf.length) {
      const live = this.end - this.start;
      if (live + b.length <= this.buf.length && this.start >= live) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const grown = new Uint8Array(Math.max(live + b.length, this.buf.length * 2, 4096));
        grown.set(this.buf.subarray(this.start, this.end));
        this.resize(grown);
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(b, this.end);
    this.end += b.length;
  }

  drop(n: number): void {
    this.start += n;
    if (this.start >= this.end) {
      this.start = 0;
      this.end = 0;
      if (this.buf.length > 1 << 16) this.resize(new Uint8Array(0)); // give big buffers back
    }
  }

  clear(): void {
    this.start = 0;
    this.end = 0;
    this.resize(new Uint8Array(0));
  }

  private resize(next: Uint8Array): void {
    this.meter.used += next.length - this.buf.length;
    this.buf = next;
  }
}

export const originOf = (s: TcpSegment & { srcMac?: string; dstMac?: string; vlan?: number }): StreamOrigin => {
  const o: StreamOrigin = { frameNo: s.frameNo, tsMicros: s.tsMicros, srcIp: s.srcIp, srcPort: s.srcPort, dstIp: s.dstIp, dstPort: s.dstPort };
  if (s.srcMac !== undefined) o.srcMac = s.srcMac;
  if (s.dstMac !== undefined) o.dstMac = s.dstMac;
  if (s.vlan !== undefined) o.vlan = s.vlan;
  return o;
};

/** Runs a framer over a direction's pending bytes; calls `onFrame` per frame. */
export function runFramer<T>(pending: Pending, framer: (b: Uint8Array) => FramerResult<T>, sink: StreamSink, onFrame: (f: T) => void): void {
  // Each step consumes or skips at least one byte, or stops: bounded by the pending length.
  for (let guard = pending.bytes.length + 1; guard > 0; guard--) {
    const r = framer(pending.bytes);
    if (r.kind === 'frame') {
      if (r.anomaly) sink.anomaly(r.anomaly);
      onFrame(r.frame);
      pending.drop(r.consumed);
    } else if (r.kind === 'desync') {
      if (r.anomaly) sink.anomaly(r.anomaly);
      pending.drop(r.skip);
    } else {
      if (r.consumed > 0) pending.drop(r.consumed);
      return;
    }
  }
}

