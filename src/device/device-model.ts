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
import type { DeviceField, FieldCandidate } from '../identify/field-candidate.js';
import { MULTI_VALUED_EVIDENCE_FIELDS } from '../identify/field-candidate.js';
import { primaryAddress } from './address-rank.js';
import { factOf, withFact, type DeviceFacts } from './device-facts.js';
import { StateVersion, type Versioned } from '../state-version.js';
import { appended, appendedAll } from './tight-list.js';
import { TOUCH_ADDRESS, TOUCH_CANDIDATE, TOUCH_CHOSEN, TOUCH_DEVICE, TOUCH_DEVICE_FRAME, TOUCH_STRIDE, TouchLog } from './touch-log.js';

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
  field: DeviceField;
  value: string;
  source: string;
  confidence: number;
  since: number;
  lastSeen: number;
  /** A location value waiting to persist before it replaces this one (LOCATION_FIELDS). */
  challenger: Challenger | undefined;
  /** Taken since the last flush: written at the next one. */
  dirty: boolean;
}

/**
 * A new location value (a move?) that replaces the chosen one only once it has persisted: the
 * device was heard `classificationPersistCount` times over `classificationPersistMicros` since,
 * without the chosen value being seen again. Seeing the chosen value again drops it (a trunk, or
 * a device answering on two VLANs, is not a move).
 */
export interface Challenger {
  candidate: CandidateState;
  /** Capture time and frame the new value was first seen at: the history row's. */
  ts: number;
  frame: number;
  /** Frames of the device heard since. */
  heard: number;
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
  /** Seen on several VLANs at once (a trunk or router): VLAN changes are not moves. */
  severalVlans: boolean;
  /** Location values waiting to persist (challengers among `chosen`). */
  pendingMoves: number;
  /** Every candidate value with its evidence (a few per device; found by field, source and value). */
  candidates: CandidateState[];
  /** The chosen value of each field that has one (at most one entry per field). */
  chosen: ChosenValue[];
  /** Bound addresses (at most `maxAddressesPerDevice`). */
  addresses: AddressState[];
  /** Weak bindings withdrawn since the last flush (deleted from the store by it); none: undefined. */
  removedAddresses: string[] | undefined;
  /** New, or something the store keeps changed (router flag, addresses, candidates, chosen
   * values, first seen): written at the next flush. */
  dirty: boolean;
  /** Only last-seen and the frame count moved: written at the next full flush. */
  touched: boolean;
  /** Merges of facts seen before, as field, value, protocol, the sending MAC (the identifier reads
   * its OUI: a switch's frames come from its chassis MAC, its port MACs and others, and an
   * `eth.seen` from a MAC of no known block touches no candidate), candidates (those the fact
   * touched), then the next fact's; undefined until the first. A flat list, not a map keyed by a string
   * built per observation: a device has a handful of distinct facts, and the list costs no key
   * string per lookup and a fraction of a map's heap.
   * Cleared whenever the device gains a candidate (the identifier may answer differently then),
   * so every entry is current: no per-entry version to keep. */
  memo: (string | undefined | readonly CandidateState[])[] | undefined;
  /** Latest values of the observation fields the identifier's `also` conditions read, as a flat
   * field/value list (bounded by the rule set's remembered fields); what DeviceFacts.fact gives
   * identification. Stored with the device (`device_fact`), so a restart or a reload keeps them. */
  facts: string[] | undefined;
  /** `facts` changed since the last flush: the store rewrites the device's facts. */
  factsDirty: boolean;
  /** Bumped by every change but times and counts, and when the device leaves memory (src/state-version.ts). */
  version: number;
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

/** A MAC merged into a device, as the store keeps it. */
export interface AliasRow {
  mac: string;
  into: string;
  source: string;
  ts: number;
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
  /** MACs merged into another device (port and management MACs of a switch); more are counted
   * (`inventory.aliases_dropped`) and stay devices of their own. */
  maxAliases: number;
  /** Memoised merges of repeated facts per device (cleared when full). */
  maxMemoEntriesPerDevice: number;
  /** Distinct candidate values shared between devices (a fleet's model, firmware and vendor
   * strings held once); cleared when full (`inventory.interned_values_cleared`). */
  maxInternedValues: number;
  /** Observations a new classification needs before it replaces a known one. */
  classificationPersistCount: number;
  /** Capture time (µs) a new classification must persist before it replaces a known one. */
  classificationPersistMicros: number;
}

/** Fields whose changes must persist before they are taken (no flip-flopping). */
export const CLASSIFICATION_FIELDS: ReadonlySet<string> = new Set(['device_type', 'category', 'fda_class', 'fda_product_code', 'fda_regulation']);

/**
 * Location fields: a new value is a move only when it persists (see Challenger), with the same
 * knob as classification persistence; one real move gives one history row per changed field.
 */
export const LOCATION_FIELDS: ReadonlySet<string> = new Set(['vlan', 'switch', 'port', 'location', 'circuit_id']);

/** A candidate this much more confident replaces a classification at once. */
export const CLEARLY_STRONGER = 0.1;

/** Values at least this confident are firm: replacing one is a change worth a history row. */
export const FIRM_CONFIDENCE = 0.7;

export const MODEL_LIMITS: ModelLimits = {
  maxDevices: 250_000,
  // 12,288 since the lists became tight (src/device/tight-list.ts): 1.8 KB a device instead of
  // 2.4 KB on the dense bench capture, so about the memory 8,192 devices took before.
  maxResidentDevices: 12_288,
  maxValuesPerField: 32,
  maxAddressesPerDevice: 64,
  maxAliases: 65_536,
  maxMemoEntriesPerDevice: 128,
  maxInternedValues: 65_536,
  classificationPersistCount: 3,
  classificationPersistMicros: 0,
};

const NO_CANDIDATES: readonly CandidateState[] = Object.freeze([]);

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

/** The MAC of a MAC-keyed device id (`mac-0009fb1d0707` → `00:09:fb:1d:07:07`). */
export function macOfDeviceId(id: string): string {
  return (id.slice(4).match(/../g) ?? []).join(':');
}

export function deviceIdForIp(ip: string): string {
  return `ip-${ip}`;
}

/** Where devices that are not in memory live (the inventory store). */
export interface DeviceBacking {
  /** Every stored alias: MAC → the device id it belongs to. */
  loadAliases(): Map<string, string>;
  /** The stored device with this id, with its evidence, chosen values and addresses. */
  loadDevice(id: string): DeviceState | undefined;
  /** False when no device with this id is stored (then `loadDevice` is not asked); true when one may be. */
  mayHold(id: string): boolean;
  /** How many devices are stored. */
  deviceCount(): number;
}

/** Share of `maxResidentDevices` an eviction brings the resident set down to (hysteresis: the
 * next eviction waits until a quarter of the cap has been heard again or anew). */
export const EVICT_DOWN_TO = 0.75;

/**
 * Share of the cap an eviction comes down to when most devices that came into memory since the
 * last eviction were new (a flood of devices never heard before, as in a large network's first
 * minutes), not read back. Each eviction comes with a flush that writes the devices created since
 * the one before in one transaction, and each new device's rows land on random pages of a dozen
 * B-trees: three times as many new devices a transaction share those pages, for a resident set that
 * holds nothing worth keeping yet. Measured as deployed (bench/README.md, issue 14, nineteenth
 * session): 250,000 new devices in 43.7 s instead of 61.7 s, paired. Devices read back keep `EVICT_DOWN_TO`:
 * with 13,000 devices heard at random, just over the 12,288 cap, evicting this deep every time cost
 * 1.11x the CPU (the devices it let go were heard again).
 */
export const EVICT_DEEP_DOWN_TO = 0.25;

export class DeviceModel {
  /** Devices in memory (the resident set), by id. */
  readonly devices = new Map<string, DeviceState>();
  /** Devices created and read back since the last eviction: what `evictionCandidates` judges the
   * resident set by. */
  private createdSinceEviction = 0;
  private reloadedSinceEviction = 0;
  readonly pendingHistory: HistoryRow[] = [];
  /** Port or management MAC → chassis MAC: frames from them belong to the switch device. */
  readonly aliases = new Map<string, string>();
  /** Aliases made since the last flush (written by the store's flush). */
  readonly pendingAliases: AliasRow[] = [];
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
    /** Bumped by every change other than times and counts (src/state-version.ts). */
    readonly version: StateVersion = new StateVersion(),
  ) {}

  /** The alias table and the count of known devices (what finding a device by its MAC reads besides the device). */
  private readonly aliasState: Versioned = { version: 0 };

  /** While a frame's observations are applied for the known-frame path: every time and count
   * moved, to replay for the frame's next copy (src/device/touch-log.ts). */
  private touches: TouchLog | undefined;

  /** Starts logging the moves of times and counts (one frame's worth); `closeTouchLog` ends it. */
  openTouchLog(): TouchLog {
    return (this.touches = new TouchLog());
  }

  closeTouchLog(): void {
    this.touches = undefined;
  }

  /**
   * Applies what a log recorded, at a new time and frame number: the moves the same frame made
   * when it was applied in full. The caller has checked that the state version has not moved
   * since. False, with nothing applied, when the time is before a logged device's first sighting
   * (the full path would move its first-seen time).
   */
  replayTouches(log: TouchLog, ts: number, frame: number): boolean {
    const e = log.entries;
    for (let i = 0; i < e.length; i += TOUCH_STRIDE) {
      const kind = e[i];
      if ((kind === TOUCH_DEVICE || kind === TOUCH_DEVICE_FRAME) && ts < (e[i + 1] as DeviceState).firstSeen) return false;
    }
    for (let i = 0; i < e.length; i += TOUCH_STRIDE) {
      switch (e[i]) {
        case TOUCH_DEVICE:
        case TOUCH_DEVICE_FRAME: {
          const d = e[i + 1] as DeviceState;
          if (ts > d.lastSeen) d.lastSeen = ts;
          d.touched = true;
          if (e[i] === TOUCH_DEVICE_FRAME) d.frames++;
          break;
        }
        case TOUCH_ADDRESS: {
          const a = e[i + 1] as AddressState;
          if (ts > a.lastSeen) a.lastSeen = ts;
          a.touched = true;
          break;
        }
        case TOUCH_CANDIDATE: {
          const c = e[i + 1] as CandidateState;
          if (ts > c.lastSeen) c.lastSeen = ts;
          c.lastFrame = frame;
          c.count++;
          c.touched = true;
          break;
        }
        case TOUCH_CHOSEN:
          (e[i + 1] as ChosenValue).lastSeen = (e[i + 2] as CandidateState).lastSeen;
          break;
        default:
          break;
      }
    }
    return true;
  }

  /** The read-only view of a device identification is given (one object, pointed at the device). */
  private readonly view = new FactsView();

  /** The last MAC asked for and its device: a frame's observations are mostly about its sender.
   * Reset whenever an alias is made (the only way a MAC's device changes or goes away). */
  private lastMac: string | undefined;
  private lastDevice: DeviceState | undefined;

  /** Puts the store behind the model: devices not in memory are read from it on demand. */
  attach(backing: DeviceBacking): void {
    this.backing = backing;
    for (const [mac, id] of backing.loadAliases()) if (id.startsWith('mac-')) this.aliases.set(mac, macOfDeviceId(id));
    this.known = backing.deviceCount() + this.devices.size;
  }

  /** One copy of each candidate value for every device that has it. */
  private readonly values = new Map<string, string>();

  private intern(value: string): string {
    const known = this.values.get(value);
    if (known !== undefined) return known;
    if (this.values.size >= this.limits.maxInternedValues) {
      this.values.clear();
      this.counters.inc('inventory.interned_values_cleared');
      this.version.bump();
    }
    this.values.set(value, value);
    return value;
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
      // A device heard for the first time costs no query (src/inventory/stored-ids.ts).
      if (!this.backing.mayHold(id)) {
        this.counters.inc('inventory.store_lookups_skipped');
        return undefined;
      }
      d = this.backing.loadDevice(id);
      if (d !== undefined) {
        for (const c of d.candidates) c.value = this.intern(c.value);
        this.devices.set(id, d);
        this.counters.inc('inventory.devices_reloaded');
        this.reloadedSinceEviction++;
        this.version.bump();
      }
    }
    return d;
  }

  /**
   * The least recently seen devices to evict, so that the resident set comes down to
   * EVICT_DOWN_TO of its cap, or EVICT_DEEP_DOWN_TO when more devices were created than read back
   * since the last eviction (none while it is within the cap). The caller writes them in full, then
   * calls `evict`.
   */
  evictionCandidates(): DeviceState[] {
    if (!this.overResidentCap) return [];
    const deep = this.createdSinceEviction > this.reloadedSinceEviction;
    this.createdSinceEviction = 0;
    this.reloadedSinceEviction = 0;
    if (deep) this.counters.inc('inventory.deep_evictions');
    const target = Math.floor(this.limits.maxResidentDevices * (deep ? EVICT_DEEP_DOWN_TO : EVICT_DOWN_TO));
    const byAge = [...this.devices.values()].sort((a, b) => a.lastSeen - b.lastSeen || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return byAge.slice(0, Math.max(0, this.devices.size - target));
  }

  /** Drops devices the store has in full from memory. A device with unwritten state stays. */
  evict(devices: readonly DeviceState[]): number {
    let n = 0;
    for (const d of devices) {
      if (d.dirty || d.touched || d.removedAddresses !== undefined) continue;
      if (this.devices.get(d.id) !== d) continue;
      this.devices.delete(d.id);
      // A record that read this object is stale: the device comes back as another object.
      this.version.bump(d);
      n++;
    }
    this.lastMac = undefined;
    this.lastDevice = undefined;
    if (n > 0) this.counters.inc('inventory.devices_evicted', n);
    return n;
  }

  /** Device an observation is about: by MAC, else by IP (seen only through a router). */
  deviceFor(o: Observation): DeviceState | undefined {
    const version = this.version;
    version.read(this.aliasState);
    let d: DeviceState | undefined;
    if (o.mac !== undefined && o.mac === this.lastMac) {
      d = this.lastDevice;
    } else {
      d = this.findOrCreate(o);
      if (o.mac !== undefined) {
        this.lastMac = o.mac;
        this.lastDevice = d;
      }
    }
    // A router's frames carry its hosts' traffic: a fact about an address that is not the
    // router's own (HL7, DICOM, a hostname) belongs to the host behind it, keyed by IP.
    if (d !== undefined) version.read(d);
    if (d !== undefined && d.isRouter && o.ip !== undefined && addressOf(d, o.ip) === undefined) {
      this.counters.inc('inventory.facts_behind_router');
      const host = this.findOrCreate({ ...o, mac: undefined });
      if (host !== undefined) version.read(host);
      return host;
    }
    return d;
  }

  private findOrCreate(o: Observation): DeviceState | undefined {
    const mac = o.mac !== undefined ? this.chassisOf(o.mac) : undefined;
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
      this.createdSinceEviction++;
      this.version.bump();
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
  applyObservation(o: Observation, identify: (o: Observation, device: DeviceFacts) => FieldCandidate[], remembers?: (field: string) => boolean): void {
    const d = this.deviceFor(o);
    if (!d) return;
    const memo = d.memo === undefined ? undefined : memoised(d.memo, o);
    if (memo !== undefined) {
      this.touch(d, o);
      // Indexed: the memo holds plain and frozen arrays, and for-of over both allocates iterators.
      for (let i = 0; i < memo.length; i++) {
        const cand = memo[i] as CandidateState;
        if (o.ts > cand.lastSeen) cand.lastSeen = o.ts;
        cand.lastFrame = o.frame;
        cand.count++;
        cand.touched = true;
        this.touches?.add(TOUCH_CANDIDATE, cand);
        this.choose(d, o, cand);
      }
      return;
    }
    this.view.device = d;
    const candidates = identify(o, this.view);
    if (remembers?.(o.field) === true && factOf(d.facts, o.field) !== o.value) {
      d.facts = withFact(d.facts, o.field, o.value);
      d.factsDirty = true;
      d.dirty = true;
      this.version.bump(d);
    }
    const merged = this.applyTo(d, o, candidates);
    if (d.memo !== undefined && d.memo.length >= MEMO_STRIDE * this.limits.maxMemoEntriesPerDevice) {
      clearMemo(d);
      this.counters.inc('inventory.memo_cleared');
      this.version.bump();
    }
    // Most facts (a frame seen, an address) touch no candidate: one shared empty list for them.
    d.memo = appendedAll(d.memo, [o.field, o.value, o.protocol, o.mac, merged.length === 0 ? NO_CANDIDATES : merged.slice()]);
  }

  private touch(d: DeviceState, o: Observation): void {
    if (o.ts > d.lastSeen) d.lastSeen = o.ts;
    if (o.ts < d.firstSeen) { d.firstSeen = o.ts; d.dirty = true; this.version.bump(d); }
    d.touched = true;
    this.touches?.add(o.field === 'eth.seen' ? TOUCH_DEVICE_FRAME : TOUCH_DEVICE, d);
    // A frame heard (IP-keyed devices have no frames of their own: their traffic is the fact).
    if (d.pendingMoves > 0 && (o.field === 'eth.seen' || o.field === 'ip.seen_via_router')) this.hearMoves(d, o);
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
        if (!d.isRouter) { d.isRouter = true; d.dirty = true; this.version.bump(d); }
        break;
      default:
        break;
    }
  }

  private bindAddress(d: DeviceState, ip: string, protocol: string, o: Observation): void {
    const existing = addressOf(d, ip);
    if (existing) {
      if (o.ts > existing.lastSeen) existing.lastSeen = o.ts;
      existing.touched = true;
      this.touches?.add(TOUCH_ADDRESS, existing);
      // A stronger binding (dhcp, arp) takes over a weak one (plain IP source).
      if (existing.source === 'ip' && protocol !== 'ip') {
        const before = primaryAddress(d.addresses);
        existing.source = protocol;
        existing.dirty = true;
        d.dirty = true;
        this.version.bump(d);
        this.notePrimary(d, before, o, `${protocol}.${o.field}`);
      }
      return;
    }
    this.addAddress(d, {
      ip, source: protocol, firstSeen: o.ts, lastSeen: o.ts, firstFrame: o.frame, captureId: this.captureId, dirty: true, touched: false,
    }, o, `${protocol}.${o.field}`);
  }

  /**
   * Adds an address to a device (binding or merge: the one path). The device's `ip` is its
   * best-ranked address (src/device/address-rank.ts); a history row is written when that changes,
   * never for an address that does not become the `ip` (a link-local one, a weaker binding).
   */
  private addAddress(d: DeviceState, a: AddressState, o: Observation, source: string): void {
    if (d.addresses.length >= this.limits.maxAddressesPerDevice) {
      this.counters.inc('inventory.addresses_dropped');
      return;
    }
    const before = primaryAddress(d.addresses);
    d.addresses = appended(d.addresses, a);
    d.dirty = true;
    this.version.bump(d);
    if (d.removedAddresses !== undefined) {
      const i = d.removedAddresses.indexOf(a.ip);
      if (i >= 0) d.removedAddresses.splice(i, 1);
    }
    this.notePrimary(d, before, o, source);
  }

  /** Writes a history row when the device's `ip` is no longer `before`. */
  private notePrimary(d: DeviceState, before: AddressState | undefined, o: Observation, source: string): void {
    const after = primaryAddress(d.addresses);
    if (after === undefined || after.ip === before?.ip) return;
    this.pendingHistory.push({
      deviceId: d.id, field: 'ip', oldValue: before?.ip ?? null, newValue: after.ip,
      ts: o.ts, frame: o.frame, source, captureId: this.captureId,
    });
  }

  private unbindAddress(d: DeviceState, ip: string): void {
    const i = d.addresses.findIndex((a) => a.ip === ip);
    if (i < 0 || (d.addresses[i] as AddressState).source !== 'ip') return; // only weak bindings are withdrawn
    d.addresses.splice(i, 1);
    (d.removedAddresses ??= []).push(ip);
    d.dirty = true;
    this.version.bump(d);
    this.counters.inc('inventory.addresses_unbound');
  }

  private mergeCandidate(d: DeviceState, o: Observation, c: FieldCandidate): CandidateState | undefined {
    let cand = candidateOf(d, c.field, c.source, c.value);
    if (cand) {
      if (o.ts > cand.lastSeen) cand.lastSeen = o.ts;
      cand.lastFrame = o.frame;
      cand.count++;
      cand.touched = true;
      this.touches?.add(TOUCH_CANDIDATE, cand);
    } else {
      if (valuesOf(d, c.field) >= this.limits.maxValuesPerField) {
        this.counters.inc('inventory.values_dropped');
        return undefined;
      }
      cand = {
        field: c.field, source: c.source, value: this.intern(c.value), rule: c.rule ?? null, confidence: c.confidence,
        firstSeen: o.ts, lastSeen: o.ts, firstFrame: o.frame, lastFrame: o.frame,
        captureId: this.captureId, count: 1, dirty: true, touched: false,
      };
      d.candidates = appended(d.candidates, cand);
      d.dirty = true;
      clearMemo(d);
      this.version.bump(d);
    }
    this.choose(d, o, cand);
    return cand;
  }

  /** Merges a candidate another device held (the merge path): the same cap and choice as new evidence. */
  private absorbCandidate(d: DeviceState, c: CandidateState, o: Observation): void {
    let mine = candidateOf(d, c.field, c.source, c.value);
    if (mine) {
      mine.firstSeen = Math.min(mine.firstSeen, c.firstSeen);
      mine.lastSeen = Math.max(mine.lastSeen, c.lastSeen);
      mine.count += c.count;
      mine.dirty = true;
    } else {
      if (valuesOf(d, c.field) >= this.limits.maxValuesPerField) {
        this.counters.inc('inventory.values_dropped');
        return;
      }
      mine = { ...c, dirty: true, touched: false };
      d.candidates = appended(d.candidates, mine);
      d.dirty = true;
    }
    this.choose(d, o, mine);
  }

  /** Decides whether `cand` becomes (or stays) the chosen value of its field. */
  private choose(d: DeviceState, o: Observation, cand: CandidateState): void {
    const chosen = chosenOf(d, cand.field);
    if (chosen && chosen.value === cand.value) {
      // The chosen value seen again: a location value waiting to replace it has not persisted.
      if (chosen.challenger !== undefined) this.dropChallenger(d, chosen, cand.field === 'vlan');
      if (chosen.source === cand.source) {
        chosen.lastSeen = cand.lastSeen;
        this.touches?.add(TOUCH_CHOSEN, chosen, cand);
        return;
      }
    }
    // Two values of one source and confidence: the newer wins, a decision a replay at a later time could reverse.
    if (this.touches !== undefined && chosen !== undefined && chosen.value !== cand.value && cand.source === chosen.source && cand.confidence === chosen.confidence) this.touches.replayable = false;
    const replaces =
      !chosen ||
      cand.confidence > chosen.confidence ||
      (cand.source === chosen.source && cand.confidence === chosen.confidence && o.ts >= chosen.lastSeen);
    if (!replaces) return;
    if (chosen && chosen.value !== cand.value && CLASSIFICATION_FIELDS.has(cand.field) && !this.persisted(cand, chosen, o)) {
      // Held until its count and time persist: a later copy of the frame may take it.
      if (this.touches !== undefined) this.touches.replayable = false;
      this.counters.inc('inventory.classification_held');
      return;
    }
    // A refinement (an OUI guess replaced by what the device says of itself) is not a change of
    // the device; a firm value replaced, or a source reporting a new value, is.
    const change = chosen !== undefined && chosen.value !== cand.value && !MULTI_VALUED_EVIDENCE_FIELDS.has(cand.field) && (chosen.source === cand.source || chosen.confidence >= FIRM_CONFIDENCE);
    if (change && LOCATION_FIELDS.has(cand.field) && cand.confidence < chosen.confidence + CLEARLY_STRONGER) {
      this.challenge(d, chosen, cand, o);
      return;
    }
    this.take(d, chosen, cand, change, o.ts, o.frame);
  }

  /** Makes `cand` the chosen value of its field, with a history row when it is a `change`. */
  private take(d: DeviceState, chosen: ChosenValue | undefined, cand: CandidateState, change: boolean, ts: number, frame: number): void {
    this.version.bump(d);
    if (chosen !== undefined && change) {
      this.pendingHistory.push({
        deviceId: d.id, field: cand.field, oldValue: chosen.value, newValue: cand.value,
        ts, frame, source: cand.source, captureId: this.captureId,
      });
    }
    const taken: ChosenValue = { field: cand.field, value: cand.value, source: cand.source, confidence: cand.confidence, since: ts, lastSeen: ts, challenger: undefined, dirty: true };
    if (chosen === undefined) {
      d.chosen = appended(d.chosen, taken);
    } else {
      if (chosen.challenger !== undefined) d.pendingMoves--;
      d.chosen[d.chosen.indexOf(chosen)] = taken;
    }
    d.dirty = true;
  }

  /** A new location value: held until it persists (`hearMoves`), counted meanwhile. */
  private challenge(d: DeviceState, chosen: ChosenValue, cand: CandidateState, o: Observation): void {
    if (cand.field === 'vlan' && d.severalVlans) {
      this.counters.inc('inventory.location_held');
      return;
    }
    const c = chosen.challenger;
    this.version.bump(d);
    if (c !== undefined && c.candidate.value === cand.value) {
      c.candidate = cand;
      return;
    }
    if (c === undefined) d.pendingMoves++;
    chosen.challenger = { candidate: cand, ts: o.ts, frame: o.frame, heard: 0 };
    this.counters.inc('inventory.location_held');
  }

  /** The chosen value was seen again: its challenger is dropped; on the VLAN, the device is on several. */
  private dropChallenger(d: DeviceState, chosen: ChosenValue, vlan: boolean): void {
    this.version.bump(d);
    chosen.challenger = undefined;
    d.pendingMoves--;
    if (vlan && !d.severalVlans) {
      d.severalVlans = true;
      this.counters.inc('inventory.several_vlans');
    }
  }

  /** The device was heard: location values that have persisted long enough become its own. */
  private hearMoves(d: DeviceState, o: Observation): void {
    // Each hearing counts towards a move: a replay would not count it.
    this.version.bump(d);
    // Indexed: `take` replaces the entry it works on in place.
    for (let i = 0; i < d.chosen.length; i++) {
      const chosen = d.chosen[i] as ChosenValue;
      const c = chosen.challenger;
      if (c === undefined) continue;
      c.heard++;
      if (c.heard >= this.limits.classificationPersistCount && o.ts - c.ts >= this.limits.classificationPersistMicros) {
        this.take(d, chosen, c.candidate, true, c.ts, c.frame);
      }
    }
  }

  /** The MAC whose device `mac`'s frames belong to: itself, or the end of its alias chain (a port
   * MAC aliased to a chassis that was itself merged into another keeps pointing at the first
   * chassis; following one hop only brought that merged-away device back). */
  private chassisOf(mac: string): string {
    let at = mac;
    for (let hops = 0; hops < 16; hops++) {
      const next = this.aliases.get(at);
      if (next === undefined) return at;
      at = next;
    }
    return at;
  }

  /**
   * Makes `mac` an alias of `intoMac` (a switch's port MAC, or its management MAC, of a chassis):
   * the device `mac` had is merged into the chassis device (`mergeInto`), and later observations
   * of `mac` go to the chassis. The alias is written at the next flush and kept across restarts.
   */
  alias(mac: string, intoMac: string, at: Observation, source = 'lldp.chassis_id'): void {
    const into = this.chassisOf(intoMac);
    if (mac === into || this.aliases.has(mac)) return;
    if (this.aliases.size >= this.limits.maxAliases) {
      this.counters.inc('inventory.aliases_dropped');
      return;
    }
    const target = this.deviceFor({ ...at, mac: into });
    if (!target) return;
    this.aliases.set(mac, into);
    this.version.bump(this.aliasState);
    this.pendingAliases.push({ mac, into: target.id, source, ts: at.ts });
    this.lastMac = undefined;
    this.lastDevice = undefined;
    const from = this.resident(deviceIdForMac(mac));
    if (from) this.mergeInto(from, target, at);
  }

  /**
   * The one merge of two devices: `from`'s addresses and candidates go through the same paths
   * as new evidence (caps, ranked address choice, field choice, location persistence, history
   * rows), then `from` is gone (its stored rows are re-pointed or dropped at the next flush).
   */
  private mergeInto(from: DeviceState, into: DeviceState, at: Observation): void {
    this.version.bump(from);
    this.version.bump(into);
    this.version.bump(this.aliasState);
    this.devices.delete(from.id);
    this.known--;
    this.mergedDevices.set(from.id, into.id);
    // `from`'s unwritten history is about a device that no longer exists on its own: the merge
    // re-derives what changes for `into` (a port MAC's first address is not a change of the switch).
    for (let i = this.pendingHistory.length - 1; i >= 0; i--) {
      if ((this.pendingHistory[i] as HistoryRow).deviceId === from.id) this.pendingHistory.splice(i, 1);
    }
    into.firstSeen = Math.min(into.firstSeen, from.firstSeen);
    into.lastSeen = Math.max(into.lastSeen, from.lastSeen);
    into.frames += from.frames;
    into.isRouter ||= from.isRouter;
    into.severalVlans ||= from.severalVlans;
    into.dirty = true;
    for (const a of from.addresses) {
      const mine = addressOf(into, a.ip);
      if (mine) {
        mine.firstSeen = Math.min(mine.firstSeen, a.firstSeen);
        mine.lastSeen = Math.max(mine.lastSeen, a.lastSeen);
        mine.dirty = true;
      } else {
        this.addAddress(into, { ...a, dirty: true, touched: false }, at, `${a.source}.merge`);
      }
    }
    for (const c of from.candidates) this.absorbCandidate(into, c, at);
    if (from.facts !== undefined) {
      for (let i = 0; i < from.facts.length; i += 2) {
        const field = from.facts[i] as string;
        if (factOf(into.facts, field) !== undefined) continue;
        into.facts = withFact(into.facts, field, from.facts[i + 1] as string);
        into.factsDirty = true;
        into.dirty = true;
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
  for (const c of d.candidates) if (c.field === field) n++;
  return n;
}

/** The device's candidate for this field, source and value, if it has one. */
export function candidateOf(d: DeviceState, field: DeviceField, source: string, value: string): CandidateState | undefined {
  for (const c of d.candidates) if (c.field === field && c.value === value && c.source === source) return c;
  return undefined;
}

/** The chosen value of a field, if the device has one. */
export function chosenOf(d: DeviceState, field: DeviceField): ChosenValue | undefined {
  for (const c of d.chosen) if (c.field === field) return c;
  return undefined;
}

/** The device's binding of this address, if it has one. */
export function addressOf(d: DeviceState, ip: string): AddressState | undefined {
  for (const a of d.addresses) if (a.ip === ip) return a;
  return undefined;
}

/** The persisted part of a device: what a new device starts with, or the store loads. */
export type DeviceRow = Pick<DeviceState, 'id' | 'mac' | 'ipKey' | 'locallyAttached' | 'isRouter' | 'firstSeen' | 'lastSeen' | 'frames'>;

/** Whether a device is on several VLANs at once: its own tagged frames carried more than one
 * VLAN after its VLAN was chosen (how a loaded device regains `severalVlans`). */
export function onSeveralVlans(d: DeviceState): boolean {
  const since = chosenOf(d, 'vlan')?.since;
  if (since === undefined) return false;
  let n = 0;
  for (const c of d.candidates) if (c.field === 'vlan' && c.source === 'eth.vlan' && c.lastSeen > since) n++;
  return n > 1;
}

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
    severalVlans: false,
    pendingMoves: 0,
    candidates: [],
    chosen: [],
    addresses: [],
    removedAddresses: undefined,
    dirty,
    touched: false,
    memo: undefined,
    facts: undefined,
    factsDirty: false,
    version: 0,
  };
}

/** DeviceFacts over one DeviceState: the identifier reads it, never writes it. */
class FactsView implements DeviceFacts {
  device: DeviceState | undefined;

  fact(field: string): string | undefined {
    return factOf(this.device?.facts, field);
  }

  manufacturers(): readonly string[] {
    const out: string[] = [];
    const d = this.device;
    if (d === undefined) return out;
    for (const c of d.candidates) if (c.field === 'manufacturer' && !out.includes(c.value)) out.push(c.value);
    return out;
  }
}

/** Slots per memo entry: field, value, protocol, MAC, candidates. */
const MEMO_STRIDE = 5;

/** The candidates a memoised fact touched; undefined when the fact is not in the memo. Field and
 * protocol names are the decoders' constants, so most misses are one pointer comparison. */
function memoised(memo: readonly (string | undefined | readonly CandidateState[])[], o: Observation): readonly CandidateState[] | undefined {
  for (let i = 0; i < memo.length; i += MEMO_STRIDE) {
    if (memo[i] === o.field && memo[i + 1] === o.value && memo[i + 2] === o.protocol && memo[i + 3] === o.mac) return memo[i + 4] as readonly CandidateState[];
  }
  return undefined;
}

/** Forgets the device's memoised merges. */
function clearMemo(d: DeviceState): void {
  d.memo = undefined;
}
