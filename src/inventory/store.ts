/**
 * \summary The SQLite inventory (better-sqlite3): open with WAL and explicit synchronous mode,
 * migrate by `user_version`, back the in-memory model (devices read on demand), flush its dirty
 * state in one transaction.
 *
 * WAL + synchronous=NORMAL: a killed process never loses a committed transaction or leaves the
 * file inconsistent (only an OS crash or power loss may drop the last commits). Every write goes
 * through a transaction, so readers never see half a flush.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

// Required, not imported: an ESM import of a CommonJS package costs a parse of its source for its
// export names at start-up (issue 14, lean start). Required when the first database is opened,
// not when this module is evaluated: the start-up snapshot (src/start-snapshot.ts) evaluates it
// at build time, when no native addon can be loaded. The snapshot holds the package's JavaScript
// (src/bundle-build.ts), so its native addon is handed to it (`nativeBinding`), found where npm
// builds it: the package's own finder (`bindings`) searches from the calling file, which in the
// snapshot is the snapshot's script, and costs about 10 ms of stat calls at every start.
let sqlite: { Database: typeof BetterSqlite3; addon: object | undefined } | undefined;
const database = (): { Database: typeof BetterSqlite3; addon: object | undefined } => {
  if (sqlite !== undefined) return sqlite;
  // This exact form is what the snapshot's build rewrites to a bundled require (src/bundle-build.ts
  // `requireCallsBundled`); `load` finds and loads the addon from node_modules at run time.
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const load = createRequire(import.meta.url);
  let addon: object | undefined;
  try {
    const packageDir = dirname(load.resolve('better-sqlite3/package.json'));
    const built = ADDON_BUILDS.map((b) => join(packageDir, b)).find((f) => existsSync(f));
    if (built !== undefined) addon = load(built) as object;
  } catch { /* let the package find its addon */ }
  return (sqlite = { Database, addon });
};

/** Where better-sqlite3's install (prebuild-install or node-gyp) puts its addon, relative to the package. */
const ADDON_BUILDS = ['build/Release/better_sqlite3.node', 'build/Debug/better_sqlite3.node'];
import { AuscultError } from '../errors.js';
import type { Counters } from '../counters.js';
import type { DeviceField } from '../identify/field-candidate.js';
import { newDeviceState, onSeveralVlans, type AddressState, type CandidateState, type ChosenValue, type DeviceModel, type DeviceState } from '../device/device-model.js';
import { MIGRATIONS } from './migrations.js';
import { clearTouched, deviceFromSnapshot, hasTouchedRows, snapshotOf } from '../device/device-snapshot.js';
import { StoredIds } from './stored-ids.js';

export type Db = BetterSqlite3.Database;

/** Moves device `?` to the newest seq of the change log (`device_change`): run with every write of
 * a device's row. A device's chosen values are written only with its row, so one move covers them. */
export const RECORD_DEVICE_CHANGE_SQL = `INSERT INTO device_change (device_id, seq, deleted) VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM device_change), 0)
  ON CONFLICT(device_id) DO UPDATE SET seq = excluded.seq, deleted = 0`;

/**
 * SQLite page cache per connection, in KiB. better-sqlite3 builds SQLite with a 16 MB default
 * (SQLITE_DEFAULT_CACHE_SIZE=-16000), so a sensor whose database outgrows that holds 16 MB of
 * pages it rarely reads: writes are batched into one transaction per flush, and reads come from
 * other processes (the CLI). 2 MiB keeps the B-tree interior pages of the hot indexes cached;
 * other pages come from the OS page cache when a flush needs them.
 */
export const PAGE_CACHE_KIB = 2048;

/**
 * Page cache per device known, in bytes, once devices are evicted (`fitPageCaches`): the main
 * database's and the evicted devices' snapshots' (TEMP). Evicting means the inventory outgrew
 * memory, and every eviction and read-back then lands at a random place of B-trees that grow with
 * the devices, so the caches grow with them, up to `PAGE_CACHE_MAX_KIB`. A sensor that evicts
 * nothing, or few devices (the bench's 13,827-device capture: 864 KiB), keeps `PAGE_CACHE_KIB`.
 * 250,000 devices with scattered MACs heard four times (15 and 7 MiB): 0.91x the wall time and
 * the CPU (two runs each), for about 20 MB more peak RSS (173-177 MB; bench/README.md,
 * seventeenth session).
 */
export const PAGE_CACHE_BYTES_PER_DEVICE = { main: 64, temp: 32 } as const;
export const PAGE_CACHE_MAX_KIB = { main: 16_384, temp: 8192 } as const;

export interface StoreOptions {
  readonly?: boolean;
}

/** Opens (creating and migrating when writable) the inventory database at `path`. */
export function openDatabase(path: string, options: StoreOptions = {}): Db {
  let db: Db;
  try {
    const { Database, addon } = database();
    // @types/better-sqlite3 declares `nativeBinding` a path; the package also takes the loaded addon.
    db = new Database(path, { readonly: options.readonly === true, fileMustExist: options.readonly === true, ...(addon === undefined ? {} : { nativeBinding: addon as unknown as string }) });
  } catch (err) {
    throw new AuscultError('AUS_ERR_DB', `cannot open database: ${(err as Error).message}`, { file: path });
  }
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  db.pragma('foreign_keys = ON');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db, path);
  }
  return db;
}

function migrate(db: Db, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new AuscultError('AUS_ERR_DB', `database schema version ${version} is newer than this auscult (${MIGRATIONS.length})`, { file: path });
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/** Whether a flush writes the device: `full` includes what was only seen again. */
function needsWrite(d: DeviceState, full: boolean): boolean {
  return d.dirty || (full && d.touched);
}

/**
 * Devices in the order a flush writes them: by id, the key that every device table's rows lead
 * with. On a real network devices are heard in an order unrelated to their MACs, and a flush of a
 * few thousand new or evicted devices in that order went from B-tree page to page at random,
 * through a page cache far smaller than the tables (50,000 devices with scattered MACs, heard four
 * times each: 0.85x the CPU in id order, half the system time; bench/README.md, sixteenth session).
 */
function byId(a: DeviceState, b: DeviceState): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Writes the model's dirty state and loads persisted state into it. */
export class InventoryStore {
  private readonly counterBase = new Map<string, number>();
  private readonly stmt;
  /** The ids of the devices in the `device` table (and so of every snapshot), as a filter: a new
   * device is created without a query for it (src/inventory/stored-ids.ts). */
  private readonly storedIds: StoredIds;
  /** The page caches' sizes in KiB (as `openDatabase` and the constructor set them, then `fitPageCaches`). */
  readonly cacheKib = { main: PAGE_CACHE_KIB, temp: PAGE_CACHE_KIB };

  constructor(readonly db: Db, storedIds: StoredIds = new StoredIds()) {
    // The cold tier: one row per evicted device (src/device/device-snapshot.ts), private to this
    // connection (a TEMP table: never in the database file, gone with the process, so never stale
    // after a restart or another writer), read back in one query instead of five.
    // Its pages spill to a temporary file (better-sqlite3 builds SQLite with TEMP_STORE=1); its
    // page cache is as small as the main one's, not SQLite's 16 MB default.
    db.pragma(`temp.cache_size = -${PAGE_CACHE_KIB}`);
    // `touched` = 1: the snapshot holds rows only seen again (last-seen times, counts) that the next
    // full flush writes (`writeColdTouched`), as it writes a resident device's; found by a partial
    // index, not a set in memory (250,000 ids would take about 20 MB of heap).
    // A rowid table with the id in an index, not a WITHOUT ROWID table keyed by it: snapshots are
    // hundreds of bytes, and a WITHOUT ROWID B-tree of rows that long has few rows per page. With
    // devices heard in an order unrelated to their MACs (as on a real network), reading back and
    // evicting 50,000 devices four times cost 0.78-0.87x the CPU (bench/README.md, sixteenth
    // session). An upsert, not INSERT OR REPLACE: the row is rewritten in place, its index entry
    // kept (a rewrite 20 µs against 33 with ids in random order).
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS device_snapshot (id TEXT NOT NULL UNIQUE, state TEXT NOT NULL, touched INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS temp.device_snapshot_touched ON device_snapshot (id) WHERE touched = 1;`);
    this.stmt = {
      upsertDevice: db.prepare(`INSERT INTO device (id, mac, ip_key, locally_attached, is_router, first_seen_us, last_seen_us, frames)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET locally_attached=excluded.locally_attached, is_router=excluded.is_router,
          first_seen_us=excluded.first_seen_us, last_seen_us=excluded.last_seen_us, frames=excluded.frames`),
      // The device's change in the change log (central shipping reads it by seq): the newest seq.
      recordChange: db.prepare(RECORD_DEVICE_CHANGE_SQL),
      upsertAddress: db.prepare(`INSERT INTO device_address (device_id, ip, source, first_seen_us, last_seen_us, first_frame, capture_id)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(device_id, ip) DO UPDATE SET source=excluded.source, last_seen_us=excluded.last_seen_us`),
      deleteAddress: db.prepare('DELETE FROM device_address WHERE device_id = ? AND ip = ?'),
      upsertEvidence: db.prepare(`INSERT INTO field_evidence (device_id, field, source, value, rule, confidence, first_seen_us, last_seen_us, first_frame, last_frame, capture_id, count)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(device_id, field, source, value) DO UPDATE SET last_seen_us=excluded.last_seen_us,
          last_frame=excluded.last_frame, count=excluded.count, confidence=excluded.confidence, rule=excluded.rule`),
      upsertChosen: db.prepare(`INSERT INTO device_field (device_id, field, value, source, confidence, since_us)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT(device_id, field) DO UPDATE SET value=excluded.value, source=excluded.source,
          confidence=excluded.confidence, since_us=excluded.since_us`),
      insertHistory: db.prepare(`INSERT INTO history (device_id, field, old_value, new_value, ts_us, frame, source, capture_id)
        VALUES (@deviceId, @field, @oldValue, @newValue, @ts, @frame, @source, @captureId)`),
      repointHistory: db.prepare('UPDATE history SET device_id = ? WHERE device_id = ?'),
      repointAliases: db.prepare('UPDATE device_alias SET device_id = ? WHERE device_id = ?'),
      insertAlias: db.prepare(`INSERT INTO device_alias (mac, device_id, source, since_us) VALUES (@mac, @into, @source, @ts)
        ON CONFLICT(mac) DO UPDATE SET device_id=excluded.device_id`),
      selectAliases: db.prepare('SELECT mac, device_id FROM device_alias'),
      deleteDevice: db.prepare('DELETE FROM device WHERE id = ?'),
      countDevices: db.prepare('SELECT count(*) AS n FROM device'),
      selectDevice: db.prepare('SELECT * FROM device WHERE id = ?'),
      selectEvidence: db.prepare('SELECT * FROM field_evidence WHERE device_id = ? ORDER BY first_seen_us, field, source, value'),
      selectChosen: db.prepare('SELECT * FROM device_field WHERE device_id = ? ORDER BY field'),
      selectFacts: db.prepare('SELECT field, value FROM device_fact WHERE device_id = ? ORDER BY field'),
      deleteFacts: db.prepare('DELETE FROM device_fact WHERE device_id = ?'),
      insertFact: db.prepare('INSERT INTO device_fact (device_id, field, value) VALUES (?, ?, ?)'),
      // Key order (the table is WITHOUT ROWID): the order stored addresses have always loaded in.
      selectAddresses: db.prepare('SELECT * FROM device_address WHERE device_id = ? ORDER BY ip'),
      selectSnapshot: db.prepare('SELECT state, touched FROM temp.device_snapshot WHERE id = ?'),
      upsertSnapshot: db.prepare(`INSERT INTO temp.device_snapshot (id, state, touched) VALUES (?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET state = excluded.state, touched = excluded.touched`),
      selectTouchedSnapshots: db.prepare('SELECT id, state FROM temp.device_snapshot WHERE touched = 1 LIMIT 1024'),
      untouchSnapshot: db.prepare('UPDATE temp.device_snapshot SET touched = 0 WHERE id = ?'),
      countTouchedSnapshots: db.prepare('SELECT count(*) FROM temp.device_snapshot WHERE touched = 1').pluck(),
      deleteSnapshot: db.prepare('DELETE FROM temp.device_snapshot WHERE id = ?'),
      upsertCounter: db.prepare(`INSERT INTO counter (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value=excluded.value`),
    };
    for (const row of db.prepare('SELECT name, value FROM counter').all() as { name: string; value: number }[]) {
      this.counterBase.set(row.name, row.value);
    }
    this.storedIds = storedIds;
    for (const id of db.prepare('SELECT id FROM device').pluck().iterate() as IterableIterator<string>) storedIds.add(id);
  }

  /** Registers a capture source; evidence rows point at it. */
  addCapture(path: string, kind: 'file' | 'live'): number {
    const info = this.db.prepare('INSERT INTO capture (path, kind) VALUES (?, ?)').run(path, kind);
    return Number(info.lastInsertRowid);
  }

  finishCapture(id: number, frames: number, firstTs: number | null, lastTs: number | null): void {
    this.db.prepare('UPDATE capture SET frames = ?, first_ts_us = ?, last_ts_us = ? WHERE id = ?').run(frames, firstTs, lastTs, id);
  }

  /**
   * Puts this store behind the model so merging continues where it stopped: a stored device is
   * read back the first time it is heard (`loadDevice`), not all at start-up, so a database with
   * more devices than the model keeps in memory loads only the ones on the wire.
   */
  load(model: DeviceModel): void {
    model.attach(this);
  }

  /** Every stored alias (MAC → device id): a restart keeps merged MACs merged. */
  loadAliases(): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of this.stmt.selectAliases.all() as { mac: string; device_id: string }[]) out.set(r.mac, r.device_id);
    return out;
  }

  /** False when no device `id` is stored: it was neither in the database when this store opened
   * nor written since. */
  mayHold(id: string): boolean {
    return this.storedIds.mayHave(id);
  }

  deviceCount(): number {
    return (this.stmt.countDevices.get() as { n: number }).n;
  }

  /** The stored device `id` with its evidence, chosen values and addresses; clean (nothing to write).
   * From its snapshot when it was evicted by this store, else from its rows. */
  loadDevice(id: string): DeviceState | undefined {
    const snapshot = this.stmt.selectSnapshot.get(id) as { state: string; touched: number } | undefined;
    if (snapshot !== undefined) {
      const d = deviceFromSnapshot(id, snapshot.state, snapshot.touched === 1);
      if (d !== undefined) return d;
    }
    return this.loadDeviceRows(id);
  }

  /** The stored device `id` read from its rows (five queries). */
  loadDeviceRows(id: string): DeviceState | undefined {
    const row = this.stmt.selectDevice.get(id) as Record<string, unknown> | undefined;
    if (row === undefined) return undefined;
    const d = newDeviceState({
      id: row['id'] as string,
      mac: (row['mac'] as string | null) ?? null,
      ipKey: (row['ip_key'] as string | null) ?? null,
      locallyAttached: row['locally_attached'] === 1,
      isRouter: row['is_router'] === 1,
      firstSeen: row['first_seen_us'] as number,
      lastSeen: row['last_seen_us'] as number,
      frames: row['frames'] as number,
    }, false);
    // Built by map: lists of exactly their length (src/device/tight-list.ts).
    d.candidates = (this.stmt.selectEvidence.all(id) as Record<string, unknown>[]).map((r): CandidateState => ({
      field: r['field'] as DeviceField, source: r['source'] as string, value: r['value'] as string, rule: (r['rule'] as string | null) ?? null,
      confidence: r['confidence'] as number, firstSeen: r['first_seen_us'] as number, lastSeen: r['last_seen_us'] as number,
      firstFrame: r['first_frame'] as number, lastFrame: r['last_frame'] as number,
      captureId: (r['capture_id'] as number | null) ?? null, count: r['count'] as number, dirty: false, touched: false,
    }));
    d.chosen = (this.stmt.selectChosen.all(id) as Record<string, unknown>[]).map((r): ChosenValue => ({
      field: r['field'] as DeviceField, value: r['value'] as string, source: r['source'] as string, confidence: r['confidence'] as number,
      since: r['since_us'] as number, lastSeen: r['since_us'] as number, challenger: undefined, dirty: false,
    }));
    d.addresses = (this.stmt.selectAddresses.all(id) as Record<string, unknown>[]).map((r): AddressState => ({
      ip: r['ip'] as string, source: r['source'] as string, firstSeen: r['first_seen_us'] as number,
      lastSeen: r['last_seen_us'] as number, firstFrame: r['first_frame'] as number,
      captureId: (r['capture_id'] as number | null) ?? null, dirty: false, touched: false,
    }));
    // One row per field (the table's key), so the flat field/value list is the rows in order.
    const facts = (this.stmt.selectFacts.all(id) as { field: string; value: string }[]).flatMap((r) => [r.field, r.value]);
    if (facts.length > 0) d.facts = facts;
    d.severalVlans = onSeveralVlans(d);
    return d;
  }

  /**
   * Writes what the model changed since the last flush, in one transaction. A partial flush
   * writes new and changed values, devices, addresses and history; a full one (`full`, the
   * default) also the last-seen times, frame counts and evidence counts of what was only seen
   * again (on a busy sensor that is every device, so partial flushes skip it).
   */
  flush(model: DeviceModel, counters: Counters, full = true): void {
    const s = this.stmt;
    this.db.transaction(() => {
      const writing: DeviceState[] = [];
      for (const d of model.devices.values()) if (needsWrite(d, full)) writing.push(d);
      for (const d of writing.sort(byId)) this.writeDevice(d, full);
      const merged = model.mergedDevices;
      const finalId = (id: string): string => {
        for (let hops = 0; hops < 16; hops++) {
          const next = merged.get(id);
          if (next === undefined) return id;
          id = next;
        }
        return id;
      };
      // Aliases first: their device (the chassis) was written above.
      for (const a of model.pendingAliases) s.insertAlias.run({ ...a, into: finalId(a.into) });
      model.pendingAliases.length = 0;
      for (const from of merged.keys()) {
        s.repointHistory.run(finalId(from), from);
        s.repointAliases.run(finalId(from), from);
        s.deleteDevice.run(from); // evidence, fields, addresses cascade
        s.deleteSnapshot.run(from);
      }
      for (const h of model.pendingHistory) s.insertHistory.run(merged.size > 0 ? { ...h, deviceId: finalId(h.deviceId) } : h);
      merged.clear();
      model.pendingHistory.length = 0;
      this.writeCounters(counters);
    })();
  }

  private writeCounters(counters: Counters): void {
    for (const [name, value] of counters.entries()) this.stmt.upsertCounter.run(name, (this.counterBase.get(name) ?? 0) + value);
  }

  /** Grows the page caches for `devices` known (`PAGE_CACHE_BYTES_PER_DEVICE`), a mebibyte at a
   * time; never shrinks them. The owner calls it when it evicts. */
  fitPageCaches(devices: number): void {
    const kib = (perDevice: number, max: number): number =>
      Math.min(max, Math.max(PAGE_CACHE_KIB, Math.floor((devices * perDevice) / (1 << 20)) * 1024));
    const main = kib(PAGE_CACHE_BYTES_PER_DEVICE.main, PAGE_CACHE_MAX_KIB.main);
    const temp = kib(PAGE_CACHE_BYTES_PER_DEVICE.temp, PAGE_CACHE_MAX_KIB.temp);
    if (main > this.cacheKib.main) this.db.pragma(`main.cache_size = -${(this.cacheKib.main = main)}`);
    if (temp > this.cacheKib.temp) this.db.pragma(`temp.cache_size = -${(this.cacheKib.temp = temp)}`);
  }

  /** Writes what these devices changed and their snapshots, in one transaction, so that the
   * model can evict them. What was only seen again (last-seen times, counts) stays in the
   * snapshot until the next full flush (`writeColdTouched`): a device heard a few times a minute
   * costs one write of those rows a minute, not one per eviction. Run after `flush`, which wrote
   * merges and history. */
  flushDevices(devices: readonly DeviceState[]): void {
    const s = this.stmt;
    this.db.transaction(() => {
      for (const d of [...devices].sort(byId)) {
        this.writeDevice(d, false);
        const touched = hasTouchedRows(d);
        s.upsertSnapshot.run(d.id, snapshotOf(d), touched ? 1 : 0);
        if (touched) clearTouched(d);
      }
    })();
  }

  /** Snapshots whose last-seen times and counts wait for the next full flush. */
  coldTouchedDevices(): number {
    return this.stmt.countTouchedSnapshots.get() as number;
  }

  /** Writes what evicted devices were only seen again for (from their snapshots), in one
   * transaction with the counters (`inventory.cold_devices_written`); the full flush's share for
   * devices not in memory. A device read back since (`resident`) is skipped: it took its flags
   * back, and the flush of the resident devices wrote it. Returns how many were written. */
  writeColdTouched(counters: Counters, resident: (id: string) => boolean): number {
    const s = this.stmt;
    let n = 0;
    this.db.transaction(() => {
      for (;;) {
        const batch = s.selectTouchedSnapshots.all() as { id: string; state: string }[];
        if (batch.length === 0) break;
        for (const { id, state } of batch) {
          const d = resident(id) ? undefined : deviceFromSnapshot(id, state);
          if (d === undefined) {
            s.untouchSnapshot.run(id);
            continue;
          }
          this.writeDevice(d, true);
          // Its rows now hold what the snapshot holds: only the touched flags in it are stale, and
          // a snapshot row not `touched` is read without them (`deviceFromSnapshot`).
          s.untouchSnapshot.run(id);
          n++;
        }
      }
      if (n > 0) {
        counters.inc('inventory.cold_devices_written', n);
        this.writeCounters(counters);
      }
    })();
    return n;
  }

  /** Writes one device's unwritten state; `full` includes what was only seen again. */
  private writeDevice(d: DeviceState, full: boolean): void {
    const s = this.stmt;
    if (!needsWrite(d, full)) return;
    s.upsertDevice.run(d.id, d.mac, d.ipKey, d.locallyAttached ? 1 : 0, d.isRouter ? 1 : 0, d.firstSeen, d.lastSeen, d.frames);
    this.storedIds.add(d.id);
    s.recordChange.run(d.id);
    // A partial flush leaves rows that were only seen again; the device stays touched until a
    // full flush writes them (so the full flush, or an eviction, does not skip the device).
    let leftTouched = false;
    for (const a of d.addresses) {
      if (!a.dirty && !(full && a.touched)) {
        leftTouched ||= a.touched;
        continue;
      }
      s.upsertAddress.run(d.id, a.ip, a.source, a.firstSeen, a.lastSeen, a.firstFrame, a.captureId);
      a.dirty = false;
      a.touched = false;
    }
    if (d.removedAddresses !== undefined) {
      for (const ip of d.removedAddresses) s.deleteAddress.run(d.id, ip);
      d.removedAddresses = undefined;
    }
    for (const c of d.candidates) {
      if (!c.dirty && !(full && c.touched)) {
        leftTouched ||= c.touched;
        continue;
      }
      s.upsertEvidence.run(d.id, c.field, c.source, c.value, c.rule, c.confidence, c.firstSeen, c.lastSeen, c.firstFrame, c.lastFrame, c.captureId, c.count);
      c.dirty = false;
      c.touched = false;
    }
    for (const v of d.chosen) {
      if (!v.dirty) continue;
      s.upsertChosen.run(d.id, v.field, v.value, v.source, v.confidence, v.since);
      v.dirty = false;
    }
    if (d.factsDirty) {
      s.deleteFacts.run(d.id);
      const facts = d.facts ?? [];
      for (let i = 0; i < facts.length; i += 2) s.insertFact.run(d.id, facts[i] as string, facts[i + 1] as string);
      d.factsDirty = false;
    }
    d.dirty = false;
    d.touched = leftTouched;
  }
}
