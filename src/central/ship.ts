/**
 * \summary Shipping a sensor's events and device state to the central PostgreSQL.
 *
 * Exactly once: every event carries (sensor id, stream, seq) and the central side inserts with
 * ON CONFLICT DO NOTHING; device sightings are replaced only by a newer change seq. The local
 * cursor (src/inventory/ship-source.ts) moves only after the central COMMIT, so a crash of
 * either side between the two re-sends a batch, which changes nothing. One batch is one
 * transaction of three multi-row statements (`unnest` of arrays: one round trip per table,
 * whatever the batch size).
 *
 * `Shipper` is the continuous form used by `auscult run`: one batch in flight at a time (the
 * queue is the local database, bounded by it, not memory), exponential backoff while the
 * central database is down, a health problem and counters, and it never awaits inside capture.
 */
import type pg from 'pg';
import type { Counters } from '../counters.js';
import type { Logger } from '../log.js';
import type { DeviceView } from '../inventory/device-view.js';
import type { Db } from '../inventory/store.js';
import { readShipBatch, readShipCursor, sensorId, shipBacklog, writeShipCursor, type ShipBatch } from '../inventory/ship-source.js';
import { centralFailure, connectCentral, type CentralTarget } from './connect.js';
import { redactUrl } from './url.js';
import { requireCentralSchema } from './schema.js';

/** Rows per stream per batch: the bound on what one ship holds in memory. */
export const SHIP_BATCH = 5000;

/** The central identity of a sensor's device (see schema.ts). */
export function deviceKey(site: string, localId: string): string {
  return localId.startsWith('mac-') ? localId : `${site}/${localId}`;
}

/** Writes one batch in one transaction. */
export async function shipBatch(client: pg.Client, sensor: string, site: string, batch: ShipBatch): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`INSERT INTO sensor (sensor_id, site) VALUES ($1, $2)
      ON CONFLICT (sensor_id) DO UPDATE SET site = excluded.site, last_shipped_at = now()`, [sensor, site]);
    if (batch.events.length > 0) {
      // Bodies go as one JSON array built by joining the stored lines (no escaping into a text[]
      // literal), zipped with the stream and seq arrays; ts is read from each body centrally.
      await client.query(`INSERT INTO event (sensor_id, stream, seq, site, ts, body)
        SELECT $1, u.stream, u.seq, $2, (u.body->>'ts')::timestamptz, u.body
        FROM ROWS FROM (unnest($3::text[]), unnest($4::bigint[]), jsonb_array_elements($5::jsonb)) AS u(stream, seq, body)
        ON CONFLICT (sensor_id, stream, seq) DO NOTHING`,
      [sensor, site, batch.events.map((e) => e.stream), batch.events.map((e) => e.seq), `[${batch.events.map((e) => e.body).join(',')}]`]);
    }
    const live = batch.devices.filter((d): d is { seq: number; id: string; view: DeviceView } => d.view !== undefined);
    if (live.length > 0) {
      const col = <T>(f: (v: DeviceView) => T): T[] => live.map((d) => f(d.view));
      await client.query(`INSERT INTO device_sighting (sensor_id, local_id, change_seq, device_key, site, mac, first_seen, last_seen, ips, vlan, switch, port, location, view)
        SELECT $1, u.local_id, u.change_seq, u.device_key, $2, u.mac, u.first_seen::timestamptz, u.last_seen::timestamptz,
          ARRAY(SELECT jsonb_array_elements_text(u.ips::jsonb)), u.vlan, u.switch, u.port, u.location, u.view::jsonb
        FROM unnest($3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::text[], $12::text[], $13::text[], $14::text[])
          AS u(local_id, change_seq, device_key, mac, first_seen, last_seen, ips, vlan, switch, port, location, view)
        ON CONFLICT (sensor_id, local_id) DO UPDATE SET change_seq = excluded.change_seq, device_key = excluded.device_key, site = excluded.site,
          mac = excluded.mac, first_seen = excluded.first_seen, last_seen = excluded.last_seen, ips = excluded.ips, vlan = excluded.vlan,
          switch = excluded.switch, port = excluded.port, location = excluded.location, view = excluded.view
        WHERE device_sighting.change_seq < excluded.change_seq`,
      [sensor, site, live.map((d) => d.id), live.map((d) => d.seq), live.map((d) => deviceKey(site, d.id)), col((v) => v.mac),
        col((v) => v.first_seen), col((v) => v.last_seen), col((v) => JSON.stringify(v.ips)), col((v) => v.vlan), col((v) => v.switch),
        col((v) => v.port), col((v) => v.location), col((v) => JSON.stringify(v))]);
    }
    const gone = batch.devices.filter((d) => d.view === undefined);
    if (gone.length > 0) {
      await client.query(`DELETE FROM device_sighting s USING unnest($2::text[], $3::bigint[]) AS u(local_id, change_seq)
        WHERE s.sensor_id = $1 AND s.local_id = u.local_id AND s.change_seq < u.change_seq`, [sensor, gone.map((d) => d.id), gone.map((d) => d.seq)]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export interface ShipResult {
  sensor: string;
  site: string;
  events: number;
  devices: number;
  batches: number;
}

/**
 * Ships everything not yet shipped, batch after batch, until the local database has nothing
 * newer. `yieldEvery` lets a caller on the event loop breathe between batches.
 */
export async function shipAll(db: Db, client: pg.Client, site: string, options: { sensorId?: string | null; batch?: number } = {}): Promise<ShipResult> {
  const sensor = sensorId(db, options.sensorId);
  const result: ShipResult = { sensor, site, events: 0, devices: 0, batches: 0 };
  let cursor = readShipCursor(db);
  for (;;) {
    const batch = readShipBatch(db, cursor, options.batch ?? SHIP_BATCH);
    if (batch.events.length === 0 && batch.devices.length === 0) return result;
    await shipBatch(client, sensor, site, batch);
    writeShipCursor(db, batch.next);
    cursor = batch.next;
    result.events += batch.events.length;
    result.devices += batch.devices.length;
    result.batches++;
  }
}

/** One-shot: connect, check the schema, ship all, disconnect. */
export async function shipOnce(db: Db, target: CentralTarget, site: string, options: { sensorId?: string | null; batch?: number } = {}): Promise<ShipResult> {
  const client = await connectCentral(target);
  try {
    await requireCentralSchema(client);
    return await shipAll(db, client, site, options);
  } catch (err) {
    throw centralFailure(err, target.url);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface ShipperOptions {
  target: CentralTarget;
  site: string;
  sensorId?: string | null;
  logger: Logger;
  counters: Counters;
  /** First retry delay and the cap of the exponential backoff. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** The continuous shipper of `auscult run`. */
export class Shipper {
  private client: pg.Client | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private backoffMs = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Last failure message while the central database is unreachable; null when shipping works. */
  lastError: string | null = null;
  lastShippedAt: number | null = null;

  constructor(private readonly db: Db, private readonly options: ShipperOptions) {}

  /** Asks for a ship (after each inventory flush); returns at once. */
  kick(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    if (this.retryTimer !== null) return; // backing off: the timer will ship
    this.running = this.cycle().finally(() => {
      this.running = null;
      if (this.again && this.retryTimer === null) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async cycle(): Promise<void> {
    const { counters, logger } = this.options;
    try {
      if (this.client === null) {
        this.client = await connectCentral({ ...this.options.target, sensorId: this.options.sensorId ?? sensorId(this.db) });
        await requireCentralSchema(this.client);
      }
      const r = await shipAll(this.db, this.client, this.options.site, { sensorId: this.options.sensorId ?? null });
      counters.inc('central.events_shipped', r.events);
      counters.inc('central.devices_shipped', r.devices);
      counters.inc('central.batches_shipped', r.batches);
      if (this.lastError !== null) logger.info({ central: redactUrl(this.options.target.url) }, 'central database reachable again: shipping resumed');
      this.lastError = null;
      this.backoffMs = 0;
      this.lastShippedAt = Date.now();
    } catch (err) {
      counters.inc('central.ship_failures');
      const message = (err as Error).message;
      if (this.lastError === null) logger.warn({ central: redactUrl(this.options.target.url), err: message }, 'central database unreachable: events stay in the local database until shipped');
      this.lastError = message;
      const client = this.client;
      this.client = null;
      if (client !== null) await client.end().catch(() => undefined);
      const min = this.options.minBackoffMs ?? 1000;
      const max = this.options.maxBackoffMs ?? 60_000;
      this.backoffMs = this.backoffMs === 0 ? min : Math.min(max, this.backoffMs * 2);
      if (!this.stopped) {
        this.retryTimer = setTimeout(() => { this.retryTimer = null; this.kick(); }, this.backoffMs);
        this.retryTimer.unref();
      }
    }
  }

  /** Rows waiting to be shipped. */
  backlog(): { outbox: number; history: number; devices: number } {
    return shipBacklog(this.db);
  }

  /** Health problem text, or undefined when shipping is fine. */
  problem(): string | undefined {
    return this.lastError === null ? undefined : `central database unreachable (${this.lastError.slice(0, 200)}); events kept locally until shipped`;
  }

  /** A last ship attempt (bounded by `deadlineMs`), then disconnect. */
  async stop(deadlineMs = 5000): Promise<void> {
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    const deadline = new Promise((r) => setTimeout(r, deadlineMs).unref());
    if (this.running !== null) await Promise.race([this.running, deadline]);
    if (this.lastError === null && this.running === null) {
      this.kick();
      await Promise.race([this.running ?? Promise.resolve(), deadline]);
    }
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    if (client !== null) await client.end().catch(() => undefined);
  }
}
