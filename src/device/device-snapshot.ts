/**
 * \summary A device as the store holds it, in one string: what an evicted device is read back
 * from in one query instead of five (issue 14, the cold tier for 250,000 devices).
 *
 * `snapshotOf(d)` is the device exactly as `InventoryStore.loadDeviceRows` would build it from
 * its rows once `d` has been written in full: the same fields (a chosen value's last-seen is its
 * `since`, a challenger is not kept), the rows in the order the queries give them (evidence by
 * first seen, field, source, value; chosen values by field; addresses by IP; facts by field, all
 * compared as SQLite's BINARY collation compares UTF-8), and nothing the store does not keep
 * (the memo, dirty flags). Besides, it says which rows were only seen again since they were
 * written (the `touched` flags): an evicted device's last-seen times and counts wait in its
 * snapshot for the next full flush, as a resident device's wait in memory. `deviceFromSnapshot`
 * rebuilds it. So a device read back from its snapshot and one read back from its rows behave
 * alike (test/unit/device/device-snapshot.test.ts replays captures with a small resident cap and
 * compares both for every evicted device).
 *
 * The format is JSON of positional arrays (`[device, candidates, chosen, addresses, facts]`, the
 * touched flags last in each row), readable in the `sqlite3` shell, and kept short because every
 * eviction writes one and every read-back parses one (a million each with 250,000 devices): field,
 * source and rule names are numbers from a table of this process (the snapshots die with it),
 * times are relative to the device's first sighting, and a chosen value that is one of the
 * device's candidates is that candidate's index. Lists already in row order (the usual case) are
 * not sorted again. Hand-written: the shape is the device model's own.
 */
import type { DeviceField } from '../identify/field-candidate.js';
import { newDeviceState, onSeveralVlans, type AddressState, type CandidateState, type ChosenValue, type DeviceState } from './device-model.js';

/** Bumped when the layout changes: a snapshot of another version is not read. */
export const SNAPSHOT_VERSION = 3;

/** A field, source or rule name: its number in this process's name table, or the name itself. */
type NameRef = number | string;
type Flag = 0 | 1;
// Times are relative to the device's first sighting (shorter text than 16-digit microseconds).
type CandidateTuple = [NameRef, NameRef, string, NameRef | null, number, number, number, number, number, number | null, number, Flag];
/** A chosen value that is one of the device's candidates: that candidate's index, its confidence and since. */
type ChosenRefTuple = [number, number, number];
type ChosenTuple = [NameRef, string, NameRef, number, number] | ChosenRefTuple;
type AddressTuple = [string, NameRef, number, number, number, number | null, Flag];
type DeviceTuple = [number, string | null, string | null, Flag, Flag, number, number, number, Flag];
type SnapshotTuple = [DeviceTuple, CandidateTuple[], ChosenTuple[], AddressTuple[], (NameRef | string)[]];

/**
 * Field, source and rule names, numbered the first time a snapshot holds them, for the life of
 * the process: snapshots live in a TEMP table, gone with it, so a number is never read by another
 * process. The names come from code and rule files (a few hundred); past `max` a new name is
 * written as text (counted in `writtenAsText`), so the table stays bounded whatever the input.
 */
export const snapshotNames = {
  /** Names numbered at most (tests lower it). */
  max: 65_536,
  /** Names written as text because the table was full. */
  writtenAsText: 0,
};
const nameNumbers = new Map<string, number>();
const names: string[] = [];

function nameRef(name: string): NameRef {
  let n = nameNumbers.get(name);
  if (n === undefined) {
    if (names.length >= snapshotNames.max) {
      snapshotNames.writtenAsText++;
      return name;
    }
    n = names.length;
    names.push(name);
    nameNumbers.set(name, n);
  }
  return n;
}

/** The name a reference stands for; undefined for a number this process never gave (not a snapshot of ours). */
function nameOf(ref: NameRef): string | undefined {
  return typeof ref === 'number' ? names[ref] : ref;
}

/** Orders two strings as SQLite's BINARY collation orders their UTF-8 (UTF-16 order differs only
 * past the surrogates, U+D800). */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x - y;
    // Past the surrogates: the strings' UTF-8 as better-sqlite3 hands it to SQLite (a lone
    // surrogate becomes U+FFFD), whole, so a pair is never split.
    return Buffer.compare(Buffer.from(a), Buffer.from(b));
  }
  return a.length - b.length;
}

function byEvidenceOrder(a: CandidateState, b: CandidateState): number {
  return a.firstSeen - b.firstSeen || compareUtf8(a.field, b.field) || compareUtf8(a.source, b.source) || compareUtf8(a.value, b.value);
}
const byField = (a: ChosenValue, b: ChosenValue): number => compareUtf8(a.field, b.field);
const byIp = (a: AddressState, b: AddressState): number => compareUtf8(a.ip, b.ip);

/** `list` in `order`: itself when it already is (most lists are: the model appends in that order). */
function sorted<T>(list: readonly T[], order: (a: T, b: T) => number): readonly T[] {
  for (let i = 1; i < list.length; i++) if (order(list[i - 1] as T, list[i] as T) > 0) return list.slice().sort(order);
  return list;
}

/** The device as its rows hold it, and what of it was only seen again since, in one string (see the header). */
export function snapshotOf(d: DeviceState): string {
  const t0 = d.firstSeen;
  const byOrder = sorted(d.candidates, byEvidenceOrder);
  const candidates = byOrder.map((c): CandidateTuple => [
    nameRef(c.field), nameRef(c.source), c.value, c.rule === null ? null : nameRef(c.rule), c.confidence, c.firstSeen - t0, c.lastSeen - t0,
    c.firstFrame, c.lastFrame, c.captureId, c.count, c.touched ? 1 : 0,
  ]);
  const chosen = sorted(d.chosen, byField).map((v): ChosenTuple => {
    const i = byOrder.findIndex((c) => c.field === v.field && c.value === v.value && c.source === v.source);
    return i >= 0 ? [i, v.confidence, v.since - t0] : [nameRef(v.field), v.value, nameRef(v.source), v.confidence, v.since - t0];
  });
  const addresses = sorted(d.addresses, byIp)
    .map((a): AddressTuple => [a.ip, nameRef(a.source), a.firstSeen - t0, a.lastSeen - t0, a.firstFrame, a.captureId, a.touched ? 1 : 0]);
  const facts: [string, string][] = [];
  const f = d.facts ?? [];
  for (let i = 0; i < f.length; i += 2) facts.push([f[i] as string, f[i + 1] as string]);
  facts.sort((a, b) => compareUtf8(a[0], b[0]));
  const tuple: SnapshotTuple = [
    [SNAPSHOT_VERSION, d.mac, d.ipKey, d.locallyAttached ? 1 : 0, d.isRouter ? 1 : 0, t0, d.lastSeen - t0, d.frames, d.touched ? 1 : 0],
    candidates, chosen, addresses, facts.flatMap(([field, value]) => [nameRef(field), value]),
  ];
  return JSON.stringify(tuple);
}

/** Thrown inside `deviceFromSnapshot` for a name number this process never gave. */
const NOT_OURS = new Error('not a snapshot of this process');

function nameIn(ref: NameRef): string {
  const name = nameOf(ref);
  if (name === undefined) throw NOT_OURS;
  return name;
}

/** The device `id` from its snapshot; undefined when the snapshot is of another version or not one.
 * `touched` false: its rows have been written since the snapshot was (the store's `touched`
 * column), so the touched flags in the text are stale and every row comes back untouched. */
export function deviceFromSnapshot(id: string, text: string, touched = true): DeviceState | undefined {
  let tuple: SnapshotTuple;
  try {
    tuple = JSON.parse(text) as SnapshotTuple;
  } catch {
    return undefined;
  }
  if (!Array.isArray(tuple) || tuple.length !== 5 || !Array.isArray(tuple[0]) || tuple[0][0] !== SNAPSHOT_VERSION) return undefined;
  try {
    return fromTuple(id, tuple, touched);
  } catch (err) {
    if (err === NOT_OURS) return undefined;
    throw err;
  }
}

function fromTuple(id: string, tuple: SnapshotTuple, touched: boolean): DeviceState {
  const [[, mac, ipKey, local, router, t0, lastSeen, frames, dTouched], candidates, chosen, addresses, facts] = tuple;
  const d = newDeviceState({ id, mac, ipKey, locallyAttached: local === 1, isRouter: router === 1, firstSeen: t0, lastSeen: t0 + lastSeen, frames }, false);
  d.touched = touched && dTouched === 1;
  // Built by map: lists of exactly their length (src/device/tight-list.ts).
  const cs = candidates.map(([field, source, value, rule, confidence, cFirstSeen, cLastSeen, firstFrame, lastFrame, captureId, count, cTouched]): CandidateState => ({
    field: nameIn(field) as DeviceField, source: nameIn(source), value, rule: rule === null ? null : nameIn(rule), confidence,
    firstSeen: t0 + cFirstSeen, lastSeen: t0 + cLastSeen, firstFrame, lastFrame, captureId, count, dirty: false, touched: touched && cTouched === 1,
  }));
  d.candidates = cs;
  d.chosen = chosen.map((v): ChosenValue => {
    if (v.length === 3) {
      const c = cs[v[0]];
      if (c === undefined) throw NOT_OURS;
      return { field: c.field, value: c.value, source: c.source, confidence: v[1], since: t0 + v[2], lastSeen: t0 + v[2], challenger: undefined, dirty: false };
    }
    const [field, value, source, confidence, since] = v;
    return { field: nameIn(field) as DeviceField, value, source: nameIn(source), confidence, since: t0 + since, lastSeen: t0 + since, challenger: undefined, dirty: false };
  });
  d.addresses = addresses.map(([ip, source, aFirstSeen, aLastSeen, firstFrame, captureId, aTouched]): AddressState => ({
    ip, source: nameIn(source), firstSeen: t0 + aFirstSeen, lastSeen: t0 + aLastSeen, firstFrame, captureId, dirty: false, touched: touched && aTouched === 1,
  }));
  if (facts.length > 0) d.facts = facts.map((x, i) => (i % 2 === 0 ? nameIn(x) : (x as string)));
  d.severalVlans = onSeveralVlans(d);
  return d;
}

/** True when `d` has rows only seen again since they were written (last-seen times, counts). */
export function hasTouchedRows(d: DeviceState): boolean {
  if (d.touched) return true;
  for (const c of d.candidates) if (c.touched) return true;
  for (const a of d.addresses) if (a.touched) return true;
  return false;
}

/** Forgets that `d`'s rows were seen again (its snapshot holds that now). */
export function clearTouched(d: DeviceState): void {
  d.touched = false;
  for (const c of d.candidates) c.touched = false;
  for (const a of d.addresses) a.touched = false;
}
