/**
 * \summary Pairs system-of-record records with discovered devices.
 *
 * Precedence (README "Matching"): a record is matched by the first of these keys that finds any
 * device, and takes every device that key finds (a record with two MACs, or one serial reported
 * by several interfaces of one device, matches them all):
 *
 * 1. **serial** (`normaliseSerial`: case, spaces and dashes ignored), against the serial the
 *    device reported (any value in its evidence);
 * 2. **MAC** (any spelling; the record may list several);
 * 3. **asset tag**, against an asset id the device reported (LLDP-MED asset id), case-insensitive;
 * 4. **hostname** (`normaliseHostname`: case and domain ignored);
 * 5. **IP**, against every address bound to the device.
 *
 * Serial, MAC and asset tag are identifiers; hostname and IP are hints (DHCP reassigns addresses,
 * host names get reused), so only the first three raise conflicts:
 * - a record whose identifiers name *different* devices (serial → A, MAC → B) is an
 *   `identity_conflict`; the record keeps the devices of its highest-precedence key;
 * - one device claimed by several records is an `identity_conflict` (unless those records are
 *   duplicates of each other, sharing a MAC or serial: that is `duplicate_record`'s job); the
 *   claim by the higher-precedence key wins, then the earlier line. So a device matches at most
 *   one record. A record left without devices is "contested": neither matched nor never seen.
 *
 * Pure: no I/O.
 */
import type { DeviceView } from '../inventory/device-view.js';
import { normaliseHostname, normaliseSerial } from './normalise.js';
import type { SorRecord } from './sor-record.js';

export const MATCH_KEYS = ['serial', 'mac', 'asset_id', 'hostname', 'ip'] as const;
export type MatchKey = (typeof MATCH_KEYS)[number];

/** The keys whose disagreement is a conflict (hostname and IP are hints). */
const IDENTIFIER_KEYS: ReadonlySet<MatchKey> = new Set(['serial', 'mac', 'asset_id']);

export interface RecordMatch {
  record: SorRecord;
  /** The matched devices, sorted by id; empty when unmatched or contested. */
  devices: DeviceView[];
  /** The key that matched, or null. */
  key: MatchKey | null;
  /** True when every device this record matched was won by another record. */
  contested: boolean;
}

export interface IdentityConflict {
  /** `record`: one record's identifiers name different devices; `device`: several records claim one device. */
  kind: 'record' | 'device';
  /** The records involved, in file order. */
  records: SorRecord[];
  /** The devices involved, sorted by id. */
  devices: DeviceView[];
  /** For `record`: per device, the key(s) that found it. For `device`: per record, the key that claimed. */
  detail: string;
}

export interface MatchResult {
  /** One entry per record, in file order. */
  records: RecordMatch[];
  /** Devices no record matched, sorted by id. */
  unmatchedDevices: DeviceView[];
  conflicts: IdentityConflict[];
}

/** Normalised asset tag: trimmed, upper case. */
export function normaliseAssetId(text: string): string | undefined {
  const t = text.trim().toUpperCase();
  return t === '' ? undefined : t;
}

/** Every value a device is known by, per key (values from its evidence too, not just the chosen one). */
export function deviceKeys(d: DeviceView): Record<MatchKey, Set<string>> {
  const collect = (values: (string | null | undefined)[], norm: (s: string) => string | undefined): Set<string> => {
    const out = new Set<string>();
    for (const v of values) {
      if (v === null || v === undefined) continue;
      const n = norm(v);
      if (n !== undefined) out.add(n);
    }
    return out;
  };
  const ev = (field: string): string[] => (d.evidence[field] ?? []).map((e) => e.value);
  return {
    serial: collect([d.serial, ...ev('serial')], normaliseSerial),
    mac: collect([d.mac], (s) => s.toLowerCase()),
    asset_id: collect([d.asset_id, ...ev('asset_id'), ...ev('asset_tag')], normaliseAssetId),
    hostname: collect([d.hostname, ...ev('hostname')], normaliseHostname),
    ip: collect(d.ips, (s) => s),
  };
}

/** The values a record is known by, per key. */
export function recordKeys(r: SorRecord): Record<MatchKey, string[]> {
  const one = (v: string | undefined, norm: (s: string) => string | undefined): string[] => {
    const n = v === undefined ? undefined : norm(v);
    return n === undefined ? [] : [n];
  };
  return {
    serial: one(r.serial, normaliseSerial),
    mac: r.macs,
    asset_id: one(r.assetId, normaliseAssetId),
    hostname: one(r.hostname, normaliseHostname),
    ip: r.ips,
  };
}

/** True when two records share a MAC or a serial (they are duplicates of each other). */
export function recordsOverlap(a: SorRecord, b: SorRecord): boolean {
  const ka = recordKeys(a);
  const kb = recordKeys(b);
  return ka.mac.some((m) => kb.mac.includes(m)) || ka.serial.some((s) => kb.serial.includes(s));
}

/** The `devices` of every record that matched nothing: one frozen array (callers only read it). */
const NO_DEVICES = Object.freeze([]) as unknown as DeviceView[];

const byId = (a: DeviceView, b: DeviceView): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Matches records to devices (see the module header for the rules). */
export function matchRecords(records: readonly SorRecord[], devices: readonly DeviceView[]): MatchResult {
  const index = new Map<MatchKey, Map<string, DeviceView[]>>(MATCH_KEYS.map((k) => [k, new Map()]));
  for (const d of [...devices].sort(byId)) {
    const keys = deviceKeys(d);
    for (const k of MATCH_KEYS) {
      const map = index.get(k);
      if (map === undefined) continue;
      for (const v of keys[k]) {
        const list = map.get(v);
        if (list) list.push(d);
        else map.set(v, [d]);
      }
    }
  }

  const conflicts: IdentityConflict[] = [];
  const sorted = [...records].sort((a, b) => a.line - b.line);
  // Most records of a large export match nothing the sensor heard: such a record costs one small
  // entry and no maps (issue 22, memory of 200k records).
  const tentative = sorted.map((record): RecordMatch => {
    const rk = recordKeys(record);
    let found: Map<MatchKey, Map<string, DeviceView>> | undefined;
    for (const k of MATCH_KEYS) {
      let hits: Map<string, DeviceView> | undefined;
      for (const v of rk[k]) {
        for (const d of index.get(k)?.get(v) ?? []) {
          hits ??= new Map<string, DeviceView>();
          hits.set(d.id, d);
        }
      }
      if (hits !== undefined) (found ??= new Map()).set(k, hits);
    }
    if (found === undefined) return { record, devices: NO_DEVICES, key: null, contested: false };
    const key = MATCH_KEYS.find((k) => found.has(k)) ?? null;
    const primary = key === null ? new Map<string, DeviceView>() : (found.get(key) ?? new Map<string, DeviceView>());
    // Identifiers of lower precedence that name devices outside the primary set.
    const strays = new Map<string, { device: DeviceView; keys: MatchKey[] }>();
    for (const [k, hits] of found) {
      if (k === key || !IDENTIFIER_KEYS.has(k)) continue;
      for (const d of hits.values()) {
        if (primary.has(d.id)) continue;
        const s = strays.get(d.id) ?? { device: d, keys: [] };
        s.keys.push(k);
        strays.set(d.id, s);
      }
    }
    if (key !== null && strays.size > 0) {
      const describe = (ds: DeviceView[], keys: string): string => ds.map((d) => `${d.id} (${keys})`).join(', ');
      const primaryDevices = [...primary.values()].sort(byId);
      const strayDevices = [...strays.values()].map((s) => s.device).sort(byId);
      conflicts.push({
        kind: 'record',
        records: [record],
        devices: [...primaryDevices, ...strayDevices].sort(byId),
        detail: `${describe(primaryDevices, key)} vs ${[...strays.values()].map((s) => `${s.device.id} (${s.keys.join(', ')})`).join(', ')}`,
      });
    }
    return { record, devices: [...primary.values()].sort(byId), key, contested: false };
  });

  // One device, at most one record: the better key wins, then the earlier line.
  const claims = new Map<string, { idx: number; key: MatchKey }[]>();
  tentative.forEach((t, idx) => {
    if (t.key === null) return;
    for (const d of t.devices) {
      const list = claims.get(d.id) ?? [];
      list.push({ idx, key: t.key });
      claims.set(d.id, list);
    }
  });
  const lost = new Map<number, Set<string>>();
  const allDevices = new Map(devices.map((d) => [d.id, d]));
  for (const [deviceId, list] of [...claims].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (list.length < 2) continue;
    const ranked = [...list].sort((a, b) => MATCH_KEYS.indexOf(a.key) - MATCH_KEYS.indexOf(b.key) || a.idx - b.idx);
    for (const loser of ranked.slice(1)) {
      const set = lost.get(loser.idx) ?? new Set<string>();
      set.add(deviceId);
      lost.set(loser.idx, set);
    }
    const claimants = ranked.map((c) => tentative[c.idx]?.record).filter((r): r is SorRecord => r !== undefined);
    const allDuplicates = claimants.every((a, i) => claimants.every((b, j) => i === j || recordsOverlap(a, b)));
    const device = allDevices.get(deviceId);
    if (!allDuplicates && device !== undefined) {
      conflicts.push({
        kind: 'device',
        records: [...claimants].sort((a, b) => a.line - b.line),
        devices: [device],
        detail: ranked.map((c) => `line ${tentative[c.idx]?.record.line ?? '?'} (${c.key})`).join(', '),
      });
    }
  }

  const matched = new Set<string>();
  const result: RecordMatch[] = tentative.map((t, idx) => {
    if (t.key === null) return t; // matched nothing: the entry is final as it is
    const gone = lost.get(idx);
    const kept = gone === undefined ? t.devices : t.devices.filter((d) => !gone.has(d.id));
    for (const d of kept) matched.add(d.id);
    const contested = t.devices.length > 0 && kept.length === 0;
    return { record: t.record, devices: kept, key: kept.length > 0 ? t.key : null, contested };
  });
  return {
    records: result,
    unmatchedDevices: [...devices].filter((d) => !matched.has(d.id)).sort(byId),
    conflicts,
  };
}
