/**
 * \summary Bounded byte reader with a sticky error flag (after Arkime's BSB).
 *
 * Every read is bounds-checked against the reader's own window. A short read sets `failed`,
 * returns 0 (numbers) or an empty view (bytes), and leaves the cursor at the end of the window,
 * so decoders need no try/catch and a lying length can never read past its container.
 * `take(n)` returns a child reader bounded to the next n bytes (an LLDP TLV, a DHCP option).
 */

const EMPTY = new Uint8Array(0);
const subarray = Uint8Array.prototype.subarray;

/**
 * `buf[start, end)` as a view. A Buffer's own `subarray` is JavaScript in Node 20 and several
 * times slower than the built-in one; views of a plain Uint8Array stay plain Uint8Arrays.
 */
export function view(buf: Uint8Array, start: number, end: number): Uint8Array {
  return subarray.call(buf, start, end);
}
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: false });

export class ByteReader {
  /** Set once any read ran past the end of the window; never cleared. */
  failed = false;
  private pos: number;
  private readonly end: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    // Reads index `buf` directly (no DataView per reader: readers are made per TLV and option).
    this.pos = Math.max(0, Math.min(start, buf.length));
    this.end = Math.max(this.pos, Math.min(end, buf.length));
  }

  /** Bytes left in this reader's window. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Offset of the cursor from the start of the underlying buffer. */
  get offset(): number {
    return this.pos;
  }

  private need(n: number): boolean {
    if (n < 0 || this.pos + n > this.end) {
      this.failed = true;
      this.pos = this.end;
      return false;
    }
    return true;
  }

  u8(): number {
    if (!this.need(1)) return 0;
    return this.buf[this.pos++] as number;
  }

  u16(): number {
    if (!this.need(2)) return 0;
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return ((b[p] as number) << 8) | (b[p + 1] as number);
  }

  u16le(): number {
    if (!this.need(2)) return 0;
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p] as number) | ((b[p + 1] as number) << 8);
  }

  u24(): number {
    if (!this.need(3)) return 0;
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 3;
    return ((b[p] as number) << 16) | ((b[p + 1] as number) << 8) | (b[p + 2] as number);
  }

  u32(): number {
    if (!this.need(4)) return 0;
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p] as number) * 0x1000000 + (((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number));
  }

  u32le(): number {
    if (!this.need(4)) return 0;
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p + 3] as number) * 0x1000000 + (((b[p + 2] as number) << 16) | ((b[p + 1] as number) << 8) | (b[p] as number));
  }

  /**
   * The RFC 1071 ones'-complement sum (folded to 16 bits) of the next n bytes, without consuming
   * them; -1 when fewer remain. An IPv4 header whose sum is 0xffff has a right checksum.
   */
  peekSum16(n: number): number {
    if (n < 0 || this.pos + n > this.end) return -1;
    const b = this.buf;
    let sum = 0;
    const last = this.pos + n;
    for (let i = this.pos; i + 1 < last; i += 2) sum += ((b[i] as number) << 8) | (b[i + 1] as number);
    if ((n & 1) === 1) sum += (b[last - 1] as number) << 8;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    return sum;
  }

  /** Look at the next byte without consuming it; -1 at the end. */
  peekU8(): number {
    return this.pos < this.end ? (this.buf[this.pos] as number) : -1;
  }

  /** The next n bytes as a view (no copy); empty and `failed` if fewer remain. */
  bytes(n: number): Uint8Array {
    if (!this.need(n)) return EMPTY;
    const out = view(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The next 6 bytes as an interned MAC text (no view made); `''` and `failed` if fewer remain. */
  mac(): string {
    if (!this.need(6)) return '';
    const s = formatMac(this.buf, this.pos);
    this.pos += 6;
    return s;
  }

  /** The next 4 bytes as an interned dotted-quad text (no view made); `''` and `failed` if fewer remain. */
  ipv4(): string {
    if (!this.need(4)) return '';
    const s = formatIpv4(this.buf, this.pos);
    this.pos += 4;
    return s;
  }

  /** Everything left in the window. */
  rest(): Uint8Array {
    const out = view(this.buf, this.pos, this.end);
    this.pos = this.end;
    return out;
  }

  /** A child reader over the next n bytes; the parent skips past them. Short → failed child. */
  take(n: number): ByteReader {
    if (!this.need(n)) {
      const child = new ByteReader(EMPTY);
      child.failed = true;
      return child;
    }
    const child = new ByteReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return child;
  }

  skip(n: number): void {
    if (this.need(n)) this.pos += n;
  }

  /** n bytes as text (latin1 by default, so every byte maps to one character). */
  text(n = this.remaining, encoding: 'latin1' | 'utf8' = 'utf8'): string {
    const b = this.bytes(n);
    return decodeText(b, encoding);
  }
}

/** Bytes to text; UTF-8 decoding never throws (invalid sequences become U+FFFD). */
export function decodeText(b: Uint8Array, encoding: 'latin1' | 'utf8' = 'utf8'): string {
  if (b.length === 0) return '';
  return encoding === 'latin1' ? latin1.decode(b) : utf8.decode(b);
}

/** Printable form of arbitrary bytes for display: control characters and NUL padding removed. */
export function printable(s: string, max = 255): string {
  const cleaned = s.replace(/[\u0000-\u001f\u007f]+$/g, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '.');
  return cleaned.length > max ? cleaned.slice(0, max) : cleaned;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** The character codes of `HEX[i]`: `HEX_CODES[2i]` and `HEX_CODES[2i + 1]`. */
const HEX_CODES = Uint8Array.from(HEX.join(''), (c) => c.charCodeAt(0));

export function toHex(b: Uint8Array, sep = ''): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (i && sep ? sep : '') + (HEX[b[i] as number] as string);
  return s;
}

/**
 * Interned address texts. A capture repeats the same few thousand MACs and IPs in every frame:
 * handing out one string per address, instead of building a new one per frame, saves the
 * allocation and lets every later Map lookup reuse the string's cached hash. Bounded: a table
 * that reaches MAX_INTERNED entries is cleared (a spoofing flood costs speed, never memory).
 */
const MAX_INTERNED = 65_536;
const macTexts = new Map<number, string>();
const ipv4Texts = new Map<number, string>();

/** 6 bytes → `aa:bb:cc:dd:ee:ff` (lower case, as tshark prints). */
export function formatMac(b: Uint8Array, offset = 0): string {
  // Keyed by the low 32 bits as a small integer (a 48-bit key is a double, boxed at every call:
  // two per frame); the text's first two octets are checked against the frame's, and a MAC that
  // shares its low 32 bits with the cached one takes the entry over.
  const b0 = b[offset] ?? 0;
  const b1 = b[offset + 1] ?? 0;
  const key = ((b[offset + 2] ?? 0) << 24) | ((b[offset + 3] ?? 0) << 16) | ((b[offset + 4] ?? 0) << 8) | (b[offset + 5] ?? 0);
  let s = macTexts.get(key);
  if (s === undefined || s.charCodeAt(0) !== HEX_CODES[2 * b0] || s.charCodeAt(1) !== HEX_CODES[2 * b0 + 1] ||
      s.charCodeAt(3) !== HEX_CODES[2 * b1] || s.charCodeAt(4) !== HEX_CODES[2 * b1 + 1]) {
    s = '';
    for (let i = 0; i < 6; i++) s += (i ? ':' : '') + (HEX[b[offset + i] ?? 0] as string);
    if (macTexts.size >= MAX_INTERNED) macTexts.clear();
    macTexts.set(key, s);
  }
  return s;
}

export function formatIpv4(b: Uint8Array, offset = 0): string {
  const key = ((b[offset] ?? 0) << 24) | ((b[offset + 1] ?? 0) << 16) | ((b[offset + 2] ?? 0) << 8) | (b[offset + 3] ?? 0);
  let s = ipv4Texts.get(key);
  if (s === undefined) {
    s = `${b[offset] ?? 0}.${b[offset + 1] ?? 0}.${b[offset + 2] ?? 0}.${b[offset + 3] ?? 0}`;
    if (ipv4Texts.size >= MAX_INTERNED) ipv4Texts.clear();
    ipv4Texts.set(key, s);
  }
  return s;
}

/** 16 bytes → RFC 5952 text (lower case, longest zero run compressed). */
export function formatIpv6(b: Uint8Array, offset = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((b[offset + 2 * i] ?? 0) << 8) | (b[offset + 2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  // IPv4-mapped ::ffff:a.b.c.d
  if (bestStart === 0 && bestLen === 5 && words[5] === 0xffff) return `::ffff:${formatIpv4(b, offset + 12)}`;
  const part = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return part(words);
  return `${part(words.slice(0, bestStart))}::${part(words.slice(bestStart + bestLen))}`;
}
