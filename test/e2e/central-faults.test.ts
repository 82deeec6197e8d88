/**
 * Exactly once under faults, with a real PostgreSQL (Debian package postgresql): three sensors
 * keep adding to their outboxes while `auscult ship` processes are killed with SIGKILL at random
 * moments (at least 20 kills that land mid-run, per sensor) and the server is stopped with
 * `pg_ctl stop -m immediate` at random moments (at least 20 times) while they ship. Afterwards the
 * central event set equals the union of the outboxes exactly (nothing lost, nothing twice) and the
 * inventory equals a fault-free shipping of the same databases.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allShipEvents } from '../../src/inventory/ship-source.js';
import { openDatabase } from '../../src/inventory/store.js';
import { enqueueLines, EXCEPTION_SCHEMA_VERSION } from '../../src/output/ndjson.js';
import { auscult, BIN, ROOT } from '../helpers/cli.js';
import { PG_PASSWORD, PG_SKIP_REASON, pgClient, startPgCluster, urlFor, type PgCluster } from '../helpers/postgres.js';

const SENSORS = [
  { id: 'n1', site: 'north', capture: 'fixtures/demo/hospital-demo.pcapng' },
  { id: 'n2', site: 'north', capture: 'fixtures/demo/hospital-demo-untagged.pcapng' },
  { id: 's1', site: 'south', capture: 'fixtures/lldp/lab-switch-endpoints.pcapng' },
] as const;
const FAULTS = 20;
const env = { AUSCULT_CENTRAL_PASSWORD: PG_PASSWORD, AUSCULT_LOG_LEVEL: 'error' };

/** Fixed-seed PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let cluster: PgCluster;
let dir: string;
const dbOf = (id: string) => join(dir, `${id}.db`);

/** Activity on a sensor: `n` more exception lines in its outbox. */
function addLines(id: string, n: number, round: number): void {
  const db = openDatabase(dbOf(id));
  db.transaction(() => enqueueLines(db, Array.from({ length: n }, (_, i) => ({
    schema_version: EXCEPTION_SCHEMA_VERSION, event_type: 'exception' as const, event_id: `${id}-${round}-${i}`, ts: '2026-01-01T00:00:00.000Z',
    type: 'stale_firmware' as const, status: 'open' as const, severity: 'medium' as const, asset_id: `A-${round}-${i}`, device_id: null, mac: null,
    field: 'firmware', expected: '1', observed: String(round), evidence: [], message: `line ${i} of round ${round}`,
  }))))();
  db.close();
}

function ship(id: string, site: string, url: string, batch = 40): ChildProcess {
  return spawn(process.execPath, [BIN, 'ship', '--db', dbOf(id), '--central', url, '--site', site, '--sensor-id', id, '--batch', String(batch)],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
}

const exited = (c: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) resolve({ code: c.exitCode, signal: c.signalCode });
    else c.once('exit', (code, signal) => resolve({ code, signal }));
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(PG_SKIP_REASON !== undefined)(`central shipping under faults${PG_SKIP_REASON !== undefined ? ` (skipped: ${PG_SKIP_REASON})` : ''}`, () => {
  beforeAll(async () => {
    cluster = await startPgCluster();
    dir = mkdtempSync(join(tmpdir(), 'auscult-central-faults-'));
    for (const s of SENSORS) {
      const r = auscult(['replay', s.capture, '--db', dbOf(s.id)]);
      expect(r.code, r.stderr).toBe(0);
      addLines(s.id, 1000, 0);
    }
    const c = await pgClient(cluster);
    await c.query('CREATE DATABASE reference');
    await c.end();
    for (const url of [cluster.url, urlFor(cluster, 'reference')]) expect(auscult(['central', 'init', '--central', url], { env }).code).toBe(0);
  }, 300_000);
  afterAll(() => {
    cluster?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 of each sensor and immediate stops of PostgreSQL at random moments: the central events equal the outboxes exactly', async () => {
    const random = prng(19);
    let round = 1;
    // 1. SIGKILL each sensor's shipper at a random moment until each has been killed mid-run FAULTS times.
    const kills = new Map<string, number>(SENSORS.map((s) => [s.id, 0]));
    for (let i = 0; i < FAULTS * 4 && [...kills.values()].some((n) => n < FAULTS); i++, round++) {
      for (const s of SENSORS) addLines(s.id, 60, round);
      const children = SENSORS.map((s) => ship(s.id, s.site, cluster.url));
      await sleep(250 + random() * 700);
      for (const [k, c] of children.entries()) {
        if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
        const r = await exited(c);
        if (r.signal === 'SIGKILL') kills.set(SENSORS[k]!.id, (kills.get(SENSORS[k]!.id) ?? 0) + 1);
      }
    }
    for (const n of kills.values()) expect(n).toBeGreaterThanOrEqual(FAULTS);
    // 2. Stop the server hard while all three ship, FAULTS times.
    let interrupted = 0;
    for (let i = 0; i < FAULTS; i++, round++) {
      for (const s of SENSORS) addLines(s.id, 60, round);
      const children = SENSORS.map((s) => ship(s.id, s.site, cluster.url, 10));
      await sleep(300 + random() * 600);
      cluster.stopImmediate();
      const results = await Promise.all(children.map(exited));
      interrupted += results.filter((r) => r.code === 69).length;
      for (const r of results) expect([0, 69]).toContain(r.code);
      cluster.start();
    }
    expect(interrupted).toBeGreaterThan(0);
    // 3. Ship what is left, without faults.
    for (const s of SENSORS) {
      const c = ship(s.id, s.site, cluster.url, 5000);
      expect((await exited(c)).code).toBe(0);
    }
    const client = await pgClient(cluster);
    for (const s of SENSORS) {
      const db = openDatabase(dbOf(s.id), { readonly: true });
      const local = allShipEvents(db).map((e) => [e.stream, e.seq, JSON.parse(e.body)]);
      db.close();
      const central = await client.query<{ stream: string; seq: string; body: unknown }>('SELECT stream, seq, body FROM event WHERE sensor_id = $1 ORDER BY stream, seq', [s.id]);
      local.sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1]));
      expect(central.rows.length).toBe(local.length);
      expect(central.rows.map((r) => [r.stream, Number(r.seq), r.body])).toEqual(local);
    }
    const total = await client.query<{ n: string }>('SELECT count(*) AS n FROM event');
    await client.end();
    expect(Number(total.rows[0]!.n)).toBeGreaterThan(SENSORS.length * 1000);

    // 4. The same databases shipped without faults to a fresh central database give the same inventory and events.
    for (const s of SENSORS) {
      const db = openDatabase(dbOf(s.id));
      db.prepare('VACUUM INTO ?').run(join(dir, `${s.id}-ref.db`));
      db.close();
      const ref = openDatabase(join(dir, `${s.id}-ref.db`));
      ref.prepare('DELETE FROM ship_cursor').run();
      ref.close();
      const r = auscult(['ship', '--db', join(dir, `${s.id}-ref.db`), '--central', urlFor(cluster, 'reference'), '--site', s.site, '--sensor-id', s.id], { env });
      expect(r.code, r.stderr).toBe(0);
    }
    const faulty = auscult(['central', 'devices', '--json', '--central', cluster.url], { env });
    const clean = auscult(['central', 'devices', '--json', '--central', urlFor(cluster, 'reference')], { env });
    expect(faulty.code).toBe(0);
    expect(JSON.parse(faulty.stdout)).toEqual(JSON.parse(clean.stdout));
    // s1's lab capture hears five of the demo's devices: each is one device at both sites.
    const devices = JSON.parse(clean.stdout) as { sites: { site: string }[] }[];
    expect(devices.length).toBe(10);
    expect(devices.filter((d) => d.sites.map((x) => x.site).sort().join() === 'north,south').length).toBe(5);
    const a = await pgClient(cluster);
    const b = await pgClient(cluster, 'reference');
    const q = 'SELECT sensor_id, stream, seq, site, body FROM event ORDER BY sensor_id, stream, seq';
    expect((await a.query(q)).rows).toEqual((await b.query(q)).rows);
    await a.end();
    await b.end();
  }, 600_000);
});
