/**
 * The continuous shipper of `auscult run` against a real PostgreSQL (Debian package postgresql):
 * `kick` returns at once; while the server is down it counts failures, reports a health problem
 * and backs off; once the server is back it ships the backlog without being asked again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Shipper } from '../../src/central/ship.js';
import { Counters } from '../../src/counters.js';
import { createLogger } from '../../src/log.js';
import { shipBacklog } from '../../src/inventory/ship-source.js';
import { openDatabase, type Db } from '../../src/inventory/store.js';
import { auscult, ROOT } from '../helpers/cli.js';
import { PG_PASSWORD, PG_SKIP_REASON, pgClient, startPgCluster, type PgCluster } from '../helpers/postgres.js';

let cluster: PgCluster;
let dir: string;
let db: Db;
const until = async (cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
};

describe.skipIf(PG_SKIP_REASON !== undefined)(`continuous shipping${PG_SKIP_REASON !== undefined ? ` (skipped: ${PG_SKIP_REASON})` : ''}`, () => {
  beforeAll(async () => {
    cluster = await startPgCluster();
    dir = mkdtempSync(join(tmpdir(), 'auscult-shipper-'));
    expect(auscult(['central', 'init', '--central', cluster.url], { env: { AUSCULT_CENTRAL_PASSWORD: PG_PASSWORD } }).code).toBe(0);
    expect(auscult(['replay', join(ROOT, 'fixtures/demo/hospital-demo.pcapng'), '--db', join(dir, 'a.db')]).code).toBe(0);
    db = openDatabase(join(dir, 'a.db'));
  });
  afterAll(() => {
    db?.close();
    cluster?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('down: failures counted, a health problem, backoff; back up: the backlog ships by itself', async () => {
    process.env['AUSCULT_CENTRAL_PASSWORD'] = PG_PASSWORD;
    const counters = new Counters();
    const shipper = new Shipper(db, { target: { url: cluster.url }, site: 'north', sensorId: 'live-1', logger: createLogger('silent'), counters, minBackoffMs: 200, maxBackoffMs: 400 });
    cluster.stop();
    const t0 = performance.now();
    shipper.kick();
    expect(performance.now() - t0).toBeLessThan(50); // never blocks the caller (the capture loop)
    expect(await until(() => shipper.problem() !== undefined, 15_000)).toBe(true);
    expect(shipper.problem()).toContain('central database unreachable');
    expect(await until(() => (new Map(counters.entries()).get('central.ship_failures') ?? 0) >= 2, 15_000)).toBe(true); // retried after backoff
    expect(shipBacklog(db).devices).toBeGreaterThan(0); // kept locally
    cluster.start();
    expect(await until(() => shipper.problem() === undefined && shipBacklog(db).devices === 0, 30_000)).toBe(true);
    const shipped = new Map(counters.entries());
    expect(shipped.get('central.events_shipped')).toBeGreaterThan(0);
    const c = await pgClient(cluster);
    const n = await c.query<{ n: string }>(`SELECT count(*) AS n FROM device_sighting WHERE sensor_id = 'live-1'`);
    await c.end();
    expect(Number(n.rows[0]!.n)).toBe((db.prepare('SELECT count(*) AS n FROM device').get() as { n: number }).n);
    await shipper.stop();
  }, 120_000);
});
