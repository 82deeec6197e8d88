/**
 * The webhook output against a local HTTP server: batches of NDJSON lines, retried with backoff
 * while the endpoint fails (order kept, nothing lost or repeated), the same lines as
 * `auscult events`; with the endpoint down, a bounded queue with counted drops and a health
 * problem, never a blocked caller.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/inventory/store.js';
import { Outputs } from '../../src/output/outputs.js';
import { WebhookSink } from '../../src/output/webhook-sink.js';
import { auscult, ROOT } from '../helpers/cli.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-webhook-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

async function listen(handler: (req: IncomingMessage, body: string) => number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => { body += d.toString(); });
    req.on('end', () => { res.writeHead(handler(req, body)); res.end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest` };
}

const waitFor = async (cond: () => boolean, ms: number): Promise<void> => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('webhook output', () => {
  it('batches, retries 5xx with backoff, keeps order, sends each line once, the same lines as auscult events', async () => {
    const db = join(dir, 'lab.db');
    for (const args of [['import', 'fixtures/sor/lab-switch-endpoints.csv'], ['replay', join(ROOT, 'fixtures/lldp/lab-switch-endpoints.pcapng'), '--stream', join(dir, 'lab.ndjson')]]) {
      const r = auscult([...args, '--db', db]);
      expect(r.code, r.stderr).toBe(0);
    }
    const expected = auscult(['events', '--db', db, '--format', 'ecs', '--sensor', 'icu-1']).stdout.split('\n').filter((l) => l !== '');
    let requests = 0;
    const batches: string[][] = [];
    const { server, url } = await listen((req, body) => {
      requests++;
      if (req.headers.authorization !== 'Bearer t0ken' || req.headers['content-type'] !== 'application/x-ndjson') return 401;
      if (requests <= 2) return 503; // down twice, then up
      batches.push(body.split('\n').filter((l) => l !== ''));
      return 200;
    });
    process.env['AUSCULT_TEST_WEBHOOK_TOKEN'] = 't0ken';
    const handle = openDatabase(db);
    const outputs = new Outputs(handle, [{ type: 'webhook', name: 'soar', url, format: 'ecs', token_env: 'AUSCULT_TEST_WEBHOOK_TOKEN', batch_size: 4, max_queue: 10_000, timeout_ms: 2000, retry_min_ms: 20, retry_max_ms: 100 }],
      { sensor: 'icu-1', version: '0.1.0' });
    outputs.flush();
    outputs.flush();
    await waitFor(() => batches.flat().length >= expected.length, 10_000);
    await outputs.close();
    expect(batches.flat()).toEqual(expected);
    expect(batches.every((b) => b.length <= 4)).toBe(true);
    expect(outputs.counters()).toContainEqual(['output.soar.failures', 2]);
    expect(outputs.counters()).toContainEqual(['output.soar.sent', expected.length]);
    expect(outputs.problems()).toEqual([]);
    handle.close();
    delete process.env['AUSCULT_TEST_WEBHOOK_TOKEN'];
    await new Promise<void>((r) => server.close(() => r()));
  }, 60_000);

  it('endpoint down: never blocks, bounded queue with counted drops, a health problem; a 4xx batch is rejected, not retried', async () => {
    const sink = new WebhookSink('soar', { url: 'http://127.0.0.1:9/ingest', headers: {}, batchSize: 2, maxQueue: 5, timeoutMs: 500, retryMinMs: 50, retryMaxMs: 100 });
    const t0 = performance.now();
    sink.enqueue(Array.from({ length: 20 }, (_, i) => `{"n":${i}}`));
    expect(performance.now() - t0).toBeLessThan(50);
    expect(sink.queued).toBeLessThanOrEqual(5);
    expect(sink.dropped).toBeGreaterThanOrEqual(15);
    await waitFor(() => sink.problem() !== null, 5000);
    expect(sink.problem()).toContain('webhook http://127.0.0.1:9 failing');
    await sink.close(0);
    let hits = 0;
    const { server, url } = await listen(() => { hits++; return 400; });
    const strict = new WebhookSink('strict', { url, headers: {}, batchSize: 10, maxQueue: 100, timeoutMs: 2000, retryMinMs: 20, retryMaxMs: 50 });
    strict.enqueue(['{"a":1}', '{"a":2}']);
    await waitFor(() => strict.rejected === 2, 5000);
    await new Promise((r) => setTimeout(r, 100));
    expect(hits).toBe(1);
    await strict.close(0);
    await new Promise<void>((r) => server.close(() => r()));
  });
});
