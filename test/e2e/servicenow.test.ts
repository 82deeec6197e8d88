/**
 * ServiceNow: `auscult export servicenow` payloads and `auscult push servicenow` against a local
 * HTTP server that enforces the Identification and Reconciliation API's documented contract
 * (the real service cannot run here): POST /api/now/identifyreconcile, basic auth,
 * `sysparm_data_source` required, `items[]` with `className` and `values`, `relations[]` naming
 * item indexes; answers 200 with per-item `errors[]` when an item fails, and 503 when busy.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auscult, BIN, ROOT } from '../helpers/cli.js';

let dir: string;
let db: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auscult-snow-'));
  db = join(dir, 'demo.db');
  const r = auscult(['replay', join(ROOT, 'fixtures/demo/hospital-demo.pcapng'), '--db', db]);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

type Payload = { items: { className: string; values: Record<string, string> }[]; relations: { parent: number; child: number; type: string }[] };

function runAsync(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, AUSCULT_LOG_LEVEL: 'warn', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('auscult export servicenow', () => {
  it('one IRE payload per medical device: a cmdb_ci_med_* CI with firmware and location, the sensor, a Detected by relation; allowlisted values only', () => {
    const r = auscult(['export', 'servicenow', '--db', db, '--sensor', 'icu-sensor-1']);
    expect(r.code, r.stderr).toBe(0);
    const payloads = r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Payload);
    const devices = (JSON.parse(auscult(['devices', '--db', db, '--json']).stdout) as { category: string; mac: string; firmware: string | null; device_type: string | null }[]).filter((d) => d.category === 'medical');
    expect(payloads).toHaveLength(devices.length);
    expect(payloads.length).toBeGreaterThan(3);
    for (const p of payloads) {
      const [ci, sensor] = p.items;
      expect(ci?.className).toMatch(/^cmdb_ci_med_(device|patient_monitoring|therapeutic_device|diagnostic_imaging)$/);
      expect(sensor).toEqual({ className: 'cmdb_ci_appl', values: { name: 'auscult icu-sensor-1' } });
      expect(p.relations).toEqual([{ parent: 0, child: 1, type: 'Detected by::Detects' }]);
      expect(Object.keys(ci?.values ?? {}).every((k) => ['name', 'asset_tag', 'mac_address', 'ip_address', 'serial_number', 'manufacturer', 'model_id', 'firmware_version', 'location'].includes(k))).toBe(true);
      const d = devices.find((x) => x.mac === ci?.values['mac_address']);
      expect(d).toBeDefined();
      if (d?.firmware) expect(ci?.values['firmware_version']).toBe(d.firmware);
      if (d?.device_type === 'patient_monitor') expect(ci?.className).toBe('cmdb_ci_med_patient_monitoring');
    }
    expect(payloads.some((p) => p.items[0]?.values['location'] !== undefined)).toBe(true);
    expect(payloads.some((p) => p.items[0]?.values['firmware_version'] !== undefined)).toBe(true);
  });
});

describe('auscult push servicenow against a contract-enforcing server', () => {
  it('checks every item in a 200, retries 503, reports per device; credentials never on the command line', async () => {
    const seen: string[] = [];
    const busyOnce = new Set<string>();
    let failMac = '';
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (d: Buffer) => { body += d.toString(); });
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const reply = (status: number, v: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(v)); };
        if (req.method !== 'POST' || url.pathname !== '/api/now/identifyreconcile') return reply(404, { error: { message: 'no such API' } });
        if (req.headers.authorization !== `Basic ${Buffer.from('svc-auscult:s3cret').toString('base64')}`) return reply(401, { error: { message: 'User Not Authenticated' } });
        if (!url.searchParams.get('sysparm_data_source')) return reply(400, { error: { message: 'sysparm_data_source is required' } });
        let p: Payload;
        try { p = JSON.parse(body) as Payload; } catch { return reply(400, { error: { message: 'invalid JSON' } }); }
        if (!Array.isArray(p.items) || p.items.some((it) => typeof it.className !== 'string' || typeof it.values !== 'object')) return reply(400, { error: { message: 'items[] of {className, values}' } });
        if (!Array.isArray(p.relations) || p.relations.some((r) => p.items[r.parent] === undefined || p.items[r.child] === undefined)) return reply(400, { error: { message: 'relations must name items' } });
        const mac = p.items[0]?.values['mac_address'] ?? '';
        seen.push(mac);
        if (!busyOnce.has(mac) && seen.length === 2) { busyOnce.add(mac); return reply(503, { error: { message: 'busy' } }); }
        // The documented trap: HTTP 200 with a failed item.
        reply(200, { result: { items: p.items.map((it, i) => (mac === failMac && i === 0
          ? { className: it.className, operation: 'NO_CHANGE', sysId: 'Unknown', errors: [{ error: 'MISSING_MATCHING_ATTRIBUTES', message: 'In payload no values for any identifier entry' }] }
          : { className: it.className, operation: 'INSERT', sysId: `sys${i}${mac.replaceAll(':', '')}` })), relations: [] } });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const instance = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const payloads = auscult(['export', 'servicenow', '--db', db]).stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Payload);
    failMac = payloads[0]?.items[0]?.values['mac_address'] ?? '';
    const creds = join(dir, 'servicenow.json');
    writeFileSync(creds, JSON.stringify({ user: 'svc-auscult', password: 's3cret' }));
    const r = await runAsync(['push', 'servicenow', '--db', db, '--instance', instance, '--credentials-file', creds]);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(payloads.length);
    expect(r.code, r.stderr).toBe(1);
    expect(lines.filter((l) => l.startsWith('FAILED'))).toHaveLength(1);
    expect(lines.find((l) => l.startsWith('FAILED'))).toContain('MISSING_MATCHING_ATTRIBUTES');
    expect(lines.filter((l) => l.includes('(2 attempt(s))'))).toHaveLength(1); // the 503 was retried
    expect(r.stderr).toContain(`${payloads.length - 1} of ${payloads.length} device(s) accepted`);
    // From the environment, all accepted once the failing item is fixed.
    failMac = 'none';
    const env = await runAsync(['push', 'servicenow', '--db', db, '--instance', instance], { SERVICENOW_USER: 'svc-auscult', SERVICENOW_PASSWORD: 's3cret' });
    expect(env.code, env.stderr).toBe(0);
    // Wrong password: every device fails with the 401, no retry.
    const bad = await runAsync(['push', 'servicenow', '--db', db, '--instance', instance], { SERVICENOW_USER: 'svc-auscult', SERVICENOW_PASSWORD: 'nope' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('HTTP 401');
    expect(bad.stdout).not.toContain('(2 attempt(s))');
    await new Promise<void>((res) => server.close(() => res()));
  }, 60_000);

  it('no credentials: 78; credentials in the URL: a usage error (64)', async () => {
    const none = await runAsync(['push', 'servicenow', '--db', db, '--instance', 'https://example.service-now.com'], { SERVICENOW_USER: '', SERVICENOW_PASSWORD: '' });
    expect(none.code).toBe(78);
    expect(none.stderr).toContain('[AUS_ERR_CONFIG_KEY]');
    const inUrl = await runAsync(['push', 'servicenow', '--db', db, '--instance', 'https://svc:pw@example.service-now.com']);
    expect(inUrl.code).toBe(64);
    expect(inUrl.stderr).toContain('credentials do not belong in the URL');
  });
});
