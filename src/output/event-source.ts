/**
 * \summary Reads the internal events a database holds (its outbox, in `seq` order) and what the
 * inventory knows of each event's device (current IP and host name), for the shapes in
 * `shapes.ts`. Used by `auscult events` and by the live outputs, so both write the same lines.
 */
import type { Db } from '../inventory/store.js';
import { EVENT_KINDS, type RenderContext, type StreamEvent } from './shapes.js';

/** Outbox events with `seq` above `afterSeq`, optionally only those at or after capture time `since` (ISO). */
export function* readEvents(db: Db, options: { afterSeq?: number; since?: string } = {}): Generator<StreamEvent> {
  const rows = db.prepare('SELECT seq, line FROM outbox WHERE seq > ? ORDER BY seq').iterate(options.afterSeq ?? 0) as IterableIterator<{ seq: number; line: string }>;
  const since = options.since !== undefined ? Date.parse(options.since) : undefined;
  for (const row of rows) {
    const e = { ...(JSON.parse(row.line) as StreamEvent), seq: row.seq };
    // Only kinds the shapes know: `patch_verified` lines (issue 17) are in the stream file but
    // have no OCSF/ECS/CEF mapping yet (TODO issue 17: an EVENT_KINDS entry for them).
    if (!Object.hasOwn(EVENT_KINDS, e.event_type)) continue;
    if (since !== undefined && Date.parse(e.ts) < since) continue;
    yield e;
  }
}

/** A lookup of a device's current IP (the most recently seen) and host name. */
export function deviceLookup(db: Db): NonNullable<RenderContext['device']> {
  const ip = db.prepare('SELECT ip FROM device_address WHERE device_id = ? ORDER BY last_seen_us DESC, ip LIMIT 1').pluck();
  const hostname = db.prepare("SELECT value FROM device_field WHERE device_id = ? AND field = 'hostname'").pluck();
  const cache = new Map<string, { ip: string | null; hostname: string | null }>();
  return (deviceId: string) => {
    let v = cache.get(deviceId);
    if (v === undefined) {
      v = { ip: (ip.get(deviceId) as string | undefined) ?? null, hostname: (hostname.get(deviceId) as string | undefined) ?? null };
      cache.set(deviceId, v);
    }
    return v;
  };
}
