/**
 * \summary MLLP framer (HL7 v2.x Transport Specification: MLLP Release 2, §2.1 "Block Format"):
 * a message travels as `<VT 0x0B> message <FS 0x1C><CR 0x0D>`. The framer returns the message
 * between the start block and the end block as a view, without looking inside it.
 *
 * Hand-written: the format is three bytes of framing; no npm package frames MLLP passively (the
 * ones that exist are socket servers). Pure: no I/O, no logging, no clock; never throws. Follows
 * the contract of `framer.ts`. Limits: a message longer than `maxMessageBytes` is never buffered
 * whole: the framer reports `hl7.message_too_large` and skips to the next start block, so a
 * stream's buffer never holds more than `maxMessageBytes + 3` bytes.
 */
import type { AnomalyCode } from '../../decode/result.js';
import type { FramerResult } from '../../decode/stream/framer.js';

/** MLLP start block (VT). */
export const MLLP_START = 0x0b;
/** First byte of the MLLP end block (FS). */
export const MLLP_END = 0x1c;
/** Second byte of the MLLP end block (CR). */
export const MLLP_END_CR = 0x0d;

/** Knobs bounding what one MLLP stream may buffer. */
export interface MllpLimits {
  /** Longest message (between the start and end blocks) that is framed; past it: `hl7.message_too_large`. */
  maxMessageBytes: number;
}

/** Default: 1 MiB (config `hl7.max_message_bytes`); real ORU/ADT messages are a few KiB. */
export const MLLP_LIMITS: Readonly<MllpLimits> = { maxMessageBytes: 1_048_576 };

/** Every anomaly code `frameMllp` can report. */
export const MLLP_ANOMALIES = [
  /** A message ran past `maxMessageBytes` without an end block; skipped up to the next start block. */
  'hl7.message_too_large',
  /** Bytes other than CR/LF/space/tab before a start block; skipped. */
  'hl7.mllp_junk',
  /** A new start block arrived before the previous message's end block; the partial message is dropped. */
  'hl7.mllp_unterminated',
  /** The end block's FS was not followed by CR; the message is still returned. */
  'hl7.mllp_missing_cr',
] as const satisfies readonly AnomalyCode[];

/** Filler some senders put between frames: CR, LF, space, tab (skipped without an anomaly). */
function isFiller(b: number): boolean {
  return b === 0x0d || b === 0x0a || b === 0x20 || b === 0x09;
}

/** Bytes a framer looked at, summed over calls (tests prove the work per byte is bounded with it). */
export interface FramerWork {
  looked: number;
}

/** First index >= `from` and < `end` holding a start block (VT) or an end block's FS; -1 if none. */
function nextBlockByte(buf: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const b = buf[i] as number;
    if (b === MLLP_START || b === MLLP_END) return i;
  }
  return -1;
}

/**
 * Frames the next MLLP message at the start of `buf` (one direction of a TCP stream, in order).
 * The frame is the message bytes (a view into `buf`), without the start and end blocks.
 *
 * `scanFrom` (>= 1) says that `buf[1..scanFrom)` is already known to hold no VT and no FS (the
 * caller saw this message start before and was told `incomplete`): the search resumes there, so
 * a message arriving in many segments is scanned once, not once per segment. Every byte is looked
 * at a bounded number of times whatever the input (a flood of VT bytes costs one look each).
 * `work`, when given, gets the number of bytes this call looked at added to it.
 */
export function frameMllp(buf: Uint8Array, limits: MllpLimits = MLLP_LIMITS, scanFrom = 1, work?: FramerWork): FramerResult<Uint8Array> {
  if (buf.length === 0) return { kind: 'incomplete', consumed: 0, needed: 1 };
  const first = buf[0] as number;
  if (first !== MLLP_START) {
    // Resynchronise at the next start block; filler alone is not worth an anomaly.
    const next = buf.indexOf(MLLP_START, 1);
    const skip = next < 0 ? buf.length : next;
    let junk = false;
    let i = 0;
    for (; i < skip; i++) {
      if (!isFiller(buf[i] as number)) { junk = true; break; }
    }
    if (work) work.looked += skip + Math.min(i + 1, skip);
    return junk ? { kind: 'desync', skip, anomaly: 'hl7.mllp_junk' } : { kind: 'desync', skip };
  }
  const max = Math.max(0, limits.maxMessageBytes);
  // Look for the end block only within the size limit (+1 for the FS itself); one pass finds
  // whichever of a new start block or an end block comes first.
  const searchEnd = Math.min(buf.length, max + 2);
  const from = Math.max(1, Math.min(scanFrom, searchEnd));
  const at = nextBlockByte(buf, from, searchEnd);
  if (work) work.looked += (at < 0 ? searchEnd : at + 1) - from;
  if (at > 0 && buf[at] === MLLP_START) {
    // A start block inside an unfinished message: its end was lost (a gap, a crashed sender).
    // A run of start blocks is one loss, dropped in one step (a VT flood costs one look a byte).
    let skip = at;
    while (skip + 1 < buf.length && buf[skip] === MLLP_START && buf[skip + 1] === MLLP_START) skip++;
    if (work) work.looked += skip - at + 1;
    return { kind: 'desync', skip, anomaly: 'hl7.mllp_unterminated' };
  }
  if (at < 0) {
    if (buf.length >= max + 2) {
      // Over the limit with no end in sight: drop up to the next start block (or all of it).
      const next = buf.indexOf(MLLP_START, searchEnd);
      if (work) work.looked += (next < 0 ? buf.length : next) - searchEnd;
      return { kind: 'desync', skip: next < 0 ? buf.length : next, anomaly: 'hl7.message_too_large' };
    }
    return { kind: 'incomplete', consumed: 0, needed: buf.length + 1 };
  }
  const end = at;
  const message = buf.subarray(1, end);
  if (end + 1 >= buf.length) {
    // FS is the last byte buffered: wait for the CR that should follow.
    return { kind: 'incomplete', consumed: 0, needed: end + 2 };
  }
  if (buf[end + 1] === MLLP_END_CR) return { kind: 'frame', frame: message, consumed: end + 2 };
  return { kind: 'frame', frame: message, consumed: end + 1, anomaly: 'hl7.mllp_missing_cr' };
}
