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
 * handler, anomaly codes, limits declared once with `declareLimits('streams', ...)`); each
 * protocol's flow handler, opener and limits live in its folder (src/protocols/dicom/dicom-flow.ts,
 * src/protocols/hl7/hl7-flow.ts) on the shared pieces of ./flow.ts; the port
 * table, the probe that picks a new flow's protocol, the counters `stream.flows_<name>`, the
 * config keys `limits.streams.*` and the anomaly-code reference derive from it. Its observer goes
 * in STREAM_OBSERVERS (src/observe/observe-app.ts). See src/decode/registry.ts for datagrams.
 */
import type { FrameRecord } from '../frame-record.js';
import { declareLimits, intLimit, type LimitSection, type LimitValues } from '../limits.js';
import { DICOM_COMMAND_ANOMALIES, type DicomCommandRecord } from '../../protocols/dicom/dicom-command.js';
import { DICOM_DATASET_ANOMALIES, type DicomDeviceAttributes } from '../../protocols/dicom/dicom-dataset.js';
import { DICOM_UL_ANOMALIES, type DicomUlRecord } from '../../protocols/dicom/dicom-ul.js';
import { DICOM_LIMIT_DECL, DicomFlow, opensDicom } from '../../protocols/dicom/dicom-flow.js';
import { HL7_ANOMALIES, type Hl7Record } from '../../protocols/hl7/hl7.js';
import { HL7_LIMIT_DECL, Hl7Flow, opensHl7 } from '../../protocols/hl7/hl7-flow.js';
import { MLLP_ANOMALIES, type FramerWork } from '../../protocols/hl7/mllp-framer.js';
import { ByteMeter, STREAMS_SECTION, type StreamOrigin, type StreamSink } from './flow.js';
import {
  REASSEMBLY_COUNTERS as TCP_REASSEMBLY_COUNTERS, REASSEMBLY_LIMITS, TcpReassembler, type ReassemblyCounter,
  type ReassemblyLimits, type StreamConsumer, type TcpSegment,
} from './tcp-reassembly.js';

export { ByteMeter, type StreamOrigin, type StreamSink } from './flow.js';

/** The stream decoder's own limits (config `limits.streams.*` beside the protocols' keys). */
export const STREAM_LIMIT_DECL = declareLimits('streams', STREAMS_SECTION, {
  // Sized for the 150 MB RSS target: a replay or run holds about 100 MB without streams.
  // Sized for the 150 MB RSS target: a replay holds about 126 MiB at its peak without streams,
  // and RSS grows by 1.5-2.5 x the budget (garbage of copied buffers until the GC runs). Measured
  // replaying 1,000 unterminated DICOM/HL7 flows of 64 KiB (test/e2e/stream-memory.test.ts):
  // budget 32 MiB peaked at 182 MiB, 16 MiB at 164, 8 MiB at 145-152, 1 MiB at 139.
  totalBytes: intLimit('total_bytes', 1 << 20, 2 ** 31, 8 << 20, 'Memory budget for all stream state together (framer buffers, DICOM command sets and data set readers, out-of-order segments, by allocated size); past it the flows holding the most are cut until under 3/4 of it (counters `stream.budget_cuts`, `stream.budget_cut_bytes`; `/healthz` problem). Default sized for the 150 MB RSS target.'),
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
  { name: 'dicom', ports: (l) => l.dicomPorts, opens: opensDicom, flow: (sink, l, meter) => new DicomFlow(sink, l, meter), anomalyCodes: [...DICOM_UL_ANOMALIES, ...DICOM_COMMAND_ANOMALIES, ...DICOM_DATASET_ANOMALIES], limits: DICOM_LIMIT_DECL },
  { name: 'hl7', ports: (l) => l.hl7Ports, opens: opensHl7, flow: (sink, l, meter, work) => new Hl7Flow(sink, l, meter, work), anomalyCodes: [...MLLP_ANOMALIES, ...HL7_ANOMALIES], limits: HL7_LIMIT_DECL },
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

