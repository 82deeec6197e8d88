/**
 * \summary TCP stream protocols: which flows to read (DICOM on its ports or wherever an
 * A-ASSOCIATE-RQ opens a stream; HL7 over MLLP on its ports or wherever a stream starts with
 * 0x0B "MSH"), and the per-flow handlers that run the framers and decoders over reassembled bytes.
 *
 * Buffers are capped: a direction's pending bytes never exceed the framer's message limit
 * (hl7 `maxMessageBytes`, dicom `maxPduBytes`); the flow table is capped by TcpReassembler.
 * Data-set bytes go only to DicomDatasetReader (allowlist, pixel data skipped unbuffered) and HL7
 * messages only to the allowlist splitter: no payload is kept.
 *
 * Stream protocols register in STREAM_PROTOCOLS (one line each: name, ports, opener test, flow
 * handler, anomaly codes, limits declared once with `declareLimits('streams', ...)`); the port
 * table, the probe that picks a new flow's protocol, the counters `stream.flows_<name>`, the
 * config keys `limits.streams.*` and the anomaly-code reference derive from it. Its observer goes
 * in STREAM_OBSERVERS (src/observe/observe-app.ts). See src/decode/registry.ts for datagrams.
 */
import type { FrameRecord } from '../frame-record.js';
import { declareLimits, intLimit, portsLimit, type LimitSection, type LimitValues } from '../limits.js';
import { decodeDicomCommand, DICOM_COMMAND_ANOMALIES, type DicomCommandRecord } from '../app/dicom-command.js';
import { DICOM_DATASET_ANOMALIES, DicomDatasetReader, type DicomDeviceAttributes } from '../app/dicom-dataset.js';
import { DICOM_UL_ANOMALIES, DICOM_UL_LIMITS, decodeDicomPdu, frameDicomPdu, type DicomUlLimits, type DicomUlRecord } from '../app/dicom-ul.js';
import { decodeHl7, HL7_ANOMALIES, type Hl7Record } from '../app/hl7.js';
import type { FramerResult } from './framer.js';
import { frameMllp, MLLP_ANOMALIES, MLLP_LIMITS, type FramerWork, type MllpLimits } from './mllp-framer.js';
import {
  REASSEMBLY_COUNTERS as TCP_REASSEMBLY_COUNTERS, REASSEMBLY_LIMITS, TcpReassembler, type Direction, type ReassemblyCounter,
  type ReassemblyLimits, type StreamConsumer, type TcpSegment,
} from './tcp-reassembly.js';

/** The stream decoder's own limits (config `limits.streams.*` beside the protocols' keys). */
export const STREAM_LIMIT_DECL = declareLimits('streams', 'Which TCP streams are read (src/decode/stream/stream-decoder.ts STREAM_LIMITS).', {
  // Sized for the 150 MB RSS target: a replay or run holds about 100 MB without streams.
  // Sized for the 150 MB RSS target: a replay holds about 126 MiB at its peak without streams,
  // and RSS grows by 1.5-2.5 x the budget (garbage of copied buffers until the GC runs). Measured
  // replaying 1,000 unterminated DICOM/HL7 flows of 64 KiB (test/e2e/stream-memory.test.ts):
  // budget 32 MiB peaked at 182 MiB, 16 MiB at 164, 8 MiB at 145-152, 1 MiB at 139.
  totalBytes: intLimit('total_bytes', 1 << 20, 2 ** 31, 8 << 20, 'Memory budget for all stream state together (framer buffers, DICOM command sets and data set readers, out-of-order segments, by allocated size); past it the flows holding the most are cut until under 3/4 of it (counters `stream.budget_cuts`, `stream.budget_cut_bytes`; `/healthz` problem). Default sized for the 150 MB RSS target.'),
});

/** DICOM's limits: its ports, and the largest PDU framed (larger ones resynchronise, `dicom.pdu_too_large`). */
export const DICOM_LIMIT_DECL = declareLimits('streams', STREAM_LIMIT_DECL.describe, {
  dicomPorts: portsLimit('dicom_ports', 64, [104, 11112], 'TCP ports read as DICOM (besides any stream that opens with an A-ASSOCIATE-RQ).'),
  dicomMaxPduBytes: intLimit('dicom_max_pdu_bytes', 64, 1 << 30, DICOM_UL_LIMITS.maxPduBytes, 'Largest DICOM PDU buffered; larger ones resynchronise at the next PDU header (anomaly `dicom.pdu_too_large`).'),
});

/** HL7's limits: its ports, and the largest message framed from MLLP (larger ones dropped, `hl7.message_too_large`). */
export const HL7_LIMIT_DECL = declareLimits('streams', STREAM_LIMIT_DECL.describe, {
  hl7Ports: portsLimit('hl7_ports', 64, [2575], 'TCP ports read as HL7 over MLLP (besides any stream that starts with 0x0B "MSH").'),
  hl7MaxMessageBytes: intLimit('hl7_max_message_bytes', 64, 1 << 30, MLLP_LIMITS.maxMessageBytes, 'Largest HL7 message framed from MLLP; larger ones are dropped up to the next start block (anomaly `hl7.message_too_large`).'),
});

/** Every stream protocol's limit values, and the decoder's own. */
type StreamConfigLimits = LimitValues<typeof STREAM_LIMIT_DECL.fields> & LimitValues<typeof DICOM_LIMIT_DECL.fields> & LimitValues<typeof HL7_LIMIT_DECL.fields>;

export interface StreamLimits extends StreamConfigLimits {
  reassembly: ReassemblyLimits;
  /** Bytes of one command set kept while its fragments arrive. */
  maxCommandBytes: number;
}

export const STREAM_LIMITS: StreamLimits = {
  reassembly: REASSEMBLY_LIMITS,
  maxCommandBytes: 65536,
  ...STREAM_LIMIT_DECL.defaults,
  ...DICOM_LIMIT_DECL.defaults,
  ...HL7_LIMIT_DECL.defaults,
};

/** Counters of the stream memory budget (`limits.streams.total_bytes`). */
export const STREAM_BUDGET_COUNTERS = [
  /** Flows cut because all stream state together passed the budget (the flows holding the most go first). */
  'stream.budget_cuts',
  /** Bytes those cuts released. */
  'stream.budget_cut_bytes',
] as const;

/** Every counter of stream state: the reassembler's and the budget's. */
export const REASSEMBLY_COUNTERS = [...TCP_REASSEMBLY_COUNTERS, ...STREAM_BUDGET_COUNTERS] as const;

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

export type StreamRecord =
  | { protocol: 'hl7'; kind: 'message'; record: Hl7Record; origin: StreamOrigin }
  | { protocol: 'dicom'; kind: 'pdu'; record: DicomUlRecord; origin: StreamOrigin }
  | { protocol: 'dicom'; kind: 'command'; record: DicomCommandRecord; origin: StreamOrigin }
  | {
      protocol: 'dicom';
      kind: 'dataset';
      record: DicomDeviceAttributes;
      origin: StreamOrigin;
      /** Sent as a C-MOVE sub-operation (the command named a move originator): the sender is
       * forwarding images (a PACS), so the equipment tags describe another device. */
      forwarded: boolean;
    };

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
class Pending {
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

const originOf = (s: TcpSegment & { srcMac?: string; dstMac?: string; vlan?: number }): StreamOrigin => {
  const o: StreamOrigin = { frameNo: s.frameNo, tsMicros: s.tsMicros, srcIp: s.srcIp, srcPort: s.srcPort, dstIp: s.dstIp, dstPort: s.dstPort };
  if (s.srcMac !== undefined) o.srcMac = s.srcMac;
  if (s.dstMac !== undefined) o.dstMac = s.dstMac;
  if (s.vlan !== undefined) o.vlan = s.vlan;
  return o;
};

/** Runs a framer over a direction's pending bytes; calls `onFrame` per frame. */
function runFramer<T>(pending: Pending, framer: (b: Uint8Array) => FramerResult<T>, sink: StreamSink, onFrame: (f: T) => void): void {
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

class Hl7Flow implements StreamConsumer {
  private readonly pending: [Pending, Pending];
  private readonly mllp: MllpLimits;
  constructor(private readonly sink: StreamSink, limits: StreamLimits, meter: ByteMeter, private readonly work: FramerWork) {
    this.mllp = { maxMessageBytes: limits.hl7MaxMessageBytes };
    this.pending = [new Pending(meter), new Pending(meter)];
  }

  get bufferedBytes(): number {
    return this.pending[0].capacity + this.pending[1].capacity;
  }

  /** Per direction: bytes [1, scanned) of the pending message hold no VT or FS (scanned before). */
  private readonly scanned: [number, number] = [1, 1];

  data(d: Direction, bytes: Uint8Array, s: TcpSegment): void {
    const p = this.pending[d];
    p.append(bytes);
    runFramer(p, (b) => {
      const r = frameMllp(b, this.mllp, this.scanned[d], this.work);
      // Waiting for the end of a message: everything buffered (but the last byte, an FS that
      // may await its CR) has been scanned. Anything else moves the start: scan afresh.
      this.scanned[d] = r.kind === 'incomplete' && r.consumed === 0 ? Math.max(1, b.length - 1) : 1;
      return r;
    }, this.sink, (message) => {
      const { value, anomalies } = decodeHl7(message);
      for (const a of anomalies) this.sink.anomaly(a);
      this.sink.record({ protocol: 'hl7', kind: 'message', record: value, origin: originOf(s) });
    });
  }

  gap(d: Direction): void {
    this.pending[d].clear(); // resynchronise at the next 0x0B
    this.scanned[d] = 1;
  }

  close(): void {
    for (const p of this.pending) p.clear();
  }
}

interface DatasetInProgress {
  reader: DicomDatasetReader;
}

class DicomFlow implements StreamConsumer {
  private readonly pending: [Pending, Pending];
  /** Accepted transfer syntax per presentation context id (from the A-ASSOCIATE-AC). */
  private readonly syntaxes = new Map<number, string>();
  private readonly commands: [Pending, Pending];
  private readonly datasets: [Map<number, DatasetInProgress>, Map<number, DatasetInProgress>] = [new Map(), new Map()];
  /** Whether the last command each direction sent was a C-MOVE sub-operation. */
  private readonly forwarding: [boolean, boolean] = [false, false];

  private readonly ul: DicomUlLimits;
  /** Per direction: framing from a PDU boundary (false at the start and after a gap: the next
   * header must validate before it is taken as one). */
  private readonly synced: [boolean, boolean] = [false, false];

  constructor(private readonly sink: StreamSink, private readonly limits: StreamLimits, private readonly meter: ByteMeter) {
    this.ul = { ...DICOM_UL_LIMITS, maxPduBytes: limits.dicomMaxPduBytes };
    this.pending = [new Pending(meter), new Pending(meter)];
    this.commands = [new Pending(meter), new Pending(meter)];
  }

  get bufferedBytes(): number {
    return this.pending[0].capacity + this.pending[1].capacity + this.commands[0].capacity + this.commands[1].capacity + this.readerBytes;
  }

  /** Bytes the open data set readers hold (charged to the meter as they change). */
  private readerBytes = 0;

  private chargeReaders(): void {
    let n = 0;
    for (const open of this.datasets) for (const ds of open.values()) n += ds.reader.heldBytes;
    this.meter.used += n - this.readerBytes;
    this.readerBytes = n;
  }

  data(d: Direction, bytes: Uint8Array, s: TcpSegment): void {
    const p = this.pending[d];
    p.append(bytes);
    runFramer(p, (b) => {
      const r = frameDicomPdu(b, this.ul, !this.synced[d]);
      if (r.kind === 'frame') this.synced[d] = true;
      return r;
    }, this.sink, (pdu) => {
      const { value, anomalies } = decodeDicomPdu(pdu, this.ul);
      for (const a of anomalies) this.sink.anomaly(a);
      if (value.pdu === 'data') {
        this.onData(d, value.pdvs, s);
        return;
      }
      if (value.pdu === 'associate_ac') {
        for (const pc of value.acceptedContexts) if (pc.result === 0 && pc.transferSyntax) this.syntaxes.set(pc.id, pc.transferSyntax);
      }
      this.sink.record({ protocol: 'dicom', kind: 'pdu', record: value, origin: originOf(s) });
    });
  }

  private onData(d: Direction, pdvs: readonly { presentationContextId: number; isCommand: boolean; isLast: boolean; fragment: Uint8Array }[], s: TcpSegment): void {
    for (const pdv of pdvs) {
      if (pdv.isCommand) {
        const command = this.commands[d];
        if (command.length + pdv.fragment.length <= this.limits.maxCommandBytes) command.append(pdv.fragment);
        else this.sink.anomaly('dicom.too_many_elements');
        if (pdv.isLast) {
          const { value, anomalies } = decodeDicomCommand(command.bytes);
          for (const a of anomalies) this.sink.anomaly(a);
          command.clear();
          this.forwarding[d] = value.moveOriginatorAeTitle !== undefined;
          this.sink.record({ protocol: 'dicom', kind: 'command', record: value, origin: originOf(s) });
        }
        continue;
      }
      const open = this.datasets[d];
      let ds = open.get(pdv.presentationContextId);
      if (!ds) {
        const ts = this.syntaxes.get(pdv.presentationContextId) ?? '1.2.840.10008.1.2';
        ds = { reader: new DicomDatasetReader(ts) };
        open.set(pdv.presentationContextId, ds);
      }
      ds.reader.push(pdv.fragment, pdv.isLast);
      if (pdv.isLast) {
        open.delete(pdv.presentationContextId);
        const { value, anomalies } = ds.reader.result();
        for (const a of anomalies) this.sink.anomaly(a);
        this.sink.record({ protocol: 'dicom', kind: 'dataset', record: value, origin: originOf(s), forwarded: this.forwarding[d] });
      }
    }
    this.chargeReaders();
  }

  gap(d: Direction): void {
    this.pending[d].clear();
    this.synced[d] = false;
    this.commands[d].clear();
    this.datasets[d].clear();
    this.chargeReaders();
  }

  close(): void {
    for (const p of this.pending) p.clear();
    for (const c of this.commands) c.clear();
    for (const open of this.datasets) open.clear();
    this.chargeReaders();
  }
}

const isAssociateRq = (p: Uint8Array) =>
  p.length >= 10 && p[0] === 0x01 && p[1] === 0x00 && p[6] === 0x00 && p[7] === 0x01;
const isMllpMsh = (p: Uint8Array) => p.length >= 4 && p[0] === 0x0b && p[1] === 0x4d && p[2] === 0x53 && p[3] === 0x48;

/** One TCP stream protocol's registry entry. */
export interface StreamProtocol {
  /** Its name: the `protocol` of its StreamRecords, counters `stream.flows_<name>` and `decoded.<name>`. */
  name: StreamRecord['protocol'];
  /** Ports read as this protocol (from its limits). */
  ports(limits: StreamLimits): readonly number[];
  /** Does the first payload of a flow open this protocol, whatever its ports? */
  opens(payload: Uint8Array): boolean;
  /** The per-flow handler: framer and decoders over the reassembled bytes of both directions. */
  /** `work` counts the bytes a framer looked at, over every flow (tests bound rescans with it). */
  flow(sink: StreamSink, limits: StreamLimits, meter: ByteMeter, work: FramerWork): StreamConsumer;
  /** Every anomaly code its flows can report (docs/anomaly-codes.md lists them). */
  anomalyCodes: readonly string[];
  /** Its limits, declared once (config keys under `limits.streams`). */
  limits: LimitSection;
}

/**
 * Every stream protocol, one line each. A new flow (a SYN, or the first payload seen) goes to the
 * protocol whose port it uses and whose opener its payload matches; else to the first in this
 * order whose port it uses or whose opener its payload matches (on a DICOM port, a payload that
 * is neither opener is read as DICOM).
 */
export const STREAM_PROTOCOLS: readonly StreamProtocol[] = [
  { name: 'dicom', ports: (l) => l.dicomPorts, opens: isAssociateRq, flow: (sink, l, meter) => new DicomFlow(sink, l, meter), anomalyCodes: [...DICOM_UL_ANOMALIES, ...DICOM_COMMAND_ANOMALIES, ...DICOM_DATASET_ANOMALIES], limits: DICOM_LIMIT_DECL },
  { name: 'hl7', ports: (l) => l.hl7Ports, opens: isMllpMsh, flow: (sink, l, meter, work) => new Hl7Flow(sink, l, meter, work), anomalyCodes: [...MLLP_ANOMALIES, ...HL7_ANOMALIES], limits: HL7_LIMIT_DECL },
];

/** Every anomaly code of every stream protocol. */
export const STREAM_ANOMALIES: readonly string[] = STREAM_PROTOCOLS.flatMap((p) => p.anomalyCodes);

/** Every limits declaration of the stream layer (src/config.ts builds `limits.streams` from them). */
export const STREAM_LIMIT_DECLS: readonly LimitSection[] = [...STREAM_PROTOCOLS.map((p) => p.limits), STREAM_LIMIT_DECL];

/** Chooses the flows worth reading, reassembles them, and hands records to the sink. */
export class StreamDecoder {
  private readonly reassembler: TcpReassembler;
  /** Per TCP port, bit i set when STREAM_PROTOCOLS[i] reads that port: one read per port, where a
   * frame on a SPAN is mostly traffic of no interest and this runs for every TCP segment. */
  private readonly portClass = new Uint32Array(65536);
  /** Bytes the flows' consumers hold (framer buffers, command sets), by allocated size. */
  private readonly meter = new ByteMeter();
  /** Bytes the MLLP framer looked at, over every HL7 flow. */
  private readonly mllpWork: FramerWork = { looked: 0 };

  constructor(private readonly sink: StreamSink, private readonly limits: StreamLimits = STREAM_LIMITS) {
    this.reassembler = new TcpReassembler((name: ReassemblyCounter, by?: number) => sink.counter(name, by), limits.reassembly);
    const mark = (port: number, bit: number) => (this.portClass[port & 0xffff] = (this.portClass[port & 0xffff] ?? 0) | bit);
    STREAM_PROTOCOLS.forEach((p, i) => { for (const port of p.ports(limits)) mark(port, 1 << i); });
  }

  get flows(): number {
    return this.reassembler.flowCount;
  }

  /** Every byte of stream state: out-of-order segments held by the reassembler plus what the
   * flows' framers and readers hold (the quantity `limits.streams.total_bytes` bounds). */
  get bufferedBytes(): number {
    return this.reassembler.bufferedBytes + this.meter.used;
  }

  /** Bytes the MLLP framer has looked at so far (with the bytes given, it proves the per-byte work bounded). */
  get mllpBytesLooked(): number {
    return this.mllpWork.looked;
  }

  /** Takes one decoded TCP frame. */
  onTcp(frame: FrameRecord): void {
    const tcp = frame.tcp;
    const ip = frame.ip;
    if (!tcp || !ip) return;
    // Most segments belong to no tracked flow and open none: decide that before building anything.
    const tracked = this.reassembler.mayBeTracked(tcp.srcPort, tcp.dstPort);
    const protocol = tracked ? undefined : this.probe(tcp.srcPort, tcp.dstPort, tcp.flags, frame.payload);
    if (!tracked && protocol === undefined) return;
    const segment: TcpSegment & { srcMac?: string; dstMac?: string; vlan?: number } = {
      srcIp: ip.src, srcPort: tcp.srcPort, dstIp: ip.dst, dstPort: tcp.dstPort,
      seq: tcp.seq, flags: tcp.flags, payload: frame.payload, tsMicros: frame.tsMicros, frameNo: frame.frameNo,
    };
    if (frame.srcMac !== undefined) segment.srcMac = frame.srcMac;
    if (frame.dstMac !== undefined) segment.dstMac = frame.dstMac;
    const vlan = frame.vlanTags[frame.vlanTags.length - 1]?.vid;
    if (vlan !== undefined) segment.vlan = vlan;
    if (tracked) {
      if (!this.reassembler.segment(segment)) {
        // Both ports are in use by tracked flows, but not by this pair: it may open a flow of its own.
        const probed = this.probe(tcp.srcPort, tcp.dstPort, tcp.flags, frame.payload);
        if (probed !== undefined) this.openFlow(probed, segment);
      }
    } else {
      this.openFlow(protocol as StreamProtocol, segment);
    }
    if (this.bufferedBytes > this.limits.totalBytes) this.enforceBudget();
  }

  /**
   * All stream state passed `limits.streams.total_bytes`: cut the flows holding the most until it
   * is under three quarters of the budget (the slack keeps cuts, each a scan of the flow table, rare).
   */
  private enforceBudget(): void {
    const before = this.bufferedBytes;
    const target = Math.floor(this.limits.totalBytes * 0.75);
    let cuts = 0;
    while (this.bufferedBytes > target && this.reassembler.cutLargest()) cuts++;
    if (cuts === 0) return;
    this.sink.counter('stream.budget_cuts', cuts);
    this.sink.counter('stream.budget_cut_bytes', before - this.bufferedBytes);
  }

  private openFlow(protocol: StreamProtocol, segment: TcpSegment): void {
    this.sink.counter(`stream.flows_${protocol.name}`);
    this.reassembler.open(segment, protocol.flow(this.sink, this.limits, this.meter, this.mllpWork));
    this.reassembler.segment(segment);
  }

  /** The protocol of a flow not yet tracked that this segment opens, if any (see STREAM_PROTOCOLS). */
  private probe(srcPort: number, dstPort: number, flags: number, payload: Uint8Array): StreamProtocol | undefined {
    const syn = (flags & 0x02) !== 0;
    if (payload.length === 0 && !syn) return undefined;
    const ports = (this.portClass[srcPort & 0xffff] as number) | (this.portClass[dstPort & 0xffff] as number);
    let either: StreamProtocol | undefined;
    for (let i = 0; i < STREAM_PROTOCOLS.length; i++) {
      const p = STREAM_PROTOCOLS[i] as StreamProtocol;
      const onPort = (ports & (1 << i)) !== 0;
      const opens = p.opens(payload);
      if (onPort && opens) return p;
      if (either === undefined && (onPort || opens)) either = p;
    }
    return either;
  }

  /** Idle flows are closed by capture time. */
  sweep(nowMicros: number): void {
    this.reassembler.sweepIdle(nowMicros);
  }

  closeAll(): void {
    this.reassembler.closeAll();
  }
}

