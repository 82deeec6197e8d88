/**
 * The known-frame path's records (issue 14): what a frame's processing read holds only until that
 * state changes, and a record of a frame's touches, replayed, moves what applying the frame again
 * would move. The golden differential (test/golden/known-frames.test.ts) checks whole captures;
 * these pin the invalidation rules it cannot reach on the fixtures (an address's owner changing,
 * a device leaving memory) and that a change elsewhere leaves a record valid.
 */
import { describe, expect, it } from 'vitest';
import { Counters } from '../../src/counters.js';
import type { FrameRecord } from '../../src/decode/frame-record.js';
import { DeviceModel, MODEL_LIMITS, type DeviceState } from '../../src/device/device-model.js';
import type { FieldCandidate } from '../../src/identify/field-candidate.js';
import { AddressBinder } from '../../src/observe/address-binder.js';
import type { Observation } from '../../src/observe/observation.js';
import { StateVersion, readsHold } from '../../src/state-version.js';

const A = '00:09:fb:00:00:01';
const B = '00:09:fb:00:00:02';
const ipFrame = (srcMac: string, src: string, frameNo: number): FrameRecord => ({
  frameNo, tsMicros: frameNo, srcMac, vlanTags: [], payloadKind: 'none', payload: new Uint8Array(0),
  ip: { version: 4, src, dst: '10.0.0.9', protocol: 17, ttl: 64, fragment: false },
});
const seen = (mac: string, ts: number): Observation => ({ ts, frame: ts, protocol: 'eth', field: 'eth.seen', value: '1', mac });
const hostname = (mac: string, ts: number): Observation => ({ ts, frame: ts, protocol: 'dhcp', field: 'dhcp.hostname', value: 'pump-7', mac });
const identify = (o: Observation): FieldCandidate[] => (o.field === 'dhcp.hostname' ? [{ field: 'hostname', value: o.value, source: 'dhcp.hostname', confidence: 0.9 }] : []);

/** Reads of one call, as the pipeline records them. */
function reading<T>(version: StateVersion, run: () => T): (StateVersion['reads'] & object) {
  version.reads = [];
  run();
  const reads = version.reads;
  version.reads = undefined;
  return reads;
}

/** The parts of a device a replay moves and a flush writes. */
function moved(d: DeviceState): unknown {
  return {
    lastSeen: d.lastSeen, frames: d.frames, touched: d.touched,
    candidates: d.candidates.map((c) => [c.value, c.lastSeen, c.lastFrame, c.count, c.touched]),
    chosen: d.chosen.map((c) => [c.value, c.lastSeen]),
  };
}

describe('state versions and touch records', () => {
  it('a binder record holds until the state it read changes: the address owner, not another MAC', () => {
    const version = new StateVersion();
    const binder = new AddressBinder(undefined, undefined, version);
    binder.ownAddress(A, '10.0.0.5');
    binder.observe(ipFrame(A, '10.0.0.5', 1), []);
    const reads = reading(version, () => binder.ownAddress(A, '10.0.0.5'));
    expect(reads.length).toBeGreaterThan(0);
    binder.observe(ipFrame(B, '10.0.0.6', 2), []); // another MAC's new binding
    expect(readsHold(reads)).toBe(true);
    binder.ownAddress(B, '10.0.0.5'); // the address changes owner
    expect(readsHold(reads)).toBe(false);
  });

  it('a replayed record moves what applying the same observations again moves', () => {
    const run = (replay: boolean): DeviceState => {
      const m = new DeviceModel(new Counters());
      const apply = (ts: number) => { m.applyObservation(seen(A, ts), identify); m.applyObservation(hostname(A, ts), identify); };
      apply(1);
      const log = m.openTouchLog();
      const before = m.version.value;
      apply(2);
      m.closeTouchLog();
      expect(m.version.value).toBe(before); // times and counts only
      expect(log.replayable).toBe(true);
      if (replay) expect(m.replayTouches(log, 3, 3)).toBe(true);
      else apply(3);
      return m.devices.get('mac-0009fb000001')!;
    };
    expect(moved(run(true))).toEqual(moved(run(false)));
    expect(run(true).frames).toBe(3);
  });

  it('a device leaving memory, or gaining a candidate, invalidates the records that read it, not others', () => {
    const m = new DeviceModel(new Counters(), { ...MODEL_LIMITS, maxResidentDevices: 1 });
    m.applyObservation(seen(A, 1), identify);
    m.applyObservation(seen(B, 2), identify);
    const readA = reading(m.version, () => m.applyObservation(seen(A, 3), identify));
    const readB = reading(m.version, () => m.applyObservation(seen(B, 4), identify));
    m.applyObservation({ ...hostname(B, 5) }, identify); // B gains a candidate
    expect(readsHold(readA)).toBe(true);
    expect(readsHold(readB)).toBe(false);
    const a = m.devices.get('mac-0009fb000001')!;
    a.dirty = false;
    a.touched = false;
    m.evict([a]);
    expect(readsHold(readA)).toBe(false);
  });

  it('a replay earlier than a logged device was first seen is refused, and moves nothing', () => {
    const m = new DeviceModel(new Counters());
    m.applyObservation(seen(A, 10), identify);
    const log = m.openTouchLog();
    m.applyObservation(seen(A, 11), identify);
    m.closeTouchLog();
    const d = m.devices.get('mac-0009fb000001')!;
    expect(m.replayTouches(log, 5, 12)).toBe(false);
    expect(d.frames).toBe(2);
  });

  it('a choice between two values of one source and confidence is not replayed (the newer wins)', () => {
    const m = new DeviceModel(new Counters());
    const fw = (value: string, ts: number): Observation => ({ ts, frame: ts, protocol: 'dhcp', field: 'dhcp.fw', value, mac: A });
    const byValue = (o: Observation): FieldCandidate[] => [{ field: 'firmware', value: o.value, source: 'dhcp.fw', confidence: 0.9 }];
    m.applyObservation(fw('1.0', 1), byValue);
    m.applyObservation(fw('2.0', 2), byValue);
    const log = m.openTouchLog();
    m.applyObservation(fw('1.0', 1), byValue); // older than the chosen 2.0: not taken now, but would be later
    m.closeTouchLog();
    expect(log.replayable).toBe(false);
  });
});
