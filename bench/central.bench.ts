/**
 * \summary `npm run bench:central` (issue 19): N sensor processes ship concurrently to one real
 * PostgreSQL (a throw-away cluster this script starts: bench/pg-cluster.ts, fsync and
 * synchronous_commit on). Each sensor database holds the demo capture's devices (replayed) and
 * BENCH_CENTRAL_EVENTS synthetic exception lines in its outbox; the N `auscult ship` processes
 * start together and the clock stops when the last one exits (process start-up included).
 * Prints events/s committed and the devices in the central inventory, checks that the central
 * event count equals the sum of the outboxes, and writes bench/out/central-results.json.
 *
 * Environment: BENCH_CENTRAL_SENSORS (default 4), BENCH_CENTRAL_EVENTS per sensor (default
 * 100,000), BENCH_CENTRAL_BATCH rows per transaction (default 5000), BENCH_CENTRAL_FSYNC=0 to
 * measure without fsync, BENCH_STRICT=1 (exit 1 below the 20,000 events/s target).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { AUSCULT_BIN, OUT, ROOT, fmtInt, log, machine } from './bench-util.js';
import { PG_PASSWORD, startPgCluster } from './pg-cluster.js';
import { openPipeline } from '../src/pipeline.js';
import { createLogger } from '../src/log.js';
import { enqueueLines, EXCEPTION_SCHEMA_VERSION } from '../src/output/ndjson.js';

const TARGET_EVENTS_PER_SEC = 20_000;
const DEMO = join(ROOT, 'fixtures', 'demo', 'hospital-demo.pcapng');

async function makeSensorDb(path: string, events: number, sensor: number): Promise<void> {
  rmSync(path, { force: true });
  const pipeline = openPipeline(path, { logger: createLogger('warn') });
  await pipeline.replayFile(DEMO);
  const db = pipeline.db;
  const chunk = 10_000;
  for (let done = 0; done < events; done += chunk) {
    const n = Math.min(chunk, events - done);
    db.transaction(() => enqueueLines(db, Array.from({ length: n }, (_, i) => ({
      schema_version: EXCEPTION_SCHEMA_VERSION, event_type: 'exception' as const, event_id: `bench-${sensor}-${done + i}`,
      ts: new Date(Date.UTC(2026, 0, 1) + (done + i) * 1000).toISOString(), type: 'stale_firmware' as const, status: 'open' as const,
      severity: 'medium' as const, asset_id: `BME-${sensor}-${done + i}`, device_id: `mac-00095b${String(done + i).padStart(6, '0').slice(-6)}`,
      mac: null, field: 'firmware', expected: 'M.00.03', observed: 'N.00.01',
      evidence: [{ source: 'lldp.med.firmware_revision', frame: 812, ts: '2026-01-01T00:00:00.000Z', capture: 'bench.pcapng' }], message: 'bench line',
    }))))();
  }
  db.close();
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const sensors = Number(process.env['BENCH_CENTRAL_SENSORS'] ?? 4);
  const events = Number(process.env['BENCH_CENTRAL_EVENTS'] ?? 100_000);
  const batch = Number(process.env['BENCH_CENTRAL_BATCH'] ?? 5000);
  const fsync = process.env['BENCH_CENTRAL_FSYNC'] !== '0';
  const strict = process.env['BENCH_STRICT'] === '1';
  log(`machine: ${JSON.stringify(machine({}))}`);
  const cluster = await startPgCluster({ fsync });
  try {
    const env = { ...process.env, AUSCULT_CENTRAL_PASSWORD: PG_PASSWORD, AUSCULT_LOG_LEVEL: 'warn' };
    const dbs: string[] = [];
    for (let i = 0; i < sensors; i++) {
      const path = join(OUT, `bench-central-${i}.db`);
      await makeSensorDb(path, events, i);
      dbs.push(path);
    }
    const init = spawn(process.execPath, [AUSCULT_BIN, 'central', 'init', '--central', cluster.url], { env, stdio: 'inherit' });
    await new Promise((r) => init.on('exit', r));
    log(`${sensors} sensor databases of ${fmtInt(events)} outbox lines (+ the demo's history and devices) each; shipping, batch ${batch}, fsync ${fsync ? 'on' : 'off'}`);
    const started = process.hrtime.bigint();
    const codes = await Promise.all(dbs.map((db, i) => new Promise<number>((resolve) => {
      const c = spawn(process.execPath, [AUSCULT_BIN, 'ship', '--db', db, '--central', cluster.url, '--site', `site-${i % 2}`, '--sensor-id', `bench-${i}`, '--batch', String(batch)],
        { env, stdio: ['ignore', 'ignore', 'inherit'] });
      c.on('exit', (code) => resolve(code ?? -1));
    })));
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (codes.some((c) => c !== 0)) throw new Error(`a ship process failed: exit codes ${codes.join(', ')}`);
    const client = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'postgres', password: PG_PASSWORD, database: 'postgres' });
    await client.connect();
    const committed = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM event')).rows[0]?.n);
    const outbox = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM event WHERE stream = 'outbox'`)).rows[0]?.n);
    const devices = Number((await client.query<{ n: string }>('SELECT count(DISTINCT device_key) AS n FROM device_sighting')).rows[0]?.n);
    const settings = (await client.query<{ name: string; setting: string }>(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'server_version')`)).rows;
    await client.end();
    if (outbox !== sensors * events) throw new Error(`central has ${outbox} outbox events, expected ${sensors * events}`);
    const perSec = committed / (wallMs / 1000);
    const pass = perSec >= TARGET_EVENTS_PER_SEC;
    const result = { sensors, eventsPerSensor: events, batch, committed, devices, wallMs: Math.round(wallMs), eventsPerSec: Math.round(perSec), target: TARGET_EVENTS_PER_SEC, pass, postgres: Object.fromEntries(settings.map((s) => [s.name, s.setting])) };
    log(`${fmtInt(committed)} events committed by ${sensors} concurrent sensors in ${(wallMs / 1000).toFixed(2)} s: ${fmtInt(Math.round(perSec))} events/s ` +
      `(target ${fmtInt(TARGET_EVENTS_PER_SEC)}: ${pass ? 'PASS' : 'FAIL'}); ${devices} devices in the central inventory`);
    writeFileSync(join(OUT, 'central-results.json'), `${JSON.stringify(result, null, 2)}\n`);
    if (strict && !pass) process.exitCode = 1;
  } finally {
    cluster.destroy();
    for (let i = 0; i < sensors; i++) for (const suffix of ['', '-wal', '-shm']) rmSync(join(OUT, `bench-central-${i}.db${suffix}`), { force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:central: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
