/**
 * \summary Streaming writer of classic pcap files (libpcap 2.4, little-endian, microsecond
 * timestamps; https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html §4–5). Records
 * are packed into one large buffer and written with a single syscall per buffer, so a
 * multi-gigabyte capture is written at disk speed while holding only the buffer in memory.
 *
 * Hand-written because it is twenty lines and the bench must not depend on a writer whose
 * speed or memory it would then be measuring too.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** Size of the global header (§4). */
export const PCAP_GLOBAL_HEADER_BYTES = 24;
/** Size of a record header (§5). */
export const PCAP_RECORD_HEADER_BYTES = 16;
/** Default output buffer: one write() per 8 MiB. */
export const PCAP_WRITER_BUFFER_BYTES = 8 << 20;
/** Snap length written in the header; the largest record the writer accepts. */
export const PCAP_WRITER_SNAPLEN = 262_144;

export class PcapWriter {
  private readonly fd: number;
  private readonly buf: Buffer;
  private pos = 0;
  /** Records written so far. */
  records = 0;
  /** Bytes written so far (including the global header). */
  bytes = 0;

  constructor(path: string, linkType: number, bufferBytes: number = PCAP_WRITER_BUFFER_BYTES) {
    this.fd = openSync(path, 'w');
    this.buf = Buffer.allocUnsafe(Math.max(bufferBytes, PCAP_WRITER_SNAPLEN + PCAP_RECORD_HEADER_BYTES));
    const b = this.buf;
    b.writeUInt32LE(0xa1b2c3d4, 0); // magic: microsecond timestamps, written little-endian
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeInt32LE(0, 8); // thiszone
    b.writeUInt32LE(0, 12); // sigfigs
    b.writeUInt32LE(PCAP_WRITER_SNAPLEN, 16);
    b.writeUInt32LE(linkType, 20);
    this.pos = PCAP_GLOBAL_HEADER_BYTES;
  }

  /**
   * Appends one record and returns the offset in the internal buffer where its bytes start, so
   * the caller may patch them in place before the next call (avoids a per-record copy).
   */
  write(tsMicros: number, data: Uint8Array, originalLength: number): number {
    const len = Math.min(data.length, PCAP_WRITER_SNAPLEN);
    if (this.pos + PCAP_RECORD_HEADER_BYTES + len > this.buf.length) this.flush();
    const b = this.buf;
    const sec = Math.floor(tsMicros / 1_000_000);
    b.writeUInt32LE(sec, this.pos);
    b.writeUInt32LE(tsMicros - sec * 1_000_000, this.pos + 4);
    b.writeUInt32LE(len, this.pos + 8);
    b.writeUInt32LE(Math.max(originalLength, len), this.pos + 12);
    const at = this.pos + PCAP_RECORD_HEADER_BYTES;
    b.set(len === data.length ? data : data.subarray(0, len), at);
    this.pos = at + len;
    this.records++;
    return at;
  }

  /** The internal buffer (valid for patching the record just written). */
  get buffer(): Buffer { return this.buf; }

  private flush(): void {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.bytes += this.pos;
    this.pos = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
