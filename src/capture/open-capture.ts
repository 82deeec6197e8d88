/**
 * \summary Opens a capture file (pcap, pcapng, either gzip-compressed) as a FrameSource that
 * streams it in ~1 MiB chunks and yields frames in batches.
 *
 * The format is sniffed from the first bytes: gzip (1f 8b, RFC 1952 §2.3.1) is decompressed
 * through zlib and sniffed again; pcap magics a1b2c3d4/d4c3b2a1 (µs) and a1b23c4d/4d3cb2a1 (ns);
 * pcapng Section Header Block 0a0d0d0a. Unreadable files and bad headers throw AuscultError
 * before any frame is yielded; damage later in the file becomes a CaptureWarning and ends the
 * stream after the frames before it.
 *
 * Streaming without quadratic copying: the parsers read records in place from the current chunk
 * (frames view it). A record straddling two chunks is copied once into a buffer of exactly the
 * size the parser asked for; the next chunk is then read in place from where that copy ended.
 * So each byte is copied at most once plus the bytes of straddling records.
 */

import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

import { AuscultError } from '../errors.js';
import type { CapturedFrame, CaptureWarning, FrameSource } from './captured-frame.js';
import { PCAP_LIMITS, PcapParser, readPcapFileHeader } from './pcap-file.js';
import { PCAPNG_LIMITS, PcapngParser, readPcapngSectionHeader } from './pcapng-file.js';
import { describeMicros, TIMESTAMP_WARNING, TimestampWindow, type TimestampLimits } from './timestamps.js';

/** Called by a parser for every non-fatal problem. */
export type WarnFn = (code: string, offset: number, message: string) => void;

/**
 * A resumable record parser. `parse` reads whole records from `buf` starting at `start`, pushes
 * their frames to `out` until `out.length === limit`, and returns the offset of the first byte
 * it did not consume. When it stops short of `limit` without being `stopped`, `need` holds how
 * many bytes from that offset it needs to make progress (always more than are left in `buf`).
 * `base` is the file offset of `buf[0]`, for warnings.
 */
export interface RecordParser {
  parse(buf: Buffer, start: number, base: number, out: CapturedFrame[], limit: number): number;
  readonly need: number;
  /** True after a fatal problem: nothing more will be parsed. */
  readonly stopped: boolean;
}

/** Every limit of the capture readers, with its default below. */
export interface CaptureLimits {
  /** pcap: largest captured length of one record. */
  maxRecordLength: number;
  /** pcapng: largest total length of one block. */
  maxBlockLength: number;
  /** Warnings kept per source; past it one `capture.too_many_warnings` is added and the rest dropped. */
  maxWarnings: number;
}

export const CAPTURE_LIMITS: CaptureLimits = {
  maxRecordLength: PCAP_LIMITS.maxRecordLength,
  maxBlockLength: PCAPNG_LIMITS.maxBlockLength,
  maxWarnings: 100,
};

/**
 * Default number of frames per batch. A batch and everything decoded from it live until the
 * pipeline has processed it: 256 frames (about 2 MB allocated) fit inside the deployed 4 MB
 * semi-spaces (src/runtime-env.ts) with room to spare, where 512 frames fill one, so more of a
 * batch survives two scavenges and is promoted to the old generation.
 */
export const DEFAULT_BATCH_SIZE = 256;
/** Read size from disk. */
export const READ_CHUNK_BYTES = 1 << 18;
/** Output chunk size of the gzip decompressor. */
const GUNZIP_CHUNK_BYTES = 256 * 1024;
/** Bytes read to sniff the format (enough for the pcap header and the SHB's fixed part). */
const SNIFF_BYTES = 64;

/** Warning codes the driver itself raises. */
export const CAPTURE_WARNINGS = ['capture.truncated_record', 'capture.gzip_error', 'capture.too_many_warnings', TIMESTAMP_WARNING] as const;

export interface CaptureOptions {
  /** Frames per yielded batch (default DEFAULT_BATCH_SIZE). */
  batchSize?: number;
  /** Override some limits (defaults: CAPTURE_LIMITS). */
  limits?: Partial<CaptureLimits>;
  /** The window frame times must fall in (the pipeline passes TIMESTAMP_LIMITS or the config's);
   * outside it a frame takes the previous frame's time. Absent: times are passed on as read. */
  timestamps?: TimestampLimits;
  /**
   * Read an uncompressed file into a few reused buffers, synchronously (`readReused`), instead of
   * a stream's fresh chunk per read (issue 14: fewer allocations, no stream machinery, no
   * thread-pool round trip per chunk). Then a batch's frames are valid
   * only until the consumer asks for the next batch: the pipeline copies what it keeps. Off for
   * other callers, which may keep frames across batches.
   */
  reuseReadBuffers?: boolean;
  /** Bytes per read (default READ_CHUNK_BYTES); tests lower it so that buffers are reused. */
  readChunkBytes?: number;
}

/** Container formats recognised from the first bytes. */
export type CaptureFormat = 'pcap' | 'pcapng' | 'gzip';

/** Names the format from the first bytes, or undefined. */
export function sniffCaptureFormat(head: Uint8Array): CaptureFormat | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length < 4) return undefined;
  const magic = ((head[0] ?? 0) << 24 | (head[1] ?? 0) << 16 | (head[2] ?? 0) << 8 | (head[3] ?? 0)) >>> 0;
  switch (magic) {
    case 0xa1b2c3d4: case 0xd4c3b2a1: case 0xa1b23c4d: case 0x4d3cb2a1: return 'pcap';
    case 0x0a0d0d0a: return 'pcapng';
    default: return undefined;
  }
}

/** Reason the uncompressed header is unusable, or undefined when it is a pcap/pcapng header. */
function headerProblem(head: Uint8Array): { format: 'pcap' | 'pcapng' } | { reason: string } {
  const format = sniffCaptureFormat(head);
  if (format === 'pcap') {
    const header = readPcapFileHeader(head);
    return typeof header === 'string' ? { reason: header } : { format };
  }
  if (format === 'pcapng') {
    const header = readPcapngSectionHeader(head);
    return typeof header === 'string' ? { reason: header } : { format };
  }
  if (format === 'gzip') return { reason: 'gzip inside gzip is not read' };
  if (head.length === 0) return { reason: 'empty file' };
  return { reason: 'not a pcap or pcapng file (unknown magic number)' };
}

function resolveLimits(limits: Partial<CaptureLimits> | undefined): CaptureLimits {
  return { ...CAPTURE_LIMITS, ...limits };
}

function makeWarn(warnings: CaptureWarning[], maxWarnings: number): WarnFn {
  let dropped = false;
  return (code, offset, message) => {
    if (warnings.length < maxWarnings) { warnings.push({ code, offset, message }); return; }
    if (!dropped) {
      dropped = true;
      warnings.push({ code: 'capture.too_many_warnings', offset, message: `more than ${maxWarnings} warnings; the rest are not kept` });
    }
  };
}

function makeParser(format: 'pcap' | 'pcapng', warn: WarnFn, limits: CaptureLimits): RecordParser {
  return format === 'pcap'
    ? new PcapParser(warn, { maxRecordLength: limits.maxRecordLength })
    : new PcapngParser(warn, { maxBlockLength: limits.maxBlockLength });
}

const EMPTY = Buffer.alloc(0);

/**
 * Feeds chunks to a RecordParser. Records are parsed in place; a record straddling chunks is
 * assembled once in a buffer of exactly the size the parser needs.
 */
export class ChunkedRecordReader {
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** File offset of buf[0]. */
  private base = 0;
  private readonly queue: Buffer[] = [];
  /** Bytes of queue[0] already copied into an assembled record. */
  private queueHead = 0;
  /** Unconsumed bytes in the queue. */
  private queued = 0;
  /** Bytes pushed so far: the file offset where input ended. */
  received = 0;

  constructor(
    private readonly parser: RecordParser,
    private readonly warn: WarnFn,
  ) {}

  get stopped(): boolean { return this.parser.stopped; }

  /** Whether the reader still reads from this memory (its current chunk or a queued one). */
  holds(memory: ArrayBufferLike): boolean {
    if (this.buf.buffer === memory) return true;
    for (let i = 0; i < this.queue.length; i++) if (this.queue[i]?.buffer === memory) return true;
    return false;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.received += chunk.length;
    this.queue.push(chunk);
    this.queued += chunk.length;
  }

  /** Parses into `out` until it holds `limit` frames (returns true) or input runs out (false). */
  drain(out: CapturedFrame[], limit: number): boolean {
    const parser = this.parser;
    // Bounded: each pass either fills `out`, consumes a queued chunk or assembles a record whose
    // `need` exceeds what was left, so the next parse makes progress.
    for (;;) {
      if (parser.stopped) return false;
      this.pos = parser.parse(this.buf, this.pos, this.base, out, limit);
      if (out.length >= limit) return true;
      if (parser.stopped) return false;
      const left = this.buf.length - this.pos;
      const need = parser.need;
      if (need <= left) throw new Error(`capture parser made no progress at offset ${this.base + this.pos}`); // invariant guard
      if (left + this.queued < need) return false;
      const head = this.queue[0];
      if (left === 0 && head !== undefined) {
        // Continue in place in the next chunk, where any assembled record ended.
        this.base += this.buf.length - this.queueHead;
        this.buf = head;
        this.pos = this.queueHead;
        this.queued -= head.length - this.queueHead;
        this.queue.shift();
        this.queueHead = 0;
        continue;
      }
      // A record straddles chunks: copy exactly `need` bytes into one buffer.
      const joined = Buffer.allocUnsafe(need);
      this.buf.copy(joined, 0, this.pos);
      let filled = left;
      while (filled < need) {
        const chunk = this.queue[0];
        if (chunk === undefined) break; // cannot happen: left + queued >= need
        const take = Math.min(chunk.length - this.queueHead, need - filled);
        chunk.copy(joined, filled, this.queueHead, this.queueHead + take);
        filled += take;
        this.queueHead += take;
        this.queued -= take;
        if (this.queueHead === chunk.length) { this.queue.shift(); this.queueHead = 0; }
      }
      this.base += this.pos;
      this.buf = joined;
      this.pos = 0;
    }
  }

  /** End of input: a partial record left over is reported once as `capture.truncated_record`. */
  finish(): void {
    if (this.parser.stopped) return;
    const left = this.buf.length - this.pos + this.queued;
    if (left > 0) {
      this.warn('capture.truncated_record', this.base + this.pos,
        `file ends inside a record: ${left} of the ${this.parser.need} bytes it needs are present`);
    }
  }
}

/**
 * Parses an uncompressed capture held in memory, fed as the given chunks (one chunk: the whole
 * buffer). Same parsers and driver as openCapture; for tests and small inputs. Throws
 * AuscultError('AUS_ERR_CAPTURE_HEADER') when the header is not pcap/pcapng.
 */
export function parseCaptureChunks(
  chunks: readonly Uint8Array[],
  options: CaptureOptions & { name?: string } = {},
): { frames: CapturedFrame[]; warnings: CaptureWarning[] } {
  const buffers = chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  const firstParts: Buffer[] = [];
  for (let i = 0, have = 0; i < buffers.length && have < SNIFF_BYTES; i++) {
    const part = buffers[i] ?? EMPTY;
    firstParts.push(part.subarray(0, SNIFF_BYTES - have));
    have += part.length;
  }
  const head = Buffer.concat(firstParts);
  const checked = headerProblem(head);
  if ('reason' in checked) throw new AuscultError('AUS_ERR_CAPTURE_HEADER', checked.reason, { file: options.name ?? '<buffer>', offset: 0 });
  const limits = resolveLimits(options.limits);
  const warnings: CaptureWarning[] = [];
  const warn = makeWarn(warnings, limits.maxWarnings);
  const reader = new ChunkedRecordReader(makeParser(checked.format, warn, limits), warn);
  const frames: CapturedFrame[] = [];
  for (const chunk of buffers) {
    reader.push(chunk);
    while (reader.drain(frames, Number.MAX_SAFE_INTEGER)) { /* limit never reached */ }
    if (reader.stopped) break;
  }
  reader.finish();
  return { frames, warnings };
}

/** parseCaptureChunks([buf]). */
export function parseCaptureBuffer(buf: Uint8Array, options: CaptureOptions & { name?: string } = {}): { frames: CapturedFrame[]; warnings: CaptureWarning[] } {
  return parseCaptureChunks([buf], options);
}

function unreadable(path: string, err: unknown): AuscultError {
  const code = (err as { code?: unknown } | null)?.code;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'is a directory, not a capture file',
    ELOOP: 'too many symbolic links',
    ENOTDIR: 'a path component is not a directory',
  };
  const reason = typeof code === 'string' ? reasons[code] ?? `cannot read (${code})` : 'cannot read';
  return new AuscultError('AUS_ERR_CAPTURE_UNREADABLE', reason, { file: path });
}

/** zlib reports damaged input with codes Z_DATA_ERROR, Z_BUF_ERROR ("unexpected end of file"), ... */
function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** Raw bytes of the file, or the decompressed bytes when gzipped. */
function openStream(path: string, gzip: boolean): Readable {
  const raw = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  if (!gzip) return raw;
  // pipeline forwards a read error on `raw` to the gunzip stream and destroys both on early exit.
  return pipeline(raw, createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }), () => { /* errors surface on the iterator */ });
}

/**
 * Reads up to `n` bytes from the start of the decompressed stream. A gzip error after some
 * bytes came out returns those bytes (the header may be fine; batches() reports the damage).
 */
async function readPrefix(stream: Readable, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  try {
    for await (const chunk of stream) {
      const b = chunk as Buffer;
      parts.push(b);
      have += b.length;
      if (have >= n) break;
    }
  } catch (err) {
    if (have === 0 || !isZlibError(err)) throw err;
  } finally {
    stream.destroy();
  }
  return Buffer.concat(parts).subarray(0, n);
}

class FileFrameSource implements FrameSource {
  readonly warnings: CaptureWarning[] = [];

  constructor(
    private readonly path: string,
    private readonly format: 'pcap' | 'pcapng',
    private readonly gzip: boolean,
    private readonly batchSize: number,
    private readonly limits: CaptureLimits,
    private readonly timestamps: TimestampLimits | undefined,
    private readonly reuse: { chunkBytes: number } | undefined,
  ) {}

  /**
   * Streams the file from the start. Each call re-reads the file, restarts frame numbers at 1
   * and clears `warnings`. Frames' `data` view the read buffers: copy to keep.
   */
  async *batches(): AsyncGenerator<CapturedFrame[], void, undefined> {
    this.warnings.length = 0;
    const warn = makeWarn(this.warnings, this.limits.maxWarnings);
    const reader = new ChunkedRecordReader(makeParser(this.format, warn, this.limits), warn);
    const batchSize = this.batchSize;
    const window = this.timestamps ? new TimestampWindow(this.timestamps) : undefined;
    const sane = (b: CapturedFrame[]): CapturedFrame[] => {
      window?.apply(b, (frame, original) => warn(TIMESTAMP_WARNING, reader.received,
        `frame ${frame.frameNo}: timestamp ${describeMicros(original)} is outside the sane window; it takes the previous frame's time`));
      return b;
    };
    let batch: CapturedFrame[] = [];
    let clean = true;
    // Reused buffers for an uncompressed file when asked (CaptureOptions.reuseReadBuffers), else a stream.
    const buffers = this.reuse !== undefined && !this.gzip ? new ReadBuffers(this.reuse.chunkBytes) : undefined;
    const stream = buffers === undefined ? openStream(this.path, this.gzip) : undefined;
    const chunks: AsyncIterable<unknown> = stream ?? readReused(this.path, buffers as ReadBuffers, reader);
    try {
      for await (const chunk of chunks) {
        reader.push(chunk as Buffer);
        while (reader.drain(batch, batchSize)) {
          yield sane(batch);
          buffers?.yielded();
          batch = [];
        }
        if (reader.stopped) break;
      }
    } catch (err) {
      if (!(this.gzip && isZlibError(err))) throw unreadable(this.path, err);
      // A damaged or cut gzip stream: keep what decompressed, say why it ended.
      clean = false;
      while (reader.drain(batch, batchSize)) { yield sane(batch); batch = []; }
      warn('capture.gzip_error', reader.received, `gzip stream ended early: ${(err as Error).message}`);
    } finally {
      stream?.destroy();
    }
    if (clean) reader.finish();
    if (batch.length > 0) yield sane(batch);
  }
}

/**
 * The chunks of an uncompressed file, each read into a buffer `buffers` hands out, by a
 * synchronous read on this thread. Issue 14: a `FileHandle.read` on the thread pool, even issued
 * one chunk ahead, left the main thread waiting and waking for each chunk (7 % idle in the
 * SPAN-like replay's profile); reading here takes 0.94-0.97x the CPU and 0.92-0.93x the wall time
 * there (two sets of 12 pairs; 1.01x on the dense capture, whose frames cost more than their
 * bytes). Before each read the generator lets the event loop turn once (`setImmediate`), so
 * timers, signals and V8's own tasks still run between chunks, as they did between awaited
 * reads. The file closes when the consumer stops or the file ends.
 */
async function* readReused(path: string, buffers: ReadBuffers, reader: ChunkedRecordReader): AsyncGenerator<Buffer, void, undefined> {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      await new Promise<void>((resolve) => { setImmediate(resolve); });
      const chunk = buffers.take(reader);
      const bytesRead = readSync(fd, chunk, 0, chunk.length, null);
      if (bytesRead === 0) return;
      yield bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The read buffers of one `batches()` call with `reuseReadBuffers`. A buffer goes back to the
 * free list only after a batch was yielded since the reader let go of it: the batch being filled
 * may still hold frames that view it (a batch of large frames spans chunks).
 */
class ReadBuffers {
  /** Buffers read into: the reader may hold them. */
  private readonly inUse: Buffer[] = [];
  /** Released by the reader, maybe still viewed by the batch being filled. */
  private readonly released: Buffer[] = [];
  private readonly free: Buffer[] = [];

  constructor(private readonly chunkBytes: number) {}

  /** A buffer no frame of an unyielded batch and no reader state views. */
  take(reader: ChunkedRecordReader): Buffer {
    for (let i = this.inUse.length - 1; i >= 0; i--) {
      const b = this.inUse[i] as Buffer;
      if (!reader.holds(b.buffer)) { this.inUse.splice(i, 1); this.released.push(b); }
    }
    let b = this.free.pop();
    if (b === undefined) {
      // Its own memory (never a slice of Node's shared pool), so `holds` compares it exactly.
      b = Buffer.allocUnsafeSlow(this.chunkBytes);
    }
    this.inUse.push(b);
    return b;
  }

  /** A batch was yielded and the consumer came back: what was released may be reused. */
  yielded(): void {
    while (this.released.length > 0) this.free.push(this.released.pop() as Buffer);
  }
}

/**
 * Opens a pcap or pcapng file, optionally gzip-compressed. Throws
 * AuscultError('AUS_ERR_CAPTURE_UNREADABLE') when it cannot be opened or read, and
 * AuscultError('AUS_ERR_CAPTURE_HEADER') when it does not start with a capture header.
 */
export async function openCapture(path: string, options: CaptureOptions = {}): Promise<FrameSource> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
  const limits = resolveLimits(options.limits);
  let head: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const probe = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await handle.read(probe, 0, SNIFF_BYTES, 0);
      head = probe.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw unreadable(path, err);
  }
  let gzip = false;
  if (sniffCaptureFormat(head) === 'gzip') {
    gzip = true;
    try {
      head = await readPrefix(openStream(path, true), SNIFF_BYTES);
    } catch (err) {
      if (!isZlibError(err)) throw unreadable(path, err);
      throw new AuscultError('AUS_ERR_CAPTURE_HEADER', `not a readable gzip stream (${(err as Error).message})`, { file: path, offset: 0 });
    }
  }
  const checked = headerProblem(head);
  if ('reason' in checked) {
    throw new AuscultError('AUS_ERR_CAPTURE_HEADER', gzip ? `${checked.reason} (after gzip decompression)` : checked.reason, { file: path, offset: 0 });
  }
  const reuse = options.reuseReadBuffers === true ? { chunkBytes: Math.max(SNIFF_BYTES, Math.floor(options.readChunkBytes ?? READ_CHUNK_BYTES)) } : undefined;
  return new FileFrameSource(path, checked.format, gzip, batchSize, limits, options.timestamps, reuse);
}
