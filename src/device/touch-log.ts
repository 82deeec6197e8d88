/**
 * \summary What applying one frame's observations did to the device model, when all it did was
 * move last-seen times, counts and frame numbers (issue 14: a known frame's hit skips observe,
 * identify and merge). The model appends one entry per move while a log is open
 * (`DeviceModel.openTouchLog`); `DeviceModel.replayTouches` applies the same moves for a later
 * copy of the frame, at that copy's time and frame number.
 *
 * A log is only worth replaying while the state it was made in holds (src/state-version.ts) and
 * when nothing in it depended on time or counts beyond taking a maximum: the model clears
 * `replayable` when a choice between two values of the same source and confidence came down to
 * which was newer, when a classification waited to persist, or when a location move was counted.
 */
import type { Versioned } from '../state-version.js';
import type { AddressState, CandidateState, ChosenValue, DeviceState } from './device-model.js';

/** A device heard (last seen moves). */
export const TOUCH_DEVICE = 0;
/** A device's frame heard (`eth.seen`: last seen moves and its frame count grows). */
export const TOUCH_DEVICE_FRAME = 1;
/** An address seen again (last seen moves). */
export const TOUCH_ADDRESS = 2;
/** A candidate seen again (last seen, last frame and count move). */
export const TOUCH_CANDIDATE = 3;
/** A chosen value seen again: its last seen becomes its candidate's (the `extra` slot). */
export const TOUCH_CHOSEN = 4;

export type TouchKind = typeof TOUCH_DEVICE | typeof TOUCH_DEVICE_FRAME | typeof TOUCH_ADDRESS | typeof TOUCH_CANDIDATE | typeof TOUCH_CHOSEN;

export class TouchLog {
  /** Kind, target, extra (the candidate of a TOUCH_CHOSEN, else undefined), per entry. */
  readonly entries: (TouchKind | DeviceState | AddressState | CandidateState | ChosenValue | undefined)[] = [];
  /** False once a decision depended on more than a maximum of times (see the header). */
  replayable = true;

  add(kind: TouchKind, target: DeviceState | AddressState | CandidateState | ChosenValue, extra?: CandidateState): void {
    this.entries.push(kind, target, extra);
  }
}

/** Slots per entry of `TouchLog.entries`. */
export const TOUCH_STRIDE = 3;

/** What observing, identifying, merging and locating one frame did (a TouchLog), the counters it
 * incremented (name, amount), and the state it read with its versions: it holds while they do
 * (src/state-version.ts). */
export interface RecordedTouches {
  readonly reads: readonly (Versioned | number)[];
  readonly log: TouchLog;
  readonly counted: readonly (string | number)[];
}
