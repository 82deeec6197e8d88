import { describe, expect, it } from 'vitest';
import { MLLP_ANOMALIES, MLLP_LIMITS, frameMllp } from '../../../../src/protocols/hl7/mllp-framer.js';
import { frameAll, frameChunked, stream } from '../../decode/medical-streams.js';

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const framed = (s: string) => `\x0b${s}\x1c\r`;
const MSG = 'MSH|^~\\&|A|B|C|D|20260101||ACK|1|P|2.6\rMSA|AA|1\r';

describe('frameMllp on the lab streams', () => {
  it('frames both ORU^R01 messages of the monitor connection and both ACKs, using every byte', () => {
    const client = frameAll(stream('hl7-oru-two-messages.client.bin'), (b) => frameMllp(b));
    expect(client.frames.map((f) => text(f).split('|').slice(0, 3))).toEqual([
      ['MSH', '^~\\&', 'MONITOR^00090FFFFEA1B2C3^EUI-64'],
      ['MSH', '^~\\&', 'PUMP^0012A1FFFE3B4C5D^EUI-64'],
    ]);
    expect(client.rest.length).toBe(0);
    expect(client.anomalies).toEqual([]);
    const server = frameAll(stream('hl7-oru-two-messages.server.bin'), (b) => frameMllp(b));
    expect(server.frames.map((f) => text(f).split('\r')[1])).toEqual(['MSA|AA|MSG00001', 'MSA|AA|MSG00002']);
  });

  it('frames the same messages whatever the chunking (1, 3, 64 bytes)', () => {
    const full = stream('hl7-oru-two-messages.client.bin');
    const whole = frameAll(full, (b) => frameMllp(b)).frames.map(text);
    for (const chunk of [1, 3, 64]) expect(frameChunked(full, chunk, (b) => frameMllp(b), (f) => f.slice()).map(text)).toEqual(whole);
  });
});

describe('frameMllp contract', () => {
  it('waits on an empty buffer and on a message with no terminator yet', () => {
    expect(frameMllp(new Uint8Array(0))).toEqual({ kind: 'incomplete', consumed: 0, needed: 1 });
    const open = enc(`\x0b${MSG}`);
    expect(frameMllp(open)).toEqual({ kind: 'incomplete', consumed: 0, needed: open.length + 1 });
    const noCr = enc(`\x0b${MSG}\x1c`);
    expect(frameMllp(noCr)).toEqual({ kind: 'incomplete', consumed: 0, needed: noCr.length + 1 });
  });

  it('returns the message between the blocks as a view, consuming the blocks', () => {
    const buf = enc(framed(MSG) + framed(MSG));
    const r = frameMllp(buf);
    if (r.kind !== 'frame') throw new Error(r.kind);
    expect(text(r.frame)).toBe(MSG);
    expect(r.consumed).toBe(MSG.length + 3);
    expect(r.frame.buffer).toBe(buf.buffer);
  });

  it('skips CR/LF filler between messages without an anomaly, and junk with hl7.mllp_junk', () => {
    expect(frameMllp(enc(`\r\n${framed(MSG)}`))).toEqual({ kind: 'desync', skip: 2 });
    expect(frameMllp(enc(`GET / HTTP/1.0\r\n${framed(MSG)}`))).toEqual({ kind: 'desync', skip: 16, anomaly: 'hl7.mllp_junk' });
    expect(frameMllp(enc('no start block at all'))).toEqual({ kind: 'desync', skip: 21, anomaly: 'hl7.mllp_junk' });
  });

  it('hl7.message_too_large: a 4 KiB message with a 1 KiB cap is dropped up to the next start block', () => {
    const limits = { maxMessageBytes: 1024 };
    const big = `MSH|^~\\&|A|B|C|D|20260101||ORU^R01|1|P|2.6\rNTE|1||${'x'.repeat(4096)}\r`;
    const buf = enc(framed(big) + framed(MSG));
    const first = frameMllp(buf, limits);
    expect(first).toEqual({ kind: 'desync', skip: big.length + 3, anomaly: 'hl7.message_too_large' });
    const { frames, anomalies } = frameAll(buf, (b) => frameMllp(b, limits));
    expect(frames.map(text)).toEqual([MSG]);
    expect(anomalies).toEqual(['hl7.message_too_large']);
  });

  it('never asks to buffer more than maxMessageBytes + 2 bytes', () => {
    const limits = { maxMessageBytes: 1024 };
    const open = enc(`\x0b${'x'.repeat(1024)}`); // 1025 bytes: the end block may still come
    expect(frameMllp(open, limits)).toEqual({ kind: 'incomplete', consumed: 0, needed: 1026 });
    expect(frameMllp(enc(`\x0b${'x'.repeat(1024)}\x1c\r`), limits)).toMatchObject({ kind: 'frame', consumed: 1027 });
    expect(frameMllp(enc(`\x0b${'x'.repeat(1025)}`), limits)).toEqual({ kind: 'desync', skip: 1026, anomaly: 'hl7.message_too_large' });
  });

  it('hl7.mllp_unterminated: a start block before the previous end block drops the partial message', () => {
    const buf = enc(`\x0bMSH|^~\\&|LOST${framed(MSG)}`);
    expect(frameMllp(buf)).toEqual({ kind: 'desync', skip: 14, anomaly: 'hl7.mllp_unterminated' });
    expect(frameAll(buf, (b) => frameMllp(b)).frames.map(text)).toEqual([MSG]);
  });

  it('hl7.mllp_missing_cr: FS not followed by CR still ends the message', () => {
    const buf = enc(`\x0b${MSG}\x1c${framed(MSG)}`);
    expect(frameMllp(buf)).toMatchObject({ kind: 'frame', consumed: MSG.length + 2, anomaly: 'hl7.mllp_missing_cr' });
  });

  it('lists every code it reports, and the default limit', () => {
    expect([...MLLP_ANOMALIES].sort()).toEqual(['hl7.message_too_large', 'hl7.mllp_junk', 'hl7.mllp_missing_cr', 'hl7.mllp_unterminated']);
    expect(MLLP_LIMITS.maxMessageBytes).toBe(1_048_576);
  });
});
