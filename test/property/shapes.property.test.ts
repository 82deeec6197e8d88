/**
 * CEF escaping (the most common bug in such outputs): any text in any field, rendered by
 * src/output/shapes.ts and read back by an independently written parser (test/helpers/cef.ts,
 * nsyslog-parser for the header split), comes back unchanged; the line stays one line; and the
 * RFC 5424 wrapper keeps its header and structured data whatever the event says.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCef, toSyslog, cefValue, type StreamEvent } from '../../src/output/shapes.js';
import type { ExceptionLine } from '../../src/output/ndjson.js';
import type { RemoteSessionLine } from '../../src/reconcile/session-lines.js';
import { parseCef, parseExtension, parseSyslog } from '../helpers/cef.js';

const RUNS = { seed: 1818, numRuns: 3000 };

/** Text full of the characters that matter: backslash, pipe, equals, CR, LF, spaces, and any unicode. */
const nasty = fc.oneof(
  fc.string({ unit: fc.constantFrom('\\', '|', '=', '\n', '\r', ' ', 'a', 'b', '"', ']', '[', 'n', 'r') }),
  fc.string({ unit: 'grapheme' }),
  fc.string(),
);
const nullable = fc.option(nasty, { nil: null });

const event = fc.record({
  asset_id: nullable, field: nullable, expected: nullable, observed: nullable, message: nasty,
  severity: fc.constantFrom('low', 'medium', 'high' as const), status: fc.constantFrom('open', 'resolved' as const), seq: fc.integer({ min: 1, max: 2 ** 40 }),
  evidence: fc.array(fc.record({ source: nasty, frame: fc.nat(), ts: fc.constant('2026-01-01T00:00:00.000Z'), capture: nullable }), { maxLength: 3 }),
}).map((r): ExceptionLine & { seq: number } => ({
  schema_version: 1, event_type: 'exception', event_id: '0123456789abcdef0123456789abcdef', ts: '2026-11-22T21:50:15.699Z', type: 'stale_firmware',
  device_id: 'mac-00090fb3a7107', mac: '00:09:fb:3a:71:07', ...r,
}));

const ctx = fc.record({ sensor: nasty, version: fc.constantFrom('0.1.0', '1|2\\3') });

describe('CEF round trip through an independent parser', () => {
  it('every extension value and the header name come back unchanged; one line; no unescaped separator', () => {
    fc.assert(fc.property(event, ctx, (e, c) => {
      const line = toCef(e, c);
      expect(line).not.toMatch(/[\r\n]/);
      const parsed = parseCef(line);
      // Header: newlines cannot be escaped there, so they become spaces; everything else round-trips.
      expect(parsed.header.name).toBe(e.message.replace(/\r\n|[\r\n]/g, ' '));
      expect(parsed.header.deviceVersion).toBe(c.version);
      expect(parsed.header.deviceEventClassId).toBe('exception:stale_firmware');
      expect(parsed.header.severity).toBe(String({ low: 3, medium: 5, high: 8 }[e.severity]));
      const x = parsed.ext;
      expect(x['msg'] ?? '').toBe(e.message);
      expect(x['dvchost'] ?? '').toBe(c.sensor);
      expect(x['externalId']).toBe(e.event_id);
      expect(x['cn1']).toBe(String(e.seq));
      const pairs: [string, string | null][] = [['cs1', e.asset_id], ['cs2', e.field], ['cs3', e.expected], ['cs4', e.observed]];
      for (const [k, v] of pairs) expect(x[k] ?? null, k).toBe(v === '' ? null : v);
      expect(x['cs5'] === undefined ? [] : JSON.parse(x['cs5'])).toEqual(e.evidence);
    }), RUNS);
  });

  it('verified patches and advisory exceptions: advisory id, CVE ids and versions from hostile CSAF text come back unchanged', () => {
    const advisory = fc.record({
      tracking_id: nasty.filter((v) => v !== ''), version: nasty, title: nasty,
      vulnerabilities: fc.array(fc.record({ id: nasty.filter((v) => v !== '' && !v.includes(',')), cve: fc.option(nasty.filter((v) => v !== '' && !v.includes(',')), { nil: null }),
        cvss: fc.constant(null), cvss_vector: fc.constant(null), kev: fc.boolean(), verdict: fc.constant('affected') }), { minLength: 1, maxLength: 3 }),
    });
    const patch = fc.record({ old_version: nasty, new_version: nasty, message: nasty, seq: fc.integer({ min: 1, max: 2 ** 40 }), asset_id: nullable })
      .map((r): StreamEvent => ({
        schema_version: 1, event_type: 'patch_verified', event_id: '0123456789abcdef0123456789abcdef', ts: '2026-11-22T21:50:15.699Z',
        device_id: 'mac-0009fb3a7107', mac: '00:09:fb:3a:71:07', advisory_id: 'X', old_verdict: 'affected', new_verdict: 'fixed', old_evidence: [], new_evidence: [], ...r,
      }));
    fc.assert(fc.property(fc.oneof(patch, event), advisory, ctx, (e, a, c) => {
      const ev: StreamEvent = e.event_type === 'patch_verified' ? { ...e, advisory_id: a.tracking_id } : e.event_type === 'exception' ? { ...e, type: 'vulnerable_firmware' } : e;
      const line = toCef(ev, { ...c, advisory: () => a });
      expect(line).not.toMatch(/[\r\n]/);
      const x = parseCef(line).ext;
      expect([x['cs6Label'], x['cs6']]).toEqual(['advisory_id', a.tracking_id]);
      expect(x['flexString1']).toBe(a.vulnerabilities.map((v) => v.cve ?? v.id).join(','));
      if (ev.event_type === 'patch_verified') {
        expect(parseCef(line).header.deviceEventClassId).toBe('patch:patch_verified');
        expect(x['cs3'] ?? '').toBe(ev.old_version);
        expect(x['cs4'] ?? '').toBe(ev.new_version);
      }
      expect(parseSyslog(toSyslog(ev, { ...c, advisory: () => a })).message).toBe(line);
    }), { ...RUNS, numRuns: 1000 });
  });

  it('remote sessions (issue 20): a hostile how (DNS/SNI names are attacker text), message and capture name come back unchanged; ends and bytes intact', () => {
    const session = fc.record({
      how: nasty, message: nasty, seq: fc.integer({ min: 1, max: 2 ** 40 }), inbound: fc.boolean(), capture: nullable, hostname: nullable,
      port: fc.integer({ min: 0, max: 65535 }), bytes: fc.nat(),
    }).map((r): RemoteSessionLine & { seq: number } => ({
      schema_version: 1, event_type: 'remote_session', seq: r.seq, event_id: '0123456789abcdef0123456789abcdef', ts: '2026-12-05T08:28:51.142Z',
      type: 'remote_session', severity: 'info', device_id: 'mac-02a500400001', mac: '02:a5:00:40:00:01', tool: 'rdp', tool_name: 'Remote Desktop (RDP)',
      how: r.how, transport: 'tcp', direction: r.inbound ? 'inbound' : 'outbound', device_ip: '10.40.0.10', device_port: 3389, peer_ip: '10.40.0.50',
      peer_port: r.port, start: '2026-12-05T08:28:51.142Z', end: '2026-12-05T08:28:51.200Z', duration_s: 0.058, bytes_to_device: r.bytes,
      bytes_from_device: 26, frames: 10, first_frame: 36, last_frame: 45, end_reason: 'rst',
      evidence: [{ source: 'remote_session.rdp', frame: 39, ts: '2026-12-05T08:28:51.142Z', capture: r.capture }], message: r.message,
    }));
    fc.assert(fc.property(session, ctx, nullable, (e, c, hostname) => {
      const rc = { ...c, device: () => ({ ip: '10.40.0.10', hostname }) };
      const line = toCef(e, rc);
      expect(line).not.toMatch(/[\r\n]/);
      const parsed = parseCef(line);
      expect(parsed.header.deviceEventClassId).toBe('remote_session:rdp');
      expect(parsed.header.name).toBe(e.message.replace(/\r\n|[\r\n]/g, ' '));
      const x = parsed.ext;
      expect(x['msg'] ?? '').toBe(e.message);
      expect(x['cs4'] ?? '').toBe(e.how);
      expect(x[e.direction === 'inbound' ? 'dhost' : 'shost'] ?? null).toBe(hostname === '' ? null : hostname);
      expect([x['src'], x['spt'], x['dst'], x['dpt']]).toEqual(e.direction === 'inbound'
        ? ['10.40.0.50', String(e.peer_port), '10.40.0.10', '3389'] : ['10.40.0.10', '3389', '10.40.0.50', String(e.peer_port)]);
      expect(x['in']).toBe(String(e.direction === 'inbound' ? e.bytes_to_device : e.bytes_from_device));
      expect(JSON.parse(x['cs5'] ?? '[]')).toEqual(e.evidence);
      expect(x['cn1']).toBe(String(e.seq));
      const s = parseSyslog(toSyslog(e, rc));
      expect(s.message).toBe(line);
      expect(s.msgId).toBe('remote_session');
      expect(s.structuredData['event_id']).toBe(e.event_id);
    }), { ...RUNS, numRuns: 1000 });
  });

  it('the extension escaper alone: any value round-trips under any key', () => {
    fc.assert(fc.property(fc.array(nasty.filter((v) => v !== ''), { minLength: 1, maxLength: 5 }), (values) => {
      const ext = values.map((v, i) => `cs${i + 1}=${cefValue(v)}`).join(' ');
      const parsed = parseExtension(ext);
      values.forEach((v, i) => expect(parsed[`cs${i + 1}`]).toBe(v));
    }), RUNS);
  });

  it('the parser is not lenient: an unescaped = or a raw newline in a value is noticed', () => {
    expect(parseExtension('msg=a=b cs1=x')['msg']).not.toBe('a=b');
    expect(parseExtension(`msg=${cefValue('a=b')} cs1=x`)['msg']).toBe('a=b');
    expect(toCef({
      schema_version: 1, event_type: 'exception', event_id: '0123456789abcdef0123456789abcdef', ts: '2026-11-22T21:50:15.699Z', type: 'stale_firmware',
      status: 'open', severity: 'low', asset_id: 'a|b', device_id: null, mac: null, field: null, expected: 'x\\y', observed: 'p=q\nr', evidence: [], message: 'm|n\\o', seq: 1,
    }, { sensor: 's', version: '1' })).toBe('CEF:0|auscult|auscult|1|exception:stale_firmware|m\\|n\\\\o|3|rt=1795384215699 externalId=0123456789abcdef0123456789abcdef ' +
      'cat=stale_firmware act=open msg=m|n\\\\o dvchost=s cs1Label=asset_id cs1=a|b cs3Label=expected cs3=x\\\\y cs4Label=observed cs4=p\\=q\\nr cn1Label=seq cn1=1');
  });
});

describe('RFC 5424 wrapper', () => {
  it('header, structured data and the CEF message survive any event text and sensor name', () => {
    fc.assert(fc.property(event, ctx, (e, c) => {
      const line = toSyslog(e, c);
      expect(line).not.toMatch(/[\r\n]/);
      const s = parseSyslog(line);
      expect(s.appName).toBe('auscult');
      expect(s.msgId).toBe('exception');
      expect(s.hostname).toBe(c.sensor === '' ? '-' : c.sensor.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 255));
      expect(s.structuredData).toEqual({ event_id: e.event_id, seq: String(e.seq), type: e.type, status: e.status });
      expect(s.message).toBe(toCef(e, c));
    }), { ...RUNS, numRuns: 1000 });
  });
});
