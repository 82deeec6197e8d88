/**
 * \summary Makes a second site's capture from a fixture, in the test's temp dir (nothing is
 * committed): every byte string of the MACs in `rename` (Ethernet headers, DHCP chaddr, LLDP
 * chassis ids alike) and of the texts in `renameText` (serial numbers) replaced by one of the same
 * length, so every block stays well formed, and every packet time shifted. The IP addresses stay: the new site reuses the first site's address plan, as
 * hospitals do. UDP checksums of rewritten DHCP payloads go stale; auscult, like tshark by
 * default, does not check them.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const macBytes = (mac: string): Buffer => Buffer.from(mac.replace(/[^0-9a-f]/gi, ''), 'hex');

export function replaceAll(buf: Buffer, from: Buffer, to: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(from); i !== -1; i = buf.indexOf(from, i + from.length)) {
    to.copy(buf, i);
    n++;
  }
  return n;
}

/** Adds `shift` timestamp units to every Enhanced Packet Block of a pcapng buffer (in place). */
export function shiftPcapng(buf: Buffer, shift: bigint): number {
  let off = 0;
  let le = true;
  let n = 0;
  while (off + 12 <= buf.length) {
    const type = buf.readUInt32LE(off);
    if (type === 0x0a0d0d0a) le = buf.readUInt32LE(off + 8) === 0x1a2b3c4d;
    const len = le ? buf.readUInt32LE(off + 4) : buf.readUInt32BE(off + 4);
    if (len < 12 || off + len > buf.length) break;
    const t = le ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
    if (t === 6) {
      const hi = BigInt(le ? buf.readUInt32LE(off + 12) : buf.readUInt32BE(off + 12));
      const lo = BigInt(le ? buf.readUInt32LE(off + 16) : buf.readUInt32BE(off + 16));
      const ts = ((hi << 32n) | lo) + shift;
      const nh = Number(ts >> 32n), nl = Number(ts & 0xffffffffn);
      if (le) { buf.writeUInt32LE(nh, off + 12); buf.writeUInt32LE(nl, off + 16); } else { buf.writeUInt32BE(nh, off + 12); buf.writeUInt32BE(nl, off + 16); }
      n++;
    }
    off += len;
  }
  return n;
}

/** Writes `out`: `src` with MACs renamed and packet times shifted by `shift` units (microseconds for these fixtures). */
export function makeSiteCapture(src: string, out: string, rename: ReadonlyMap<string, string>, shift: bigint, renameText: ReadonlyMap<string, string> = new Map()): { packets: number; replaced: number } {
  const buf = readFileSync(src);
  let replaced = 0;
  for (const [from, to] of rename) replaced += replaceAll(buf, macBytes(from), macBytes(to));
  for (const [from, to] of renameText) {
    if (Buffer.byteLength(from) !== Buffer.byteLength(to)) throw new Error(`${from} -> ${to}: not the same length`);
    replaced += replaceAll(buf, Buffer.from(from), Buffer.from(to));
  }
  const packets = shiftPcapng(buf, shift);
  writeFileSync(out, buf);
  return { packets, replaced };
}
