/**
 * \summary TCP flow table and stream reassembly (RFC 9293 sequence space) with hard memory caps,
 * for the protocols auscult reads from streams (DICOM upper layer, HL7 over MLLP).
 *
 * - Both directions of a flow; out-of-order segments are held until the hole fills;
 *   retransmissions and overlaps deliver only bytes not yet delivered, so the same segment seen
 *   twice on a SPAN (once tagged on the trunk, once untagged at the access port) is delivered
 *   once: the flow key ignores the VLAN tag.
 * - A hole that does not fill before the direction's buffer cap, FIN/RST or the idle timeout is a
 *   gap: counted, the consumer is told (it resynchronises at the next PDU or message boundary),
 *   and delivery resumes after the hole.
 * - Hard limits, each a parameter with a counter: flows tracked (oldest evicted first), bytes
 *   buffered per direction, bytes buffered in total (oldest flows evicted until under), idle
 *   timeout in capture time. Nothing here grows without bound.
 *
 * Hand-written: no maintained npm package reassembles TCP from captured segments.
 * Pure: no I/O, no clock (time comes from packet timestamps).
 */

/** Sequence arithmetic modulo 2^32: negative when a is before b. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export interface ReassemblyLimits {
  /** Flows tracked at once; past it the least recently active flow is evicted. */
  maxFlows: number;
  /** Out-of-order bytes held per direction before the hole is declared a gap. */
  maxBufferedBytesPerDirection: number;
  /** Out-of-order bytes held across all flows; past it the oldest flows are evicted. */
  maxBufferedBytesTotal: number;
  /** A flow with no segment for this long (capture time, µs) is closed. */
  idleTimeoutMicros: number;
  /** Out-of-order segments held per direction. */
  maxSegmentsPerDirection: number;
}

export const REASSEMBLY_LIMITS: ReassemblyLimits = {
  maxFlows: 10_000,
  maxBufferedBytesPerDirection: 1 << 20,
  maxBufferedBytesTotal: 64 << 20,
  idleTimeoutMicros: 300_000_000,
  maxSegmentsPerDirection: 256,
};

export const REASSEMBLY_COUNTERS = [
  'reassembly.flows_opened',
  'reassembly.flows_closed',
  'reassembly.flows_evicted',
  'reassembly.flows_idle_closed',
  'reassembly.memory_evictions',
  'reassembly.gaps',
  'reassembly.duplicate_segments',
  'reassembly.overlaps',
  'reassembly.out_of_order',
  'reassembly.segments_dropped',
] as const;

export type ReassemblyCounter = (typeof REASSEMBLY_COUNTERS)[number];

/** 0: the direction of the flow's first segment seen (normally client → server); 1: the other. */
export type Direction = 0 | 1;

export interface TcpSegment {
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  seq: number;
  /** TCP flags: FIN 0x01, SYN 0x02, RST 0x04. */
  flags: number;
  payload: Uint8Array;
  tsMicros: number;
  frameNo: number;
}

/** What a flow's consumer (a protocol handler) receives. */
export interface StreamConsumer {
  /** In-order bytes of one direction. `bytes` is only valid during the call: copy to keep. */
  data(direction: Direction, bytes: Uint8Array, segment: TcpSegment): void;
  /** Bytes were lost in `direction`: resynchronise at the next boundary. */
  gap(direction: Direction): void;
  /** The flow ended (FIN/RST on both sides, idle, or eviction). */
  close(reason: 'fin' | 'rst' | 'idle' | 'evicted'): void;
  /** Bytes the consumer holds for the flow (for the stream memory budget). */
  readonly bufferedBytes?: number;
}

interface HeldSegment {
  seq: number;
  bytes: Uint8Array;
  segment: TcpSegment;
}

interface DirectionState {
  /** Next sequence number expected; undefined until the first segment of the direction. */
  next: number | undefined;
  held: HeldSegment[];
  heldBytes: number;
  finished: boolean;
}

export interface Flow {
  key: string;
  /** Endpoint that sent the flow's first segment seen. */
  a: { ip: string; port: number };
  b: { ip: string; port: number };
  dirs: [DirectionState, DirectionState];
  lastSeen: number;
  consumer: StreamConsumer;
}

export interface FlowEndpoints {
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
}

/** Canonical flow key, the same for both directions and whatever the VLAN tag. */
export function flowKey(s: FlowEndpoints): string {
  const x = `${s.srcIp}|${s.srcPort}`;
  const y = `${s.dstIp}|${s.dstPort}`;
  return x < y ? `${x}>${y}` : `${y}>${x}`;
}

const newDirection = (): DirectionState => ({ next: undefined, held: [], heldBytes: 0, finished: false });

export class TcpReassembler {
  private readonly flows = new Map<string, Flow>();
  /** Per TCP port, how many endpoints of tracked flows use it (each flow counts both its ports).
   * A segment whose two ports are not both here belongs to no tracked flow: `mayBeTracked` says
   * so without building a flow key, which on a SPAN is most TCP segments. 256 KiB, fixed. */
  private readonly portUse = new Uint32Array(65536);
  private totalHeld = 0;
  private segmentsSinceSweep = 0;

  constructor(
    private readonly count: (name: ReassemblyCounter, by?: number) => void,
    private readonly limits: ReassemblyLimits = REASSEMBLY_LIMITS,
  ) {}

  get flowCount(): number {
    return this.flows.size;
  }

  get bufferedBytes(): number {
    return this.totalHeld;
  }

  has(s: FlowEndpoints): boolean {
    return this.flows.has(flowKey(s));
  }

  /** False when no tracked flow uses both ports, so a segment between them cannot be tracked. */
  mayBeTracked(srcPort: number, dstPort: number): boolean {
    return this.portUse[srcPort & 0xffff] !== 0 && this.portUse[dstPort & 0xffff] !== 0;
  }

  /** Starts tracking the flow of `s` with `consumer` (the caller decided it is worth reading). */
  open(s: TcpSegment, consumer: StreamConsumer): Flow {
    const key = flowKey(s);
    const existing = this.flows.get(key);
    if (existing) return existing;
    while (this.flows.size >= this.limits.maxFlows) this.evictOldest('reassembly.flows_evicted');
    const flow: Flow = {
      key,
      a: { ip: s.srcIp, port: s.srcPort },
      b: { ip: s.dstIp, port: s.dstPort },
      dirs: [newDirection(), newDirection()],
      lastSeen: s.tsMicros,
      consumer,
    };
    this.flows.set(key, flow);
    this.usePorts(flow, 1);
    this.count('reassembly.flows_opened');
    return flow;
  }

  private usePorts(flow: Flow, by: 1 | -1): void {
    const a = flow.a.port & 0xffff;
    const b = flow.b.port & 0xffff;
    this.portUse[a] = (this.portUse[a] ?? 0) + by;
    this.portUse[b] = (this.portUse[b] ?? 0) + by;
  }

  /** Feeds one segment of a tracked flow; returns false when the flow is not tracked. */
  segment(s: TcpSegment): boolean {
    if (!this.mayBeTracked(s.srcPort, s.dstPort)) return false;
    const key = flowKey(s);
    const flow = this.flows.get(key);
    if (!flow) return false;
    // Least recently active flows sit first in the map: re-insert on activity.
    this.flows.delete(key);
    this.flows.set(key, flow);
    flow.lastSeen = Math.max(flow.lastSeen, s.tsMicros);
    const direction: Direction = s.srcIp === flow.a.ip && s.srcPort === flow.a.port ? 0 : 1;
    const d = flow.dirs[direction];
    const syn = (s.flags & 0x02) !== 0;
    const fin = (s.flags & 0x01) !== 0;
    const rst = (s.flags & 0x04) !== 0;
    if (syn) {
      // SYN occupies one sequence number: data starts at ISN + 1.
      if (d.next === undefined) d.next = (s.seq + 1) >>> 0;
    } else if (d.next === undefined && s.payload.length > 0) {
      d.next = s.seq >>> 0; // picked up mid-stream: start with this segment
    }
    if (s.payload.length > 0 && d.next !== undefined) this.accept(flow, direction, s);
    if (rst) {
      this.close(flow, 'rst');
      return true;
    }
    if (fin) {
      d.finished = true;
      if (d.held.length > 0) this.declareGap(flow, direction);
      if (flow.dirs[0].finished && flow.dirs[1].finished) this.close(flow, 'fin');
    }
    if (++this.segmentsSinceSweep >= 1024) {
      this.segmentsSinceSweep = 0;
      this.sweepIdle(s.tsMicros);
    }
    return true;
  }

  private accept(flow: Flow, direction: Direction, s: TcpSegment): void {
    const d = flow.dirs[direction];
    const next = d.next as number;
    const start = s.seq >>> 0;
    const end = (start + s.payload.length) >>> 0;
    if (seqDiff(end, next) <= 0) {
      this.count('reassembly.duplicate_segments');
      return;
    }
    const offset = seqDiff(next, start);
    if (offset >= 0) {
      if (offset > 0) this.count('reassembly.overlaps');
      d.next = end;
      flow.consumer.data(direction, s.payload.subarray(offset), s);
      this.drain(flow, direction);
      return;
    }
    // A hole before this segment: hold it (copied: frame buffers are reused).
    this.count('reassembly.out_of_order');
    if (d.held.length >= this.limits.maxSegmentsPerDirection) {
      this.count('reassembly.segments_dropped');
      this.declareGap(flow, direction);
      this.accept(flow, direction, s);
      return;
    }
    const bytes = new Uint8Array(s.payload); // a copy: live frames are views into a reused ring
    d.held.push({ seq: start, bytes, segment: s });
    d.held.sort((x, y) => seqDiff(x.seq, y.seq));
    d.heldBytes += bytes.length;
    this.totalHeld += bytes.length;
    if (d.heldBytes > this.limits.maxBufferedBytesPerDirection) this.declareGap(flow, direction);
    while (this.totalHeld > this.limits.maxBufferedBytesTotal && this.flows.size > 0) this.evictOldest('reassembly.memory_evictions');
  }

  /** Delivers held segments that have become contiguous. */
  private drain(flow: Flow, direction: Direction): void {
    const d = flow.dirs[direction];
    while (d.held.length > 0 && this.flows.has(flow.key)) {
      const h = d.held[0] as HeldSegment;
      const next = d.next as number;
      const end = (h.seq + h.bytes.length) >>> 0;
      if (seqDiff(h.seq, next) > 0) return; // still a hole
      d.held.shift();
      d.heldBytes -= h.bytes.length;
      this.totalHeld -= h.bytes.length;
      if (seqDiff(end, next) <= 0) {
        this.count('reassembly.duplicate_segments');
        continue;
      }
      const offset = seqDiff(next, h.seq);
      if (offset > 0) this.count('reassembly.overlaps');
      d.next = end;
      flow.consumer.data(direction, h.bytes.subarray(offset), h.segment);
    }
  }

  /** The hole will not fill: skip to the first held segment and tell the consumer. */
  private declareGap(flow: Flow, direction: Direction): void {
    const d = flow.dirs[direction];
    const first = d.held[0];
    if (!first) return;
    this.count('reassembly.gaps');
    flow.consumer.gap(direction);
    d.next = first.seq;
    this.drain(flow, direction);
  }

  private close(flow: Flow, reason: 'fin' | 'rst' | 'idle' | 'evicted'): void {
    if (!this.flows.delete(flow.key)) return;
    this.usePorts(flow, -1);
    for (const d of flow.dirs) {
      this.totalHeld -= d.heldBytes;
      d.held = [];
      d.heldBytes = 0;
    }
    this.count(reason === 'idle' ? 'reassembly.flows_idle_closed' : reason === 'evicted' ? 'reassembly.flows_evicted' : 'reassembly.flows_closed');
    flow.consumer.close(reason);
  }

  private evictOldest(counter: ReassemblyCounter): void {
    const oldest = this.flows.values().next().value;
    if (!oldest) return;
    if (counter === 'reassembly.memory_evictions') this.count(counter);
    this.close(oldest, 'evicted');
  }

  /**
   * Closes the flow holding the most bytes (its held segments plus what its consumer holds), for
   * a memory budget the caller enforces; returns false when no flow holds any. O(flows).
   */
  cutLargest(): boolean {
    let worst: Flow | undefined;
    let most = 0;
    for (const flow of this.flows.values()) {
      const held = flow.dirs[0].heldBytes + flow.dirs[1].heldBytes + (flow.consumer.bufferedBytes ?? 0);
      if (held > most) {
        most = held;
        worst = flow;
      }
    }
    if (!worst) return false;
    this.close(worst, 'evicted');
    return true;
  }

  /** Closes flows idle for longer than the timeout (capture time). */
  sweepIdle(nowMicros: number): void {
    for (const flow of this.flows.values()) {
      // Map order is activity order: stop at the first flow still active.
      if (nowMicros - flow.lastSeen <= this.limits.idleTimeoutMicros) break;
      this.close(flow, 'idle');
    }
  }

  /** Closes every flow (end of a capture, shutdown). */
  closeAll(): void {
    for (const flow of [...this.flows.values()]) {
      for (const dir of [0, 1] as const) if (flow.dirs[dir].held.length > 0) this.declareGap(flow, dir);
      this.close(flow, 'fin');
    }
  }
}
