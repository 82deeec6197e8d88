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
 * touched flags last in each row): `JSON.parse` of a 0.5 kB snapshot cost about 4 µs here (the
 * bench's DHCP clients average 0.75 kB), less than one SQLite query, and the text is readable in
 * the `sqlite3` shell. Hand-written: the shape is the device model's own.
 */
import type { DeviceField } from '../identify/field-candidate.js';
import { newDeviceState, onSeveralVlans, type AddressState, type CandidateState, type ChosenValue, type DeviceState } from './device-model.js';

/** Bumped when the layout changes: a snapshot of another version is not read. */
export const SNAPSHOT_VERSION = 2;

type Flag = 0 | 1;
type CandidateTuple = [DeviceField, string, string, string | null, number, number, number, number, number, number | null, number, Flag];
type ChosenTuple = [DeviceField, string, string, number, number];
type AddressTuple = [string, string, number, number, number, number | null, Flag];
type DeviceTuple = [number, string | null, string | null, Flag, Flag, number, number, number, Flag];
type SnapshotTuple = [DeviceTuple, CandidateTuple[], ChosenTuple[], AddressTuple[], string[]];

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

/** The device as its rows hold it, and what of it was only seen again since, in one string (see the header). */
export function snapshotOf(d: DeviceState): string {
  const candidates = d.candidates.slice().sort(byEvidenceOrder).map((c): CandidateTuple => [
    c.field, c.source, c.value, c.rule, c.confidence, c.firstSeen, c.lastSeen, c.firstFrame, c.lastFrame, c.captureId, c.count, c.touched ? 1 : 0,
  ]);
  const chosen = d.chosen.slice().sort((a, b) => compareUtf8(a.field, b.field))
    .map((v): ChosenTuple => [v.field, v.value, v.source, v.confidence, v.since]);
  const addresses = d.addresses.slice().sort((a, b) => compareUtf8(a.ip, b.ip))
    .map((a): AddressTuple => [a.ip, a.source, a.firstSeen, a.lastSeen, a.firstFrame, a.captureId, a.touched ? 1 : 0]);
  const facts: [string, string][] = [];
  const f = d.facts ?? [];
  for (let i = 0; i < f.length; i += 2) facts.push([f[i] as string, f[i + 1] as string]);
  facts.sort((a, b) => compareUtf8(a[0], b[0]));
  const tuple: SnapshotTuple = [
    [SNAPSHOT_VERSION, d.mac, d.ipKey, d.locallyAttached ? 1 : 0, d.isRouter ? 1 : 0, d.firstSeen, d.lastSeen, d.frames, d.touched ? 1 : 0],
    candidates, chosen, addresses, facts.flat(),
  ];
  return JSON.stringify(tuple);
}

/** The device `id` from its snapshot; undefined when the snapshot is of another version or not one. */
export function deviceFromSnapshot(id: string, text: string): DeviceState | undefined {
  let tuple: SnapshotTuple;
  try {
    tuple = JSON.parse(text) as SnapshotTuple;
  } catch {
    return undefined;
  }
  if (!Array.isArray(tuple) || tuple.length !== 5 || !Array.isArray(tuple[0]) || tuple[0][0] !== SNAPSHOT_VERSION) return undefined;
  const [[, mac, ipKey, local, router, firstSeen, lastSeen, frames, touched], candidates, chosen, addresses, facts] = tuple;
  const d = newDeviceState({ id, mac, ipKey, locallyAttached: local === 1, isRouter: router === 1, firstSeen, lastSeen, frames }, false);
  d.touched = touched === 1;
  // Built by map: lists of exactly their length (src/device/tight-list.ts).
  d.candidates = candidates.map(([field, source, value, rule, confidence, cFirstSeen, cLastSeen, firstFrame, lastFrame, captureId, count, cTouched]): CandidateState => ({
    field, source, value, rule, confidence, firstSeen: cFirstSeen, lastSeen: cLastSeen, firstFrame, lastFrame, captureId, count, dirty: false, touched: cTouched === 1,
  }));
  d.chosen = chosen.map(([field, value, source, confidence, since]): ChosenValue => ({ field, value, source, confidence, since, lastSeen: since, challenger: undefined, dirty: false }));
  d.addresses = addresses.map(([ip, source, aFirstSeen, aLastSeen, firstFrame, captureId, aTouched]): AddressState => ({
    ip, source, firstSeen: aFirstSeen, lastSeen: aLastSeen, firstFrame, captureId, dirty: false, touched: aTouched === 1,
  }));
  if (facts.length > 0) d.facts = facts;
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
