import { describe, expect, it } from 'vitest';
import { Counters } from '../../../../src/counters.js';
import {
  REASSEMBLY_LIMITS, TcpReassembler, flowKey, seqDiff, type Direction, type StreamConsumer, type TcpSegment,
} from '../../../../src/decode/stream/tcp-reassembly.js';

class Recorder implements StreamConsumer {
  out: [string, string][] = [];
  closed: string[] = [];
  data(d: Direction, b: Uint8Array): void { this.out.push([String(d), Buffer.from(b).toString('latin1')]); }
  gap(d: Direction): void { this.out.push([String(d), '<gap>']); }
  close(reason: string): void { this.closed.push(reason); }
  text(d: Direction): string { return this.out.filter(([x]) => x === String(d)).map(([, t]) => t).join(''); }
}

const C = { srcIp: '10.0.0.1', srcPort: 40000, dstIp: '10.0.0.9', dstPort: 104 };
const S = { srcIp: '10.0.0.9', srcPort: 104, dstIp: '10.0.0.1', dstPort: 40000 };
let frame = 0;
const seg = (ends: typeof C, seq: number, text: string, flags = 0x18, ts = 1_000_000): TcpSegment => ({
  ...ends, seq: seq >>> 0, flags, payload: Buffer.from(text, 'latin1'), tsMicros: ts, frameNo: ++frame,
});

function setup(limits = REASSEMBLY_LIMITS) {
  const counters = new Counters();
  const r = new TcpReassembler((n, by) => counters.inc(n, by), limits);
  const rec = new Recorder();
  return { r, rec, counters };
}

describe('TcpReassembler', () => {
  it('delivers both directions in order after the handshake', () => {
    const { r, rec } = setup();
    r.open(seg(C, 1000, '', 0x02), rec);
    r.segment(seg(C, 1000, '', 0x02));
    r.segment(seg(S, 5000, '', 0x12));
    r.segment(seg(C, 1001, 'hello '));
    r.segment(seg(S, 5001, 'ack'));
    r.segment(seg(C, 1007, 'world'));
    expect(rec.text(0)).toBe('hello world');
    expect(rec.text(1)).toBe('ack');
  });

  it('reorders out-of-order segments and drops retransmissions and SPAN duplicates', () => {
    const { r, rec, counters } = setup();
    r.open(seg(C, 1, 'a'), rec);
    r.segment(seg(C, 1, 'abc'));
    r.segment(seg(C, 7, 'ghi'));   // hole at 4..6
    r.segment(seg(C, 4, 'def'));
    r.segment(seg(C, 4, 'def'));   // retransmission
    r.segment(seg(C, 1, 'abc'));   // SPAN duplicate (same segment seen again, tag stripped)
    r.segment(seg(C, 8, 'hijk'));  // overlap: only 'jk' is new
    expect(rec.text(0)).toBe('abcdefghijk');
    expect(counters.get('reassembly.duplicate_segments')).toBe(2);
    expect(counters.get('reassembly.overlaps')).toBe(1);
    expect(counters.get('reassembly.out_of_order')).toBe(1);
  });

  it('the flow key is the same for both directions', () => {
    expect(flowKey(C)).toBe(flowKey(S));
  });

  it('handles sequence wraparound', () => {
    const { r, rec } = setup();
    const start = 0xffff_fffe;
    r.open(seg(C, start, 'ab'), rec);
    r.segment(seg(C, start, 'ab'));
    r.segment(seg(C, 0, 'cd'));
    expect(rec.text(0)).toBe('abcd');
    expect(seqDiff(0, 0xffff_ffff)).toBe(1);
  });

  it('a hole past the per-direction cap is a gap: counted, signalled, and delivery resumes (cap lowered to 8 bytes)', () => {
    const { r, rec, counters } = setup({ ...REASSEMBLY_LIMITS, maxBufferedBytesPerDirection: 8 });
    r.open(seg(C, 1, 'x'), rec);
    r.segment(seg(C, 1, 'aaaa'));
    r.segment(seg(C, 100, 'bbbbb'));
    r.segment(seg(C, 105, 'ccccc')); // 10 bytes held > 8
    expect(rec.out.map(([, t]) => t)).toEqual(['aaaa', '<gap>', 'bbbbb', 'ccccc']);
    expect(counters.get('reassembly.gaps')).toBe(1);
    expect(r.bufferedBytes).toBe(0);
  });

  it('evicts the least recently active flow past maxFlows (lowered to 5, 10 flows)', () => {
    const { r, counters } = setup({ ...REASSEMBLY_LIMITS, maxFlows: 5 });
    const recs: Recorder[] = [];
    for (let i = 0; i < 10; i++) {
      const rec = new Recorder();
      recs.push(rec);
      const s = seg({ ...C, srcPort: 50000 + i }, 1, 'x');
      r.open(s, rec);
      r.segment(s);
    }
    expect(r.flowCount).toBe(5);
    expect(counters.get('reassembly.flows_evicted')).toBe(5);
    expect(recs.slice(0, 5).every((x) => x.closed[0] === 'evicted')).toBe(true);
  });

  it('evicts oldest flows when held bytes pass the total cap (lowered to 16 bytes)', () => {
    const { r, counters } = setup({ ...REASSEMBLY_LIMITS, maxBufferedBytesTotal: 16 });
    for (let i = 0; i < 4; i++) {
      const ends = { ...C, srcPort: 51000 + i };
      r.open(seg(ends, 1, 'x'), new Recorder());
      r.segment(seg(ends, 1, 'a'));
      r.segment(seg(ends, 50, 'bbbbbbbb')); // 8 held per flow
    }
    expect(r.bufferedBytes).toBeLessThanOrEqual(16);
    expect(counters.get('reassembly.memory_evictions')).toBeGreaterThan(0);
  });

  it('closes idle flows by capture time, and on RST and FIN', () => {
    const { r, counters } = setup({ ...REASSEMBLY_LIMITS, idleTimeoutMicros: 10 });
    const idle = new Recorder();
    r.open(seg(C, 1, 'x', 0x18, 0), idle);
    r.segment(seg(C, 1, 'x', 0x18, 0));
    r.sweepIdle(100);
    expect(idle.closed).toEqual(['idle']);
    const rst = new Recorder();
    r.open(seg(C, 1, 'x'), rst);
    r.segment(seg(C, 1, 'x', 0x04));
    expect(rst.closed).toEqual(['rst']);
    const fin = new Recorder();
    r.open(seg(C, 1, 'x'), fin);
    r.segment(seg(C, 1, 'x', 0x19));
    r.segment(seg(S, 9, '', 0x11));
    expect(fin.closed).toEqual(['fin']);
    expect(counters.get('reassembly.flows_closed')).toBe(2);
  });

  it('untracked flows are refused without state', () => {
    const { r } = setup();
    expect(r.segment(seg(C, 1, 'x'))).toBe(false);
    expect(r.flowCount).toBe(0);
  });

  it('mayBeTracked says no without a flow key until both ports are in use, and again once every flow on them ends', () => {
    const { r } = setup({ ...REASSEMBLY_LIMITS, maxFlows: 2, idleTimeoutMicros: 10 });
    expect(r.mayBeTracked(40000, 104)).toBe(false);
    r.open(seg(C, 1, 'x', 0x18, 0), new Recorder());
    expect(r.mayBeTracked(40000, 104)).toBe(true);
    expect(r.mayBeTracked(104, 40000)).toBe(true);
    expect(r.mayBeTracked(40001, 104)).toBe(false);
    // Both ports in use, by two other flows: the pair itself is still refused.
    const other = { srcIp: '10.0.0.5', srcPort: 40001, dstIp: '10.0.0.6', dstPort: 40000 };
    r.open(seg(other, 1, 'x', 0x18, 0), new Recorder());
    expect(r.mayBeTracked(40001, 104)).toBe(true);
    expect(r.segment(seg({ ...C, srcPort: 40001 }, 1, 'y'))).toBe(false);
    // RST ends the first flow: 104 is free, 40000 still used by the second.
    r.segment(seg(C, 2, '', 0x04, 0));
    expect(r.mayBeTracked(40000, 104)).toBe(false);
    expect(r.mayBeTracked(40001, 40000)).toBe(true);
    // Idle closes the second; eviction releases ports too.
    r.sweepIdle(100);
    expect(r.mayBeTracked(40001, 40000)).toBe(false);
    for (let i = 0; i < 3; i++) r.open(seg({ ...C, srcPort: 52000 + i }, 1, 'x', 0x18, 200), new Recorder());
    expect(r.flowCount).toBe(2);
    expect(r.mayBeTracked(52000, 104)).toBe(false);
    expect(r.mayBeTracked(52002, 104)).toBe(true);
    r.closeAll();
    expect(r.mayBeTracked(52002, 104)).toBe(false);
  });
});
