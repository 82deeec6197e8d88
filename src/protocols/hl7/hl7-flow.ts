/**
 * \summary HL7 v2 over MLLP as a TCP stream protocol: its limits (ports, largest message), the
 * test that opens a flow off its ports (0x0B "MSH"), and the per-flow handler that frames MLLP
 * and decodes each message with the allowlist splitter (./hl7.ts). Registered by one line in
 * STREAM_PROTOCOLS (src/decode/stream/stream-decoder.ts).
 */
import { intLimit, portsLimit, declareLimits } from '../../decode/limits.js';
import { originOf, Pending, runFramer, STREAMS_SECTION, type ByteMeter, type StreamSink } from '../../decode/stream/flow.js';
import type { StreamLimits } from '../../decode/stream/stream-decoder.js';
import type { Direction, StreamConsumer, TcpSegment } from '../../decode/stream/tcp-reassembly.js';
import { decodeHl7 } from './hl7.js';
import { frameMllp, MLLP_LIMITS, type FramerWork, type MllpLimits } from './mllp-framer.js';

/** HL7's limits: its ports, and the largest message framed from MLLP (larger ones dropped, `hl7.message_too_large`). */
export const HL7_LIMIT_DECL = declareLimits('streams', STREAMS_SECTION, {
  hl7Ports: portsLimit('hl7_ports', 64, [2575], 'TCP ports read as HL7 over MLLP (besides any stream that starts with 0x0B "MSH").'),
  hl7MaxMessageBytes: intLimit('hl7_max_message_bytes', 64, 1 << 30, MLLP_LIMITS.maxMessageBytes, 'Largest HL7 message framed from MLLP; larger ones are dropped up to the next start block (anomaly `hl7.message_too_large`).'),
});

/** Does a flow's first payload open HL7 over MLLP, whatever its ports? */
export const opensHl7 = (p: Uint8Array): boolean => p.length >= 4 && p[0] === 0x0b && p[1] === 0x4d && p[2] === 0x53 && p[3] === 0x48;

export class Hl7Flow implements StreamConsumer {
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

