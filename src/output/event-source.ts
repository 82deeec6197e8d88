/**
 * \summary Reads the internal events a database holds (its outbox, in `seq` order), what the
 * inventory knows of each event's device (current IP, host name and identity fields) and of the
 * advisory behind a patch-management event (CVEs, CVSS, KEV), for the shapes in `shapes.ts`.
 * Used by `auscult events` and by the live outputs, so both write the same lines.
 */
import { loadExposure } from '../advisories/load.js';
import { currentAdvisories, hasAdvisories } from '../inventory/advisory-store.js';
import type { Db } from '../inventory/store.js';
import { eventId, type ExceptionType } from '../reconcile/exception-kinds.js';
import { EVENT_KINDS, type AdvisoryInfo, type DeviceInfo, type RenderContext, type StreamEvent } from './shapes.js';

/** Outbox events with `seq` above `afterSeq`, optionally only those at or after capture time `since` (ISO). */
export function* readEvents(db: Db, options: { afterSeq?: number; since?: string } = {}): Generator<StreamEvent> {
  const rows = db.prepare('SELECT seq, line FROM outbox WHERE seq > ? ORDER BY seq').iterate(options.afterSeq ?? 0) as IterableIterator<{ seq: number; line: string }>;
  const since = options.since !== undefined ? Date.parse(options.since) : undefined;
  for (const row of rows) {
    const e = { ...(JSON.parse(row.line) as StreamEvent), seq: row.seq };
    // Every kind the outbox holds has an EVENT_KINDS entry (a test pins it); a line of a kind
    // written by a newer auscult is skipped rather than rendered wrong.
    if (!Object.hasOwn(EVENT_KINDS, e.event_type)) continue;
    if (since !== undefined && Date.parse(e.ts) < since) continue;
    yield e;
  }
}

/** The context every shape is rendered with: who sends, and lookups into the database. */
export function renderContext(db: Db, base: Pick<RenderContext, 'sensor' | 'version'>): RenderContext {
  return { ...base, device: deviceLookup(db), advisory: advisoryLookup(db) };
}

/** A lookup of a device's current IP (the most recently seen), host name and identity fields. */
export function deviceLookup(db: Db): NonNullable<RenderContext['device']> {
  const ip = db.prepare('SELECT ip FROM device_address WHERE device_id = ? ORDER BY last_seen_us DESC, ip LIMIT 1').pluck();
  const fields = db.prepare('SELECT field, value FROM device_field WHERE device_id = ?');
  const cache = new Map<string, DeviceInfo>();
  return (deviceId: string) => {
    let v = cache.get(deviceId);
    if (v === undefined) {
      const f: Record<string, string> = {};
      for (const r of fields.all(deviceId) as { field: string; value: string | null }[]) if (r.value !== null) f[r.field] = r.value;
      v = { ip: (ip.get(deviceId) as string | undefined) ?? null, hostname: f['hostname'] ?? null, fields: f };
      cache.set(deviceId, v);
    }
    return v;
  };
}

/** Exception types raised per device × advisory (src/advisories/patch-state.ts), with the record fields their ids use. */
const ADVISORY_EXCEPTIONS: readonly [ExceptionType, readonly string[]][] = [
  ['vulnerable_firmware', ['firmware']], ['firmware_downgrade', ['firmware']], ['deferral_expired', ['firmware']],
  ['advisory_unverifiable', ['firmware']], ['compensating_control_violated', ['vlan', 'ip']],
];

/**
 * A lookup of the advisory behind a patch-management event: `patch_verified` lines name it; an
 * advisory exception's `event_id` is sha256(type, device NUL tracking id, field), so the id of
 * every device × advisory pair of the exposure register is computed once and matched. Built on
 * first use (only databases with advisories pay for it); undefined when the pair is gone.
 */
export function advisoryLookup(db: Db): NonNullable<RenderContext['advisory']> {
  let pairs: Map<string, AdvisoryInfo> | undefined;
  const byEventId = new Map<string, string>();
  const build = (): Map<string, AdvisoryInfo> => {
    const out = new Map<string, AdvisoryInfo>();
    if (!hasAdvisories(db)) return out;
    const vectors = new Map<string, string | null>();
    const publishers = new Map<string, string>();
    for (const a of currentAdvisories(db)) {
      publishers.set(a.tracking_id, a.publisher);
      for (const v of a.vulnerabilities) vectors.set(`${a.tracking_id}\u0000${v.id}`, v.cvss_vector);
    }
    for (const r of loadExposure(db)) {
      const key = `${r.device_id}\u0000${r.advisory_id}`;
      let info = out.get(key);
      if (info === undefined) {
        const publisher = publishers.get(r.advisory_id);
        info = { tracking_id: r.advisory_id, version: r.advisory_version, title: r.advisory_title, ...(publisher !== undefined ? { publisher } : {}), vulnerabilities: [] };
        out.set(key, info);
        for (const [type, fields] of ADVISORY_EXCEPTIONS) for (const f of fields) byEventId.set(eventId(type, key, f), key);
      }
      if (!info.vulnerabilities.some((v) => v.id === r.vulnerability)) {
        info.vulnerabilities.push({ id: r.vulnerability, cve: r.cve, cvss: r.cvss, cvss_vector: vectors.get(`${r.advisory_id}\u0000${r.vulnerability}`) ?? null, kev: r.kev, verdict: r.verdict });
      }
    }
    return out;
  };
  return (e: StreamEvent) => {
    if (e.event_type === 'lifecycle' || e.event_type === 'remote_session') return undefined;
    pairs ??= build();
    if (e.event_type === 'patch_verified') return pairs.get(`${e.device_id}\u0000${e.advisory_id}`);
    const key = byEventId.get(e.event_id);
    return key === undefined ? undefined : pairs.get(key);
  };
}
