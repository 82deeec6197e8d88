/**
 * \summary Central reconciliation: one system-of-record import listing every site (a `site`
 * column, a location-to-site map, or one `--site` for all), compared per site against the
 * central inventory by the same pure comparison the local sensor uses (`diffInventory`,
 * src/reconcile/diff.ts): only the storage differs. Exceptions keep the local stream's line shape
 * (design.md) plus `site`; their open/resolved state lives centrally, keyed by (site, event_id),
 * and every change is appended to `exception_outbox` in the same transaction.
 */
import type pg from 'pg';
import { EXCEPTION_SCHEMA_VERSION, orderLine, type ExceptionLine } from '../output/ndjson.js';
import { diffInventory, type DiffOptions } from '../reconcile/diff.js';
import type { ReconcileException } from '../reconcile/exception-kinds.js';
import type { SorRecord, SorRowError } from '../reconcile/sor-record.js';
import type { DeviceView } from '../inventory/device-view.js';
import { sortForPeople } from '../reconcile/reconcile.js';
import { listCentralDevices, listSites } from './inventory.js';

export type CentralExceptionLine = ExceptionLine & { site: string };

/** How a record's site is found: its `site` column, else the first location prefix that matches, else the default. */
export interface SiteRule {
  defaultSite?: string;
  /** Location text prefix (case-insensitive) → site. */
  locationPrefixes?: readonly { prefix: string; site: string }[];
}

export function siteOf(r: SorRecord, rule: SiteRule): string | undefined {
  for (const [k, v] of Object.entries(r.attributes)) if (k.trim().toLowerCase() === 'site' && v.trim() !== '') return v.trim();
  const loc = (r.location ?? '').toLowerCase();
  for (const p of rule.locationPrefixes ?? []) if (loc.startsWith(p.prefix.toLowerCase())) return p.site;
  return rule.defaultSite;
}

/** Assigns sites; records without one come back as row errors (`file:line: reason`). */
export function assignSites(file: string, records: readonly SorRecord[], rule: SiteRule): { records: { site: string; record: SorRecord }[]; errors: SorRowError[] } {
  const out: { site: string; record: SorRecord }[] = [];
  const errors: SorRowError[] = [];
  for (const r of records) {
    const site = siteOf(r, rule);
    if (site === undefined) errors.push({ file, line: r.line, reason: 'no site: add a site column, a --site-map entry for its location, or --site' });
    else out.push({ site, record: r });
  }
  return { records: out, errors };
}

export async function storeCentralSor(client: pg.Client, input: { file: string; sha256: string; encoding: string; skippedRows: number; records: readonly { site: string; record: SorRecord }[] }): Promise<number> {
  await client.query('BEGIN');
  try {
    const r = await client.query<{ id: string }>('INSERT INTO sor_import (file, sha256, rows, skipped_rows, encoding) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [input.file, input.sha256, input.records.length, input.skippedRows, input.encoding]);
    const id = Number(r.rows[0]?.id);
    await client.query(`INSERT INTO sor_record (import_id, line, site, record) SELECT $1, u.line, u.site, u.record::jsonb
      FROM unnest($2::int[], $3::text[], $4::text[]) AS u(line, site, record)`,
    [id, input.records.map((x) => x.record.line), input.records.map((x) => x.site), input.records.map((x) => JSON.stringify(x.record))]);
    await client.query('INSERT INTO sor_current (id, import_id) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET import_id = excluded.import_id', [id]);
    await client.query('COMMIT');
    return id;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export interface CentralReconcileResult {
  loaded: boolean;
  changes: CentralExceptionLine[];
  open: CentralExceptionLine[];
  perSite: { site: string; records: number; devices: number; open: number; out_of_coverage: number }[];
}

function lineFor(e: Omit<ReconcileException, 'subject'>, site: string, status: 'open' | 'resolved', ts: string, seq?: number): CentralExceptionLine {
  const base = orderLine({
    schema_version: EXCEPTION_SCHEMA_VERSION, event_type: 'exception', ...(seq === undefined ? {} : { seq }), event_id: e.event_id, ts, type: e.type, status,
    severity: e.severity, asset_id: e.asset_id, device_id: e.device_id, mac: e.mac, field: e.field, expected: e.expected, observed: e.observed,
    evidence: e.evidence, message: e.message,
  });
  return { ...base, site };
}

/** Reconciles every site; one transaction for the state changes and the outbox. */
export async function reconcileCentral(client: pg.Client, options: DiffOptions = {}): Promise<CentralReconcileResult> {
  const cur = await client.query<{ import_id: string }>('SELECT import_id FROM sor_current WHERE id = 1');
  const importId = cur.rows[0]?.import_id;
  if (importId === undefined) return { loaded: false, changes: [], open: [], perSite: [] };
  const recs = await client.query<{ site: string; record: SorRecord }>('SELECT site, record FROM sor_record WHERE import_id = $1 ORDER BY line', [importId]);
  const sites = await listSites(client);
  const perSite: CentralReconcileResult['perSite'] = [];
  const current: { site: string; e: ReconcileException; ts: string }[] = [];
  for (const site of sites) {
    const records = recs.rows.filter((r) => r.site === site).map((r) => r.record);
    const devices = await listCentralDevices(client, { site });
    if (devices.length === 0) {
      perSite.push({ site, records: records.length, devices: 0, open: 0, out_of_coverage: records.length });
      continue; // nothing heard at this site: no capture time to stamp lines with
    }
    const ts = devices.map((d) => d.last_seen).sort().at(-1) as string;
    const diff = diffInventory(records, devices as unknown as DeviceView[], options);
    for (const e of diff.exceptions) current.push({ site, e, ts });
    perSite.push({ site, records: records.length, devices: devices.length, open: diff.exceptions.length, out_of_coverage: diff.outOfCoverage.length });
  }
  const changes: CentralExceptionLine[] = [];
  const open: CentralExceptionLine[] = [];
  await client.query('BEGIN');
  try {
    const existing = await client.query<{ site: string; event_id: string; status: string; opened_ts: string; line: CentralExceptionLine }>('SELECT site, event_id, status, opened_ts, line FROM exception FOR UPDATE');
    const byKey = new Map(existing.rows.map((r) => [`${r.site}\u0000${r.event_id}`, r]));
    const seen = new Set<string>();
    const pending: CentralExceptionLine[] = [];
    for (const { site, e, ts } of current) {
      const key = `${site}\u0000${e.event_id}`;
      seen.add(key);
      const before = byKey.get(key);
      if (before?.status === 'open') {
        const line = lineFor(e, site, 'open', before.opened_ts);
        await client.query('UPDATE exception SET line = $3 WHERE site = $1 AND event_id = $2', [site, e.event_id, JSON.stringify(line)]);
        open.push(line);
      } else {
        const line = lineFor(e, site, 'open', ts);
        await client.query(`INSERT INTO exception (site, event_id, status, opened_ts, resolved_ts, line) VALUES ($1, $2, 'open', $3, NULL, $4)
          ON CONFLICT (site, event_id) DO UPDATE SET status = 'open', opened_ts = excluded.opened_ts, resolved_ts = NULL, line = excluded.line`, [site, e.event_id, ts, JSON.stringify(line)]);
        pending.push(line);
        open.push(line);
      }
    }
    const gone = existing.rows.filter((r) => r.status === 'open' && !seen.has(`${r.site}\u0000${r.event_id}`))
      .sort((a, b) => a.site.localeCompare(b.site) || a.event_id.localeCompare(b.event_id));
    for (const r of gone) {
      const siteTs = current.filter((c) => c.site === r.site).map((c) => c.ts).sort().at(-1) ?? r.opened_ts;
      await client.query(`UPDATE exception SET status = 'resolved', resolved_ts = $3 WHERE site = $1 AND event_id = $2`, [r.site, r.event_id, siteTs]);
      const { seq: _seq, ...prev } = r.line;
      pending.push({ ...prev, status: 'resolved', ts: siteTs });
    }
    for (const l of pending) {
      const s = await client.query<{ seq: string }>('INSERT INTO exception_outbox (line) VALUES ($1) RETURNING seq', [JSON.stringify(l)]);
      const { site, ...rest } = l;
      changes.push({ ...orderLine({ ...rest, seq: Number(s.rows[0]?.seq) }), site });
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return { loaded: true, changes, open: sortForPeople(open), perSite };
}
