/**
 * The stream memory budget (`limits.streams.total_bytes`) and bounded per-byte framer work
 * (issue 22: 100 DICOM flows peaked at 574 MB, 200 HL7 flows at 553 MB; 50 x 64 KB segments of
 * 0x0B on port 2575 cost 31 s of CPU).
 */
import { describe, expect, it } from 'vitest';
import { Counters } from '../../../../src/counters.js';
import type { FrameRecord } from '../../../../src/decode/frame-record.js';
import { STREAM_LIMITS, StreamDecoder, type StreamLimits, type StreamRecord } from '../../../../src/decode/stream/stream-decoder.js';

function decoder(limits: StreamLimits = STREAM_LIMITS) {
  const counters = new Counters();
  const records: StreamRecord[] = [];
  const d = new StreamDecoder({ anomaly: (c) => counters.inc(`anomaly.${c}`), counter: (n, by) => counters.inc(n, by), record: (r) => records.push(r) }, limits);
  return { d, counters, records };
}

let frameNo = 0;
const segment = (client: number, dstPort: number, seq: number, payload: Uint8Array, flags = 0x18): FrameRecord => ({
  frameNo: ++frameNo, tsMicros: frameNo, srcMac: '02:00:00:00:00:01', vlanTags: [], payloadKind: 'tcp', payload,
  ip: { version: 4, src: `10.1.${(client >> 8) & 255}.${client & 255}`, dst: '10.0.0.2', protocol: 6, ttl: 64, fragment: false },
  tcp: { srcPort: 40000 + (client % 20000), dstPort, seq, ack: 0, flags, window: 0 },
});

/** A P-DATA-TF header announcing a 1,000,000-byte PDU that never completes. */
function unterminatedPdata(): Uint8Array {
  const b = new Uint8Array(4096).fill(0x41);
  b.set([0x04, 0x00, 0x00, 0x0f, 0x42, 0x40], 0); // type 4, reserved, length 1,000,000
  return b;
}

/** An MLLP start block and MSH with no end block. */
function unterminatedMllp(): Uint8Array {
  const b = new Uint8Array(4096).fill(0x41);
  b.set(new TextEncoder().encode('\x0bMSH|^~\\&|LAB|H|'), 0);
  return b;
}

describe('stream memory budget', () => {
  it('1,000 concurrent unterminated DICOM and HL7 flows (64 KiB each) stay under the budget; cuts are counted', () => {
    const { d, counters } = decoder();
    const flows = 1000;
    const chunks = 16; // 16 x 4 KiB per flow: about 64 MiB unbounded, 8 x the default budget
    const filler = new Uint8Array(4096).fill(0x41);
    let peak = 0;
    for (let c = 0; c < chunks; c++) {
      for (let f = 0; f < flows; f++) {
        const dicom = f % 2 === 0;
        const port = dicom ? 104 : 2575;
        const first = c === 0 ? (dicom ? unterminatedPdata() : unterminatedMllp()) : filler;
        d.onTcp(segment(f, port, 1000 + c * 4096, first));
        peak = Math.max(peak, d.bufferedBytes);
      }
    }
    expect(peak).toBeLessThanOrEqual(STREAM_LIMITS.totalBytes);
    expect(counters.get('stream.budget_cuts')).toBeGreaterThan(0);
    expect(counters.get('stream.budget_cut_bytes')).toBeGreaterThan(STREAM_LIMITS.totalBytes / 4);
    // A cut flow is closed (its later segments open a fresh flow that resynchronises).
    expect(counters.get('reassembly.flows_evicted')).toBe(counters.get('stream.budget_cuts'));
    d.closeAll();
    expect(d.bufferedBytes).toBe(0);
  });

  it('a lowered budget (1 MiB) holds too, and cuts the flow holding the most first', () => {
    const { d, counters } = decoder({ ...STREAM_LIMITS, totalBytes: 1 << 20 });
    // One big HL7 flow (600 KiB) and 50 small ones (8 KiB each).
    for (let c = 0; c < 150; c++) d.onTcp(segment(1, 2575, 1000 + c * 4096, c === 0 ? unterminatedMllp() : new Uint8Array(4096).fill(0x41)));
    for (let f = 2; f < 52; f++) for (let c = 0; c < 2; c++) d.onTcp(segment(f, 2575, 1000 + c * 4096, c === 0 ? unterminatedMllp() : new Uint8Array(4096).fill(0x41)));
    expect(d.bufferedBytes).toBeLessThanOrEqual(1 << 20);
    expect(counters.get('stream.budget_cuts')).toBe(1);
    expect(d.flows).toBe(50); // the big one went; every small one kept
  });
});

describe('framer work is bounded per byte', () => {
  // Work is counted (bytes the MLLP framer looked at), not timed: rescanning the buffer on every
  // segment (31 s of CPU for the flood below) would look at each byte once per later segment.
  it('50 x 64 KiB segments of 0x0B on port 2575: each byte looked at a bounded number of times', () => {
    const { d, counters } = decoder();
    const vt = new Uint8Array(65536).fill(0x0b);
    for (let i = 0; i < 50; i++) d.onTcp(segment(7, 2575, 1000 + i * 65536, vt));
    expect(d.mllpBytesLooked).toBeGreaterThan(0);
    expect(d.mllpBytesLooked).toBeLessThanOrEqual(3 * 50 * 65536);
    expect(counters.get('anomaly.hl7.mllp_unterminated')).toBeGreaterThan(0);
    expect(d.bufferedBytes).toBeLessThanOrEqual(65536 * 2);
  });

  it('a 900 KB HL7 message in 1,460-byte segments is framed in one pass (about one look a byte)', () => {
    const { d, records } = decoder();
    const body = new Uint8Array(900_000).fill(0x41);
    const head = new TextEncoder().encode('\x0bMSH|^~\\&|LAB|H|\rOBX|1|ED|');
    const msg = new Uint8Array(head.length + body.length + 3);
    msg.set(head, 0);
    msg.set(body, head.length);
    msg.set([0x0d, 0x1c, 0x0d], msg.length - 3);
    for (let off = 0, i = 0; off < msg.length; off += 1460, i++) d.onTcp(segment(9, 2575, 1000 + off, msg.subarray(off, off + 1460)));
    expect(records.filter((r) => r.protocol === 'hl7')).toHaveLength(1);
    // Rescanning from the start on every segment would be about 617 segments x 450 KB on average.
    expect(d.mllpBytesLooked).toBeGreaterThanOrEqual(msg.length - 2);
    expect(d.mllpBytesLooked).toBeLessThanOrEqual(2 * msg.length);
  });
});

describe('DICOM after a lost segment resynchronises on a PDU boundary that validates', () => {
  it('dropping any one 64-byte segment of a lab C-STORE never yields a record value the intact flow does not', async () => {
    const { stream } = await import('../medical-streams.js');
    const client = stream('dicom-store-implicit.client.bin');
    const values = (records: StreamRecord[]) => records.flatMap((r) => {
      if (r.kind === 'pdu' && (r.record.pdu === 'associate_rq' || r.record.pdu === 'associate_ac')) return [r.record.callingAeTitle, r.record.calledAeTitle];
      if (r.kind === 'dataset') return Object.values(r.record).filter((v): v is string => typeof v === 'string');
      return [];
    });
    const run = (drop: number) => {
      const { d, records, counters } = decoder();
      for (let off = 0, i = 0; off < client.length; off += 64, i++) {
        if (i === drop) continue;
        d.onTcp(segment(3, 104, 1000 + off, client.subarray(off, off + 64)));
      }
      d.closeAll();
      return { records, counters };
    };
    const genuine = new Set(values(run(-1).records));
    expect(genuine.size).toBeGreaterThan(2);
    let resyncs = 0;
    const segments = Math.ceil(client.length / 64);
    for (let drop = 0; drop < segments; drop++) {
      const { records, counters } = run(drop);
      resyncs += counters.get('anomaly.dicom.resync');
      for (const v of values(records)) expect(genuine.has(v), `dropped segment ${drop}: ${v}`).toBe(true);
    }
    expect(resyncs).toBeGreaterThan(0);
  });
});
