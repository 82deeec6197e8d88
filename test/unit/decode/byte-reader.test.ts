/**
 * ByteReader reads bytes by index instead of through a DataView: every read must give what a
 * DataView gives, with the same cursor and sticky `failed` behaviour, on any buffer and any
 * sequence of reads.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, view } from '../../../src/decode/bytes.js';

type Op = 'u8' | 'u16' | 'u16le' | 'u24' | 'u32' | 'u32le' | 'bytes' | 'rest' | 'skip' | 'take' | 'peekU8';
const SIZES: Record<string, number> = { u8: 1, u16: 2, u16le: 2, u24: 3, u32: 4, u32le: 4 };

/** The DataView reading of an n-byte number at `at`, as the reader used to compute it. */
function dataViewRead(buf: Uint8Array, at: number, op: string): number {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  switch (op) {
    case 'u8': return dv.getUint8(at);
    case 'u16': return dv.getUint16(at, false);
    case 'u16le': return dv.getUint16(at, true);
    case 'u24': return (dv.getUint8(at) << 16) | dv.getUint16(at + 1, false);
    case 'u32': return dv.getUint32(at, false);
    default: return dv.getUint32(at, true);
  }
}

describe('ByteReader', () => {
  it('numbers equal DataView reads; short reads fail sticky and leave the cursor at the end', () => {
    const op = fc.constantFrom<Op>('u8', 'u16', 'u16le', 'u24', 'u32', 'u32le', 'bytes', 'rest', 'skip', 'take', 'peekU8');
    fc.assert(fc.property(
      fc.uint8Array({ maxLength: 40 }), fc.nat(45), fc.nat(45), fc.array(fc.tuple(op, fc.integer({ min: -2, max: 12 })), { maxLength: 20 }),
      (bytes, start, end, ops) => {
        // A view with a non-zero offset into a larger buffer, as frames are.
        const backing = new Uint8Array(bytes.length + 7);
        backing.set(bytes, 3);
        const buf = backing.subarray(3, 3 + bytes.length);
        let r = new ByteReader(buf, start, end);
        let pos = Math.max(0, Math.min(start, buf.length));
        let stop = Math.max(pos, Math.min(end, buf.length));
        let failed = false;
        let base = buf;
        for (const [name, n] of ops) {
          const size = SIZES[name];
          if (size !== undefined) {
            const got = (r[name as 'u8'])();
            if (pos + size > stop) { expect(got).toBe(0); failed = true; pos = stop; } else { expect(got).toBe(dataViewRead(base, pos, name)); pos += size; }
          } else if (name === 'peekU8') {
            expect(r.peekU8()).toBe(pos < stop ? base[pos] : -1);
          } else if (name === 'rest') {
            expect(Array.from(r.rest())).toEqual(Array.from(base.subarray(pos, stop)));
            pos = stop;
          } else if (name === 'bytes' || name === 'skip') {
            const got = name === 'bytes' ? r.bytes(n) : (r.skip(n), undefined);
            if (n < 0 || pos + n > stop) { failed = true; pos = stop; if (got) expect(got.length).toBe(0); } else { if (got) expect(Array.from(got)).toEqual(Array.from(base.subarray(pos, pos + n))); pos += n; }
          } else {
            const child = r.take(n);
            if (n < 0 || pos + n > stop) { failed = true; pos = stop; expect(child.failed).toBe(true); expect(child.remaining).toBe(0); } else {
              expect(child.remaining).toBe(n);
              // Continue with the child from here on.
              const childStart = pos;
              pos += n;
              expect(r.offset).toBe(pos);
              expect(r.failed).toBe(failed);
              r = child; base = buf; stop = childStart + n; pos = childStart; failed = false;
              continue;
            }
          }
          expect(r.offset).toBe(pos);
          expect(r.remaining).toBe(stop - pos);
          expect(r.failed).toBe(failed);
        }
      },
    ), { seed: 42, numRuns: 10_000 });
  });

  it('views of a Buffer or a Uint8Array share memory and are plain Uint8Arrays of a plain input', () => {
    const u = new Uint8Array([1, 2, 3, 4, 5]);
    const v = view(u, 1, 4);
    expect(v.constructor).toBe(Uint8Array);
    v[0] = 9;
    expect(u[1]).toBe(9);
    const b = Buffer.from([1, 2, 3]);
    expect(Array.from(view(b, 1, 3))).toEqual([2, 3]);
  });
});
