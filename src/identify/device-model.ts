/**
 * \summary The in-memory inventory: devices, their addresses and every candidate field value
 * with its evidence, merged observation by observation; changed state is flushed to the store
 * in batches (one transaction per flush).
 *
 * Merge rule (design.md): the chosen value of a field is the candidate with the highest
 * confidence; a candidate from the same source replaces the chosen value when it is newer (a
 * firmware upgrade), a different source only when it is more confident. A known value is never
 * replaced by nothing. A change of a chosen value, a new IP or a new VLAN is a history row.
 */
import type { Observation } from '../observe/observation.js';
import type { Counters } from '../counters.js';
import type { DeviceField, FieldCandidate } from './field-candidate.js';
import { MULTI_VALUED_EVIDENCE_FIELDS } from './field-candidate.js';

export interface CandidateState {
  field: DeviceField;
  source: string;
  value: string;
  rule: string | null;
  confidence: number;
  firstSeen: number;
  lastSeen: number;
  firstFrame: number;
  lastFrame: number;
  captureId: number | null;
  count: number;
  /** New, or its value/confidence/rule changed: written at the next flush. */
  dirty: boolean;
  /** Only last-seen and count moved: written at the next full flush. */
  touched: boolean;
}

export interface ChosenValue {
  value: string;
  source: string;
  confidence: number;
  since: number;
  lastSeen: number;
}

export interface AddressState {
  ip: string;
  source: string;
  firstSeen: number;
  lastSeen: number;
  firstFrame: number;
  captureId: number | null;
  /** New, or its source changed: written at the next flush. */
  dirty: boolean;
  /** Only last-seen moved: written at the next full flush. */
  touched: boolean;
}

export interface DeviceState {
  id: string;
  mac: string | null;
  ipKey: string | null;
  locallyAttached: boolean;
  isRouter: boolean;
  firstSeen: number;
  lastSeen: number;
  frames: number;
  candidates: Map<string, CandidateState>;
  chosen: Map<DeviceField, ChosenValue>;
  chosenDirty: Set<DeviceField>;
  addresses: Map<string, AddressState>;
  removedAddresses: Set<string>;
  /** New, or something the store keeps changed (router flag, addresses, candidates, chosen
   * values, first seen): written at the next flush. */
  dirty: boolean;
  /** Only last-seen and the frame count moved: written at the next full flush. */
  touched: boolean;
  /** Merges of facts seen before (protocol, field, value → the candidates they touched).
   * Cleared whenever the device gains a candidate (the identifier may answer differently then),
   * so every entry is current: no per-entry version to keep. */
  memo: Map<string, readonly CandidateState[]>;
  /** The memo entry of the device's last `ip.address` fact from plain IP (value and candidates),
   * so the fact most frames give finds its entry without a key string built per frame. Valid
   * exactly as long as the memo entry: cleared with the memo. */
  ipSeenValue: string | undefined;
  ipSeenMemo: readonly CandidateState[] | undefined;
}

export interface HistoryRow {
  deviceId: string;
  field: string;
  oldValue: string | null;
  newValue: string | null;
  ts: number;
  frame: number;
  source: string;
  captureId: number | null;
}

export interface ModelLimits {
  /** Devices known (in memory and in the store); a new device past this is counted
   * (`inventory.devices_dropped`) and not created, so a flood of spoofed source MACs costs a
   * counter, not the database's disk. */
  maxDevices: number;
  /** Devices held in memory. Past it, the least recently seen devices are written in full and
   * evicted (`inventory.devices_evicted`); a device heard again is read back from the store
   * (`inventory.devices_reloaded`). This, not the number of devices on the network, bounds the
   * model's memory. */
  maxResidentDevices: number;
  /** Distinct candidate values kept per device field; more are counted and dropped. */
  maxValuesPerField: number;
  /** Addresses kept per device; more are counted and dropped. */
  maxAddressesPerDevice: number;
  /** Memoised merges of repeated facts per device (cleared when full). */
  maxMemoEntriesPerDevice: number;
  /** Observations a new classification needs before it replaces a known one. */
  classificationPersistCount: number;
  /** Capture time (µs) a new classification must persist before it replaces a known one. */
  classificationPersistMicros: number;
}

/** Fields whose changes must persist before they are taken (no flip-flopping). */
export const CLASSIFICATION_FIELDS: ReadonlySet<string> = new Set(['device_type', 'category', 'fda_class', 'fda_product_code', 'fda_regulation']);

/** A candidate this much more confident replaces a classification at once. */
export const CLEARLY_STRONGER = 0.1;

/** Values at least this confident are firm: replacing one is a change worth a history row. */
export const FIRM_CONFIDENCE = 0.7;

export const MODEL_LIMITS: ModelLimits = {
  maxDevices: 250_000,
  maxResidentDevices: 8_192,
  maxValuesPerField: 32,
  maxAddressesPerDevice: 64,
  maxMemoEntriesPerDevice: 128,
  classificationPersistCount: 3,
  classificationPersistMicros: 0,
};

const NO_CANDIDATES: readonly CandidateState[] = Object.freeze([]);
/** The memo key of the `eth.seen = 1` fact, as applyObservation would build it. */
const SEEN_MEMO_KEY = 'eth\u0001eth.seen\u00011';

/** MAC → device id, cleared when full (32k ids, about 3 MB at most; a miss is one replace). */
const idCache = new Map<string, string>();
const MAX_CACHED_IDS = 32_768;

export function deviceIdForMac(mac: string): string {
  let id = idCache.get(mac);
  if (id === undefined) {
    id = `mac-${mac.replace(/:/g, '')}`;
    if (idCache.size >= MAX_CACHED_IDS) idCache.clear();
    idCache.set(mac, id);
  }
  return id;
}

export function deviceIdForIp(ip: string): string {
  return `ip-${ip}`;
}

/** Where devices that are not in memory live (the inventory store). */
export interface DeviceBacking {
  /** The stored device with this id, with its evidence, chosen values and addresses. */
  loadDevice(id: string): DeviceState | undefined;
  /** How many devices are stored. */
  deviceCount(): number;
}

/** Share of `maxResidentDevices` an eviction brings the resident set down to (hysteresis: the
 * next eviction waits until a quarter of the cap has been heard again or anew). */
export const EVICT_DOWN_TO = 0.75;

export class DeviceModel {
  /** Devices in memory (the resident set), by id. */
  readonly devices = new Map<string, DeviceState>();
  readonly pendingHistory: HistoryRow[] = [];
  /** Port MAC → chassis MAC: frames from a switch's port MACs belong to the switch device. */
  readonly aliases = new Map<string, string>();
  /** Devices merged into another since the last flush: from id → into id (history rows still
   * pending for `from`, and those already stored, are re-pointed by the store's flush). */
  readonly mergedDevices = new Map<string, string>();
  /** Capture the observations currently applied come from (evidence points at it). */
  captureId: number | null = null;
  /** The store behind the resident set; none in tests that use the model alone. */
  private backing: DeviceBacking | undefined;
  /** Devices known: resident or stored (maxDevices counts these). */
  private known = 0;

  constructor(
    private readonly counters: Counters,
    private readonly limits: ModelLimits = MODEL_LIMITS,
  ) {}

  /** The last MAC asked for and its device: a frame's observations are mostly about its sender.
   * Reset whenever an alias is made (the only way a MAC's device changes or goes away). */
  private lastMac: string | undefined;
  private lastDevice: DeviceState | undefined;

  /** Puts the store behind the model: devices not in memory are read from it on demand. */
  attach(backing: DeviceBacking): void {
    this.backing = backing;
    this.known = backing.deviceCount() + this.devices.size;
  }

  /** Devices known: in memory or in the store. */
  get knownDevices(): number {
    return this.known;
  }

  /** True when the resident set is over its cap: the owner should flush and `evict`. */
  get overResidentCap(): boolean {
    return this.devices.size > this.limits.maxResidentDevices;
  }

  /** The resident device `id`, read back from the store when it was evicted. */
  private resident(id: string): DeviceState | undefined {
    let d = this.devices.get(id);
    if (d === undefined && this.backing !== undefined) {
      d = this.backing.loadDevice(id);
      if (d !== undefined) {
        this.devices.set(id, d);
        this.counters.inc('inventory.devices_reloaded');
      }
    }
    return d;
  }

  /**
   * The least recently seen devices to evict, so that the resident set comes down to
   * EVICT_DOWN_TO of its cap (none while it is within the cap). The caller writes them in full,
   * then calls `evict`.
   */
  evictionCandidates(): DeviceState[] {
    if (!this.overResidentCap) return [];
    const target = Math.floor(this.limits.maxResidentDevices * EVICT_DOWN_TO);
    const byAge = [...this.devices.values()].sort((a, b) => a.lastSeen - b.lastSeen || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return byAge.slice(0, Math.max(0, this.devices.size - target));
  }

  /** Drops devices the store has in full from memory. A device with unwritten state stays. */
  evict(devices: readonly DeviceState[]): number {
    let n = 0;
    for (const d of devices) {
      if (d.dirty || d.touched || d.chosenDirty.size > 0 || d.removedAddresses.size > 0) continue;
      if (this.devices.get(d.id) !== d) continue;
      this.devices.delete(d.id);
      n++;
    }
    this.lastMac = undefined;
    this.lastDevice = undefined;
    if (n > 0) this.counters.inc('inventory.devices_evicted', n);
    return n;
  }

  /** Device an observation is about: by MAC, else by IP (seen only through a router). */
  deviceFor(o: Observation): DeviceState | undefined {
    if (o.mac !== undefined && o.mac === this.lastMac) return this.lastDevice;
    const d = this.findOrCreate(o);
    if (o.mac !== undefined) {
      this.lastMac = o.mac;
      this.lastDevice = d;
    }
    return d;
  }

  private findOrCreate(o: Observation): DeviceState | undefined {
    const mac = o.mac !== undefined ? (this.aliases.get(o.mac) ?? o.mac) : undefined;
    const id = mac !== undefined ? deviceIdForMac(mac) : o.ip !== undefined ? deviceIdForIp(o.ip) : undefined;
    if (id === undefined) return undefined;
    let d = this.resident(id);
    if (!d) {
      if (this.known >= this.limits.maxDevices) {
        this.counters.inc('inventory.devices_dropped');
        return undefined;
      }
      d = newDeviceState({
        id, mac: mac ?? null, ipKey: mac === undefined ? (o.ip ?? null) : null, locallyAttached: mac !== undefined,
        isRouter: false, firstSeen: o.ts, lastSeen: o.ts, frames: 0,
      }, true);
      this.devices.set(id, d);
      this.known++;
      this.counters.inc('inventory.devices_created');
    }
    return d;
  }

  /** Applies one observation and the candidates identification drew from it. */
  apply(o: Observation, candidates: readonly FieldCandidate[]): CandidateState[] {
    const d = this.deviceFor(o);
    return d ? this.applyTo(d, o, candidates) : [];
  }

  private applyTo(d: DeviceState, o: Observation, candidates: readonly FieldCandidate[]): CandidateState[] {
    this.touch(d, o);
    const merged: CandidateState[] = [];
    for (const c of candidates) {
      const state = this.mergeCandidate(d, o, c);
      if (state) merged.push(state);
    }
    return merged;
  }

  /**
   * Applies an observation, asking `identify` for its candidates only the first time this exact
   * fact (device, protocol, field, value) is seen since the device last gained a candidate. A
   * capture repeats the same facts over and over; a repeat moves last-seen times and counts and
   * runs the same choice of value the full merge runs, without asking the identifier again.
   */
  applyObservation(o: Observation, identify: (o: Observation) => FieldCandidate[]): void {
    const d = this.deviceFor(o);
    if (!d) return;
    const ipSeen = o.field === 'ip.address' && o.protocol === 'ip';
    let memo: readonly CandidateState[] | undefined;
    let key: string | undefined;
    if (ipSeen && d.ipSeenValue === o.value && d.ipSeenMemo !== undefined) {
      memo = d.ipSeenMemo;
    } else {
      // Every frame says `eth.seen`: its key is a constant, not a string built per frame.
      key = o.field === 'eth.seen' && o.protocol === 'eth' && o.value === '1' ? SEEN_MEMO_KEY : `${o.protocol}\u0001${o.field}\u0001${o.value}`;
      memo = d.memo.get(key);
      if (memo !== undefined && ipSeen) {
        d.ipSeenValue = o.value;
        d.ipSeenMemo = memo;
      }
    }
    if (memo !== undefined) {
      this.touch(d, o);
      // Indexed: the memo holds plain and frozen arrays, and for-of over both allocates iterators.
      for (let i = 0; i < memo.length; i++) {
        const cand = memo[i] as CandidateState;
        if (o.ts > cand.lastSeen) cand.lastSeen = o.ts;
        cand.lastFrame = o.frame;
        cand.count++;
        cand.touched = true;
        this.choose(d, o, cand);
      }
      return;
    }
    const merged = this.applyTo(d, o, identify(o));
    if (d.memo.size >= this.limits.maxMemoEntriesPerDevice) clearMemo(d);
    // Most facts (a frame seen, an address) touch no candidate: one shared empty list for them.
    d.memo.set(key as string, merged.length === 0 ? NO_CANDIDATES : merged);
  }

  private touch(d: DeviceState, o: Observation): void {
    if (o.ts > d.lastSeen) d.lastSeen = o.ts;
    if (o.ts < d.firstSeen) { d.firstSeen = o.ts; d.dirty = true; }
    d.touched = true;
    switch (o.field) {
      case 'eth.seen':
        d.frames++;
        break;
      case 'ip.address':
        this.bindAddress(d, o.value, o.protocol, o);
        break;
      case 'ip.seen_via_router':
        if (d.ipKey !== null) this.bindAddress(d, d.ipKey, 'ip', o);
        break;
      case 'ip.unbind':
        this.unbindAddress(d, o.value);
        break;
      case 'ip.router':
        if (!d.isRouter) { d.isRouter = true; d.dirty = true; }
        break;
      default:
        break;
    }
  }

  private bindAddress(d: DeviceState, ip: string, protocol: string, o: Observation): void {
    const existing = d.addresses.get(ip);
    if (existing) {
      if (o.ts > existing.lastSeen) existing.lastSeen = o.ts;
      // A stronger binding (dhcp, arp) takes over a weak one (plain IP source).
      if (existing.source === 'ip' && protocol !== 'ip') {
        existing.source = protocol;
        existing.dirty = true;
        d.dirty = true;
      }
      existing.touched = true;
      return;
    }
    if (d.addresses.size >= this.limits.maxAddressesPerDevice) {
      this.counters.inc('inventory.addresses_dropped');
      return;
    }
    const previous = latestAddress(d);
    d.addresses.set(ip, {
      ip,
      source: protocol,
      firstSeen: o.ts,
      lastSeen: o.ts,
      firstFrame: o.frame,
      captureId: this.captureId,
      dirty: true,
      touched: false,
    });
    d.dirty = true;
    d.removedAddresses.delete(ip);
    this.pendingHistory.push({
      deviceId: d.id, field: 'ip', oldValue: previous ?? null, newValue: ip,
      ts: o.ts, frame: o.frame, source: `${protocol}.${o.field}`, captureId: this.captureId,
    });
  }

  private unbindAddress(d: DeviceState, ip: string): void {
    const a = d.addresses.get(ip);
    if (!a || a.source !== 'ip') return; // only weak bindings are withdrawn
    d.addresses.delete(ip);
    d.removedAddresses.add(ip);
    d.dirty = true;
    this.counters.inc('inventory.addresses_unbound');
  }

  private mergeCandidate(d: DeviceState, o: Observation, c: FieldCandidate): CandidateState | undefined {
    const key = `${c.field}\u0000${c.source}\u0000${c.value}`;
    let cand = d.candidates.get(key);
    if (cand) {
      if (o.ts > cand.lastSeen) cand.lastSeen = o.ts;
      cand.lastFrame = o.frame;
      cand.count++;
      cand.touched = true;
    } else {
      if (valuesOf(d, c.field) >= this.limits.maxValuesPerField) {
        this.counters.inc('inventory.values_dropped');
        return undefined;
      }
      cand = {
        field: c.field, source: c.source, value: c.value, rule: c.rule ?? null, confidence: c.confidence,
        firstSeen: o.ts, lastSeen: o.ts, firstFrame: o.frame, lastFrame: o.frame,
        captureId: this.captureId, count: 1, dirty: true, touched: false,
      };
      d.candidates.set(key, cand);
      d.dirty = true;
      clearMemo(d);
    }
    this.choose(d, o, cand);
    return cand;
  }

  /** Decides whether `cand` becomes (or stays) the chosen value of its field. */
  private choose(d: DeviceState, o: Observation, cand: CandidateState): void {
    const chosen = d.chosen.get(cand.field);
    if (chosen && chosen.value === cand.value && chosen.source === cand.source) {
      chosen.lastSeen = cand.lastSeen;
      return;
    }
    const replaces =
      !chosen ||
      cand.confidence > chosen.confidence ||
      (cand.source === chosen.source && cand.confidence === chosen.confidence && o.ts >= chosen.lastSeen);
    if (!replaces) return;
    if (chosen && chosen.value !== cand.value && CLASSIFICATION_FIELDS.has(cand.field) && !this.persisted(cand, chosen, o)) {
      this.counters.inc('inventory.classification_held');
      return;
    }
    // A refinement (an OUI guess replaced by what the device says of itself) is not a change of
    // the device; a firm value replaced, or a source reporting a new value, is.
    if (chosen && chosen.value !== cand.value && !MULTI_VALUED_EVIDENCE_FIELDS.has(cand.field) && (chosen.source === cand.source || chosen.confidence >= FIRM_CONFIDENCE)) {
      this.pendingHistory.push({
        deviceId: d.id, field: cand.field, oldValue: chosen.value, newValue: cand.value,
        ts: o.ts, frame: o.frame, source: cand.source, captureId: this.captureId,
      });
    }
    d.chosen.set(cand.field, { value: cand.value, source: cand.source, confidence: cand.confidence, since: o.ts, lastSeen: o.ts });
    d.chosenDirty.add(cand.field);
    d.dirty = true;
  }

  /**
   * Makes `mac` an alias of `intoMac` (a switch port MAC of a chassis): the device `mac` had is
   * merged into the chassis device (evidence, addresses and frame counts), and later observations
   * of `mac` go to the chassis. History rows are re-pointed when the store flushes.
   */
  alias(mac: string, intoMac: string, at: Observation): void {
    if (mac === intoMac || this.aliases.has(mac)) return;
    this.aliases.set(mac, intoMac);
    this.lastMac = undefined;
    this.lastDevice = undefined;
    const from = this.resident(deviceIdForMac(mac));
    if (!from) return;
    const into = this.deviceFor({ ...at, mac: intoMac });
    if (!into) return;
    this.devices.delete(from.id);
    this.known--;
    this.mergedDevices.set(from.id, into.id);
    into.firstSeen = Math.min(into.firstSeen, from.firstSeen);
    into.lastSeen = Math.max(into.lastSeen, from.lastSeen);
    into.frames += from.frames;
    into.isRouter ||= from.isRouter;
    into.dirty = true;
    for (const a of from.addresses.values()) {
      const mine = into.addresses.get(a.ip);
      if (mine) {
        mine.firstSeen = Math.min(mine.firstSeen, a.firstSeen);
        mine.lastSeen = Math.max(mine.lastSeen, a.lastSeen);
        mine.dirty = true;
      } else if (into.addresses.size < this.limits.maxAddressesPerDevice) {
        into.addresses.set(a.ip, { ...a, dirty: true });
      }
    }
    for (const [key, c] of from.candidates) {
      const mine = into.candidates.get(key);
      if (mine) {
        mine.firstSeen = Math.min(mine.firstSeen, c.firstSeen);
        mine.lastSeen = Math.max(mine.lastSeen, c.lastSeen);
        mine.count += c.count;
        mine.dirty = true;
      } else {
        into.candidates.set(key, { ...c, dirty: true });
      }
      const chosen = into.chosen.get(c.field);
      if (!chosen || c.confidence > chosen.confidence) {
        into.chosen.set(c.field, { value: c.value, source: c.source, confidence: c.confidence, since: c.firstSeen, lastSeen: c.lastSeen });
        into.chosenDirty.add(c.field);
      }
    }
    clearMemo(into);
    this.counters.inc('inventory.devices_merged');
  }

  /**
   * Classification does not flip-flop: a new device type (or category, FDA class) replaces a
   * known one only once its evidence has persisted — seen `classificationPersistCount` times over
   * at least `classificationPersistMicros` of capture time — or when it is clearly stronger
   * (confidence higher by `CLEARLY_STRONGER` or more, e.g. what the device says of itself).
   */
  private persisted(cand: CandidateState, chosen: ChosenValue, o: Observation): boolean {
    if (cand.confidence >= chosen.confidence + CLEARLY_STRONGER) return true;
    return cand.count >= this.limits.classificationPersistCount && o.ts - cand.firstSeen >= this.limits.classificationPersistMicros;
  }
}

/**
 * Distinct values a device holds for `field`, counted from its candidates (derived, not kept: a
 * device has a few dozen candidates at most, bounded by the per-field cap this enforces).
 */
function valuesOf(d: DeviceState, field: DeviceField): number {
  let n = 0;
  for (const c of d.candidates.values()) if (c.field === field) n++;
  return n;
}

/** The persisted part of a device: what a new device starts with, or the store loads. */
export type DeviceRow = Pick<DeviceState, 'id' | 'mac' | 'ipKey' | 'locallyAttached' | 'isRouter' | 'firstSeen' | 'lastSeen' | 'frames'>;

/** A device with no evidence yet; `dirty` when it is new (not yet in the store). */
export function newDeviceState(row: DeviceRow, dirty: boolean): DeviceState {
  // Written out, not spread: one literal shape for every device.
  return {
    id: row.id,
    mac: row.mac,
    ipKey: row.ipKey,
    locallyAttached: row.locallyAttached,
    isRouter: row.isRouter,
    firstSeen: row.firstSeen,
    lastSeen: row.lastSeen,
    frames: row.frames,
    candidates: new Map(),
    chosen: new Map(),
    chosenDirty: new Set(),
    addresses: new Map(),
    removedAddresses: new Set(),
    dirty,
    touched: false,
    memo: new Map(),
    ipSeenValue: undefined,
    ipSeenMemo: undefined,
  };
}

/** Forgets the device's memoised merges, and the shortcut to one of them. */
function clearMemo(d: DeviceState): void {
  d.memo.clear();
  d.ipSeenValue = undefined;
  d.ipSeenMemo = undefined;
}

function latestAddress(d: DeviceState): string | undefined {
  let best: AddressState | undefined;
  for (const a of d.addresses.values()) if (!best || a.lastSeen >= best.lastSeen) best = a;
  return best?.ip;
}
