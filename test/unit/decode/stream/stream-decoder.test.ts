import { describe, expect, it } from 'vitest';
import { Counters } from '../../../../src/counters.js';
import type { FrameRecord } from '../../../../src/decode/frame-record.js';
import { REASSEMBLY_LIMITS } from '../../../../src/decode/stream/tcp-reassembly.js';
import { STREAM_LIMITS, StreamDecoder, type StreamRecord } from '../../../../src/decode/stream/stream-decoder.js';
import { readFrames } from '../../../helpers/frames.js';
import { ROOT } from '../../../helpers/cli.js';

function decoder(limits = STREAM_LIMITS) {
  const counters = new Counters();
  const records: StreamRecord[] = [];
  const d = new StreamDecoder({ anomaly: (c) => counters.inc(`anomaly.${c}`), counter: (n, by) => counters.inc(n, by), record: (r) => records.push(r) }, limits);
  return { d, counters, records };
}

const tcpFrame = (srcPort: number, dstPort: number, flags: number, payload: Uint8Array, frameNo = 1): FrameRecord => ({
  frameNo, tsMicros: frameNo, srcMac: '02:00:00:00:00:01', vlanTags: [], payloadKind: 'tcp', payload,
  ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', protocol: 6, ttl: 64, fragment: false },
  tcp: { srcPort, dstPort, seq: 1000, ack: 0, flags, window: 0 },
});

describe('StreamDecoder on the lab captures', () => {
  it('decodes every DICOM association and HL7 message; SPAN duplicates give the same records once', async () => {
    const run = async (file: string) => {
      const { d, records, counters } = decoder();
      for (const f of await readFrames(`${ROOT}fixtures/${file}`)) if (f.payloadKind === 'tcp') d.onTcp(f);
      d.closeAll();
      return { records, counters };
    };
    const plain = await run('dicom/lab-dicom-associations.pcapng');
    const kinds = plain.records.map((r) => `${r.protocol}.${r.kind}${r.kind === 'pdu' ? `.${r.record.pdu}` : ''}`);
    expect(kinds.filter((k) => k === 'dicom.pdu.associate_rq')).toHaveLength(8);
    expect(kinds).toContain('dicom.pdu.associate_rj');
    const datasets = plain.records.filter((r): r is Extract<StreamRecord, { kind: 'dataset' }> => r.kind === 'dataset');
    expect(datasets.map((r) => r.record.manufacturer)).toContain('ExampleMed Imaging');
    const dup = await run('dicom/lab-dicom-span-duplicates.pcapng');
    expect(dup.records.map((r) => JSON.stringify({ ...r, origin: undefined }))).toEqual(plain.records.map((r) => JSON.stringify({ ...r, origin: undefined })));
    expect(dup.counters.get('reassembly.duplicate_segments')).toBeGreaterThan(0);
    const hl7 = await run('hl7/lab-hl7-oru-mllp.pcapng');
    expect(hl7.records.filter((r) => r.protocol === 'hl7').length).toBeGreaterThanOrEqual(4);
  });
});

describe('StreamDecoder limits', () => {
  it('100,000 concurrent flows: the table stays at its cap (lowered to 1,000) and evictions are counted', () => {
    const { d, counters } = decoder({ ...STREAM_LIMITS, reassembly: { ...REASSEMBLY_LIMITS, maxFlows: 1000 } });
    for (let i = 0; i < 100_000; i++) d.onTcp({ ...tcpFrame(1024 + (i % 60000), 104, 0x02, new Uint8Array(0), i + 1), ip: { version: 4, src: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, dst: '10.0.0.2', protocol: 6, ttl: 64, fragment: false } });
    expect(d.flows).toBe(1000);
    expect(counters.get('reassembly.flows_evicted')).toBe(99_000);
  });

  it('opens a flow whose ports are both used by other tracked flows (the prefilter only skips the flow key)', () => {
    const { d, counters } = decoder();
    const at = (src: string, dst: string, srcPort: number, dstPort: number, frameNo: number): FrameRecord => ({
      ...tcpFrame(srcPort, dstPort, 0x02, new Uint8Array(0), frameNo), ip: { version: 4, src, dst, protocol: 6, ttl: 64, fragment: false },
    });
    d.onTcp(at('10.0.0.1', '10.0.0.2', 40000, 104, 1));
    expect(d.flows).toBe(1);
    // Same two ports, other hosts: a new association, not a segment of the first.
    d.onTcp(at('10.0.0.3', '10.0.0.4', 40000, 104, 2));
    expect(d.flows).toBe(2);
    expect(counters.get('stream.flows_dicom')).toBe(2);
    // A pair of ports in use but by no flow together, not on a DICOM/HL7 port, no PDU start: nothing.
    d.onTcp(at('10.0.0.1', '10.0.0.2', 40000, 40000, 3));
    expect(d.flows).toBe(2);
  });

  it('ignores TCP that is neither on a DICOM/HL7 port nor starts like one', () => {
    const { d } = decoder();
    d.onTcp(tcpFrame(40000, 443, 0x18, new TextEncoder().encode('GET / HTTP/1.1\r\n')));
    expect(d.flows).toBe(0);
  });

  it('finds DICOM off its ports by the A-ASSOCIATE-RQ, and HL7 by 0x0B MSH', () => {
    const { d } = decoder();
    const rq = new Uint8Array(80);
    rq.set([0x01, 0x00, 0, 0, 0, 74, 0x00, 0x01]);
    d.onTcp(tcpFrame(40000, 4242, 0x18, rq));
    d.onTcp(tcpFrame(40001, 6661, 0x18, new TextEncoder().encode('\x0bMSH|^~\\&|A')));
    expect(d.flows).toBe(2);
  });

  it('an MLLP message with no terminator stays bounded by the message cap', () => {
    const { d, counters } = decoder();
    const chunk = new Uint8Array(60_000).fill(0x41);
    const first = chunk.slice();
    first[0] = 0x0b; // a start block, then 2.4 MB without an end block
    let seq = 1000;
    for (let i = 0; i < 40; i++) {
      d.onTcp({ ...tcpFrame(40002, 2575, 0x18, i === 0 ? first : chunk, i + 1), tcp: { srcPort: 40002, dstPort: 2575, seq, ack: 0, flags: 0x18, window: 0 } });
      seq += chunk.length;
    }
    expect(counters.get('anomaly.hl7.message_too_large')).toBeGreaterThan(0);
  });
});
