/**
 * \summary DICOM upper layer as a TCP stream protocol: its limits (ports, largest PDU), the test
 * that opens a flow off its ports (an A-ASSOCIATE-RQ), and the per-flow handler that frames PDUs,
 * collects command sets and reads data sets through the allowlist reader (./dicom-dataset.ts).
 * Registered by one line in STREAM_PROTOCOLS (src/decode/stream/stream-decoder.ts).
 */
import { intLimit, portsLimit, declareLimits } from '../../decode/limits.js';
import { originOf, Pending, runFramer, STREAMS_SECTION, type ByteMeter, type StreamSink } from '../../decode/stream/flow.js';
import type { StreamLimits } from '../../decode/stream/stream-decoder.js';
import type { Direction, StreamConsumer, TcpSegment } from '../../decode/stream/tcp-reassembly.js';
import { decodeDicomCommand } from './dicom-command.js';
import { DicomDatasetReader } from './dicom-dataset.js';
import { DICOM_UL_LIMITS, decodeDicomPdu, frameDicomPdu, type DicomUlLimits } from './dicom-ul.js';

/** DICOM's limits: its ports, and the largest PDU framed (larger ones resynchronise, `dicom.pdu_too_large`). */
export const DICOM_LIMIT_DECL = declareLimits('streams', STREAMS_SECTION, {
  dicomPorts: portsLimit('dicom_ports', 64, [104, 11112], 'TCP ports read as DICOM (besides any stream that opens with an A-ASSOCIATE-RQ).'),
  dicomMaxPduBytes: intLimit('dicom_max_pdu_bytes', 64, 1 << 30, DICOM_UL_LIMITS.maxPduBytes, 'Largest DICOM PDU buffered; larger ones resynchronise at the next PDU header (anomaly `dicom.pdu_too_large`).'),
});

/** Does a flow's first payload open DICOM (an A-ASSOCIATE-RQ), whatever its ports? */
export const opensDicom = (p: Uint8Array): boolean =>
  p.length >= 10 && p[0] === 0x01 && p[1] === 0x00 && p[6] === 0x00 && p[7] === 0x01;

interface DatasetInProgress {
  reader: DicomDatasetReader;
}

export class DicomFlow implements StreamConsumer {
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

