/**
 * \summary The framer contract shared by the stream decoders (MLLP, DICOM upper layer), after
 * Suricata's `AppLayerResult` (style.md §5).
 *
 * A framer is a pure function of the bytes buffered for ONE direction of a TCP connection, in
 * order, starting where the previous frame (or skip) ended. It returns exactly one of:
 * - `frame`: a complete frame was found at the start of the buffer; drop `consumed` (> 0) bytes.
 * - `incomplete`: no complete frame yet; drop `consumed` bytes (often 0) and call again once the
 *   remaining buffer holds at least `needed` bytes (`needed` > buffer length − `consumed`).
 *   A framer never asks for more than its own size limit plus its header, so buffers stay capped.
 * - `desync`: the buffer does not start with a frame the framer will accept (junk, a lost
 *   boundary, a frame over its size limit); drop `skip` bytes (0 < `skip` <= buffer length) and
 *   call again. `anomaly` names why, when it is worth counting.
 * Every result makes progress: `consumed` or `skip` is positive, or the framer waits for more.
 */
import type { AnomalyCode } from '../result.js';

/** What a framer made of the start of a buffered byte stream. */
export type FramerResult<T> =
  | {
      kind: 'frame';
      /** The frame (views into the input buffer where it holds bytes: copy before the buffer is reused). */
      frame: T;
      /** Bytes of the buffer the frame used, delimiters included; always > 0. */
      consumed: number;
      /** Something odd about an otherwise usable frame (e.g. a missing trailing CR). */
      anomaly?: AnomalyCode;
    }
  | {
      kind: 'incomplete';
      /** Bytes that may be dropped now (leading bytes the framer has no use for). */
      consumed: number;
      /** The framer needs at least this many bytes buffered after dropping `consumed`. */
      needed: number;
    }
  | {
      kind: 'desync';
      /** Bytes to drop before trying again; 0 < skip <= buffer length. */
      skip: number;
      /** Why the bytes are dropped; absent for harmless filler (e.g. CR/LF between messages). */
      anomaly?: AnomalyCode;
    };
