/**
 * \summary Sane capture timestamps: a frame whose time lies outside a window takes the previous
 * frame's time, and the replacement is reported as a capture warning
 * (`capture.timestamp_out_of_window`, counted as `capture_warning.<code>`).
 *
 * Window: not before `earliestMicros` (1995-01-01 by default: before any pcap of a medical
 * network), not more than `maxForwardJumpMicros` (a day) past the previous in-window frame, and
 * never past the wall clock plus that jump (a replayed capture was recorded in the past). So a
 * hostile or corrupt timestamp (the year 2540, a value past what `Date` can represent, NaN) can
 * neither be stored nor make a later command fail when it formats a stored time. A frame with no
 * in-window frame before it takes the wall-clock time. Pure apart from the wall clock it is given.
 */
import type { CapturedFrame } from './captured-frame.js';

export interface TimestampLimits {
  /** Earliest acceptable capture time, µs since the epoch. */
  earliestMicros: number;
  /** Largest step forward from the previous frame's time, µs. */
  maxForwardJumpMicros: number;
}

export const TIMESTAMP_LIMITS: Readonly<TimestampLimits> = Object.freeze({
  earliestMicros: Date.UTC(1995, 0, 1) * 1000,
  maxForwardJumpMicros: 86_400 * 1_000_000,
});

/** The warning code a replaced timestamp raises. */
export const TIMESTAMP_WARNING = 'capture.timestamp_out_of_window';

/** Keeps the frames of one source inside the window, in order. */
export class TimestampWindow {
  private previous: number | undefined;
  /** Frames whose time was replaced. */
  replaced = 0;

  constructor(
    private readonly limits: TimestampLimits = TIMESTAMP_LIMITS,
    private readonly nowMicros: () => number = () => Date.now() * 1000,
  ) {}

  /** The time `frame` should carry, or undefined when its own time is in the window. */
  check(tsMicros: number): number | undefined {
    const ceiling = Math.min(
      this.previous === undefined ? Number.POSITIVE_INFINITY : this.previous + this.limits.maxForwardJumpMicros,
      this.nowMicros() + this.limits.maxForwardJumpMicros,
    );
    if (Number.isFinite(tsMicros) && tsMicros >= this.limits.earliestMicros && tsMicros <= ceiling) {
      this.previous = tsMicros;
      return undefined;
    }
    this.replaced++;
    return this.previous ?? Math.floor(this.nowMicros());
  }

  /** Replaces out-of-window times in a batch; calls `onReplaced` for each frame changed. */
  apply(batch: CapturedFrame[], onReplaced: (frame: CapturedFrame, original: number) => void): void {
    for (const frame of batch) {
      const fixed = this.check(frame.tsMicros);
      if (fixed === undefined) continue;
      const original = frame.tsMicros;
      frame.tsMicros = fixed;
      onReplaced(frame, original);
    }
  }
}

/** A timestamp for a message: ISO when `Date` can show it, else the raw number. */
export function describeMicros(tsMicros: number): string {
  const ms = tsMicros / 1000;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${tsMicros} µs`;
}
