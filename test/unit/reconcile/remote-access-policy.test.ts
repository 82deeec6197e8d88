/**
 * Issue 20: the system of record's remote-access policy. The service-window grammar (valid forms,
 * every rejection with its reason, time zones through Intl with daylight saving, windows past
 * midnight), tool-name normalisation, the importer's two new columns (aliases, preset, file:line
 * errors, warnings, an empty cell vs. no column), and the two exceptions computed from sessions.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceView } from '../../../src/inventory/device-view.js';
import { parseSorCsvBuffer } from '../../../src/reconcile/import-csv.js';
import type { RecordMatch } from '../../../src/reconcile/match.js';
import { remoteAccessExceptions } from '../../../src/reconcile/remote-access-exceptions.js';
import {
  describeLocal, localDate, normaliseToolName, parseApprovedTools, parseServiceWindow, windowHolding, type ServiceWindow,
} from '../../../src/reconcile/remote-access-policy.js';
import { sessionEventId, type SessionRow } from '../../../src/reconcile/session-lines.js';
import type { SorRecord } from '../../../src/reconcile/sor-record.js';

const window = (text: string): ServiceWindow => {
  const r = parseServiceWindow(text);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};
const inside = (text: string, iso: string): boolean => windowHolding(window(text), Date.parse(iso)) !== undefined;

describe('service window grammar', () => {
  it('parses the documented forms', () => {
    expect(window('Tue 02:00-04:00 UTC').specs).toEqual([{ days: new Set([1]), from: 120, to: 240, zone: 'UTC' }]);
    expect(window('Mon-Fri 08:00-17:00 America/New_York').specs).toEqual([{ days: new Set([0, 1, 2, 3, 4]), from: 480, to: 1020, zone: 'America/New_York' }]);
    expect(window('sat,SUNDAY 00:00-24:00').specs[0]).toEqual({ days: new Set([5, 6]), from: 0, to: 1440, zone: 'UTC' });
    expect(window('Fri-Mon 22:00-06:00 Europe/Berlin; Wed 12:00 - 13:00').specs.map((s) => [[...s.days].sort(), s.zone])).toEqual([[[0, 4, 5, 6], 'Europe/Berlin'], [[2], 'UTC']]);
    expect(window('daily 9:00-17:30 Z').specs[0]).toEqual({ days: new Set([0, 1, 2, 3, 4, 5, 6]), from: 540, to: 1050, zone: 'UTC' });
  });

  it('rejects anything else with a reason', () => {
    const reason = (t: string): string => {
      const r = parseServiceWindow(t);
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason('')).toBe('service window is empty');
    expect(reason('weekdays')).toMatch(/^bad service window "weekdays": expected days HH:MM-HH:MM \[zone\]/);
    expect(reason('Tues 02:00-04:00')).toMatch(/bad day "tues"/);
    expect(reason('Tue 25:00-26:00')).toMatch(/bad time/);
    expect(reason('Tue 02:60-04:00')).toMatch(/bad time/);
    expect(reason('Tue 24:00-04:00')).toMatch(/bad time/); // 24:00 only as an end
    expect(reason('Tue 02:00-02:00')).toMatch(/start and end are the same time/);
    expect(reason('Tue 02:00-04:00 Mars/Olympus')).toMatch(/unknown time zone "Mars\/Olympus"/);
    expect(reason('Tue 02:00-04:00 EST5EDT;rm')).toMatch(/bad service window|unknown time zone/);
    expect(reason(`${'Tue 02:00-04:00;'.repeat(17)}`)).toBe('service window has 17 windows, over the limit of 16');
    expect(reason('x'.repeat(2000))).toBe('service window is 2000 characters, over the limit of 1024');
  });

  it('evaluates in the window zone, daylight saving included', () => {
    const nine = 'Mon-Fri 08:00-17:00 America/New_York';
    // Monday 2026-07-06 12:30Z is 08:30 EDT (inside); Monday 2026-12-07 12:30Z is 07:30 EST (outside).
    expect(inside(nine, '2026-07-06T12:30:00Z')).toBe(true);
    expect(inside(nine, '2026-12-07T12:30:00Z')).toBe(false);
    expect(inside(nine, '2026-12-07T13:00:00Z')).toBe(true);
    expect(inside(nine, '2026-12-05T15:00:00Z')).toBe(false); // Saturday
    expect(inside(nine, '2026-12-07T22:00:00Z')).toBe(false); // 17:00 EST: the end is exclusive
    expect(describeLocal(Date.parse('2026-12-07T12:30:00Z'), 'America/New_York')).toBe('Mon 07:30 America/New_York');
  });

  it('the per-15-minute cache agrees with Intl everywhere, odd offsets and half-hour DST included', () => {
    for (const zone of ['America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/St_Johns', 'Europe/Berlin']) {
      const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
      const d = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
      for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 37 * 60_000 + 13_000) {
        const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
        expect(describeLocal(t, zone), `${zone} ${new Date(t).toISOString()}`).toBe(`${p['weekday'] ?? ''} ${String(Number(p['hour']) % 24).padStart(2, '0')}:${p['minute'] ?? ''} ${zone}`);
        expect(localDate(t, zone)).toBe(d.format(new Date(t)));
      }
    }
  });

  it('a window whose end is before its start runs into the next day', () => {
    const w = 'Fri 22:00-02:00 UTC';
    expect(inside(w, '2026-12-04T21:59:00Z')).toBe(false); // Friday
    expect(inside(w, '2026-12-04T22:00:00Z')).toBe(true);
    expect(inside(w, '2026-12-05T01:59:00Z')).toBe(true); // Saturday, from Friday's window
    expect(inside(w, '2026-12-05T02:00:00Z')).toBe(false);
    expect(inside(w, '2026-12-05T23:00:00Z')).toBe(false); // Saturday night is not Friday's
    expect(inside('daily 00:00-24:00', '2026-12-06T23:59:59Z')).toBe(true);
  });
});

describe('remote-access tools', () => {
  it('normalises what people write to the session tool ids', () => {
    const cases: [string, string | undefined][] = [
      ['TeamViewer', 'teamviewer'], ['Teamviewer', 'teamviewer'], ['TeamViewer 15', 'teamviewer'], ['TeamViewer v15.2 Host', 'teamviewer'],
      ['Philips RSN', 'philips'], ['PHILIPS Remote Services', 'philips'], ['Bomgar', 'beyondtrust'], ['BeyondTrust/Bomgar', 'beyondtrust'],
      ['AnyDesk 7', 'anydesk'], ['Remote Desktop', 'rdp'], ['mstsc', 'rdp'], ['RDP', 'rdp'], ['OpenSSH', 'ssh'], ['SSH', 'ssh'],
      ['TigerVNC', 'vnc'], ['GE InSite', 'ge-healthcare'], ['Siemens SRS', 'siemens-healthineers'], ['Citrix ICA', 'citrix'],
      ['ConnectWise Control', 'screenconnect'], ['Roche', 'roche'], ['FooDesk', undefined], ['ge', 'ge-healthcare'], ['12', undefined],
    ];
    for (const [text, id] of cases) expect(normaliseToolName(text), text).toBe(id);
  });

  it('parses a cell: separators, placeholders, any, unknown names', () => {
    const ok = (t: string) => {
      const r = parseApprovedTools(t);
      if (!r.ok) throw new Error(r.reason);
      return { any: r.value.any, tools: [...r.value.tools].sort(), unknown: r.value.unknown };
    };
    expect(ok('TeamViewer; Philips RSN')).toEqual({ any: false, tools: ['philips', 'teamviewer'], unknown: [] });
    expect(ok('SSH, VNC | RDP + FooDesk')).toEqual({ any: false, tools: ['rdp', 'ssh', 'vnc'], unknown: ['FooDesk'] });
    expect(ok('')).toEqual({ any: false, tools: [], unknown: [] });
    expect(ok('none')).toEqual({ any: false, tools: [], unknown: [] });
    expect(ok('Any')).toEqual({ any: true, tools: [], unknown: [] });
    // A yes/no column: no approves nothing, yes names no tool (every tool approved; the import warns).
    expect(ok('No')).toEqual({ any: false, tools: [], unknown: [] });
    expect(ok('Not allowed')).toEqual({ any: false, tools: [], unknown: [] });
    expect(ok('Yes')).toEqual({ any: true, tools: [], unknown: [] });
    const many = parseApprovedTools(Array.from({ length: 33 }, () => 'ssh').join(';'));
    expect(many.ok ? 'ok' : many.reason).toBe('remote-access cell lists 33 tools, over the limit of 32');
  });
});

describe('import: remote-access and service-window columns', () => {
  const csv = (text: string, preset?: string) => parseSorCsvBuffer(Buffer.from(text), 'cmms.csv', preset !== undefined ? { preset } : {});

  it('maps the usual headers, stores the approved tool ids (never the cell text) and the window, and an empty cell of a mapped column approves none', () => {
    const r = csv('Asset Tag,MAC Address,Approved Remote Access,Maintenance Window\n' +
      'A1,00:11:22:33:44:01,TeamViewer 15; Philips RSN,Mon-Fri 08:00-17:00 America/New_York\n' +
      'A2,00:11:22:33:44:02,,\n' +
      'A3,00:11:22:33:44:03,N/A,Tue 02:00-04:00\n');
    expect(r.errors).toEqual([]);
    expect(r.columns.map((c) => c.field)).toEqual(['assetId', 'macs', 'remoteAccess', 'serviceWindow']);
    expect(r.records.map((x) => [x.remoteAccess, x.serviceWindow])).toEqual([
      ['philips; teamviewer', 'Mon-Fri 08:00-17:00 America/New_York'], ['', undefined], ['', 'Tue 02:00-04:00'],
    ]);
  });

  it('no remote-access column: nothing is set (no judgement)', () => {
    const r = csv('Asset Tag,MAC Address\nA1,00:11:22:33:44:01\n');
    expect(r.records[0]?.remoteAccess).toBeUndefined();
    expect(r.records[0]?.serviceWindow).toBeUndefined();
  });

  it('a bad service window is a file:line row error; an unknown tool a warning', () => {
    const r = csv('Asset Tag,Remote Access,Service Window\nA1,FooDesk,Tue 02:00-04:00\nA2,SSH,Tuesdays 2-4am\nA3,FooDesk; TeamViewer ID 123456789 pw hunter2,\n');
    expect(r.errors.map((e) => `${e.file}:${e.line}: ${e.reason}`)).toEqual([
      'cmms.csv:3: column "Service Window": bad service window "Tuesdays 2-4am": expected days HH:MM-HH:MM [zone], e.g. "Mon-Fri 08:00-17:00 America/New_York"',
    ]);
    expect(r.records.map((x) => [x.assetId, x.remoteAccess])).toEqual([['A1', ''], ['A3', 'teamviewer']]);
    // An item with digits (an ID, a password) is not quoted back; nothing of it is stored.
    expect(r.warnings).toEqual([
      'cmms.csv:2: remote-access tool "FooDesk" is not one auscult recognises (2 rows); it is not stored and can never match a session (README "Remote access exceptions")',
    ]);
    expect(JSON.stringify(r.records)).not.toContain('hunter2');
    expect(JSON.stringify(r.records)).not.toContain('FooDesk');
  });

  it('a yes/no remote-access column: yes approves every tool and is warned about once', () => {
    const r = csv('Asset Tag,Remote Support\nA1,Yes\nA2,No\nA3,yes\n');
    expect(r.records.map((x) => x.remoteAccess)).toEqual(['any', '', 'any']);
    expect(r.warnings).toEqual([
      'cmms.csv:2: the remote-access column says "yes" without naming a tool in 2 rows; every tool is taken as approved there (name the tools, e.g. "TeamViewer; Philips RSN", to have them judged)',
    ]);
  });

  it('ServiceNow preset: u_remote_access and u_service_window', () => {
    const r = csv('asset_tag,mac_address,u_remote_access,u_service_window\nP-7,00:11:22:33:44:07,Bomgar,Sat 01:00-05:00 UTC\n', 'servicenow-cmdb-ci');
    expect(r.errors).toEqual([]);
    expect(r.records[0]).toMatchObject({ remoteAccess: 'beyondtrust', serviceWindow: 'Sat 01:00-05:00 UTC' });
  });
});

describe('remote-access exceptions', () => {
  const session = (over: Partial<SessionRow>): SessionRow => ({
    id: 1, tool: 'teamviewer', how: 'teamviewer magic', transport: 'tcp', device_ip: '10.0.0.5', device_port: 5938, peer_ip: '203.0.113.9',
    peer_port: 40000, direction: 'inbound', start_us: Date.parse('2026-12-05T08:00:00Z') * 1000, end_us: Date.parse('2026-12-05T08:10:00Z') * 1000,
    bytes_to_device: 10, bytes_from_device: 20, frames: 5, first_frame: 3, evidence_frame: 4, last_frame: 9, end_reason: 'fin',
    capture: '/x/tv.pcap', device_id: 'mac-001122334405', device_mac: '00:11:22:33:44:05', outbox_seq: null, ...over,
  });
  const match = (record: Partial<SorRecord>): RecordMatch => ({
    record: { line: 2, macs: ['00:11:22:33:44:05'], ips: [], attributes: {}, assetId: 'PUMP-5', ...record },
    devices: [{ id: 'mac-001122334405', asset_id: null, mac: '00:11:22:33:44:05', ips: ['10.0.0.5'] } as unknown as DeviceView], key: 'mac', contested: false,
  });
  const run = (record: Partial<SorRecord>, sessions: SessionRow[]) => remoteAccessExceptions(undefined as never, [match(record)], sessions);

  it('unapproved: one high exception per record and tool, evidence the last sessions by event id; none once approved', () => {
    const sessions = [session({ id: 1 }), session({ id: 2, start_us: session({}).start_us + 60e6, evidence_frame: 40 }), session({ id: 3, tool: 'ssh', device_port: 22 })];
    const out = run({ remoteAccess: 'Philips RSN' }, sessions);
    expect(out.map((e) => [e.type, e.severity, e.observed, e.expected, e.field])).toEqual([
      ['remote_access_unapproved', 'high', 'SSH', 'Philips remote services', 'remote_access'],
      ['remote_access_unapproved', 'high', 'TeamViewer', 'Philips remote services', 'remote_access'],
    ]);
    const tv = out[1];
    expect(tv?.evidence).toEqual([
      { source: `remote_session:${sessionEventId(sessions[1] as SessionRow)}`, frame: 40, ts: '2026-12-05T08:01:00.000Z', capture: 'tv.pcap' },
      { source: `remote_session:${sessionEventId(sessions[0] as SessionRow)}`, frame: 4, ts: '2026-12-05T08:00:00.000Z', capture: 'tv.pcap' },
    ]);
    expect(tv?.message).toBe('TeamViewer reached PUMP-5 in 2 sessions (last 2026-12-05T08:01:00.000Z, from 203.0.113.9) but its record approves only "Philips remote services"');
    expect(run({ remoteAccess: 'TeamViewer 15; ssh' }, sessions)).toEqual([]);
    expect(run({ remoteAccess: 'any' }, sessions)).toEqual([]);
    expect(run({ remoteAccess: '' }, [session({})])[0]?.message).toMatch(/approves no remote access$/);
    expect(run({}, sessions)).toEqual([]); // no column mapped: no judgement
    // The same session stored twice (a capture replayed twice) counts once.
    expect(run({ remoteAccess: '' }, [session({ id: 1 }), session({ id: 9 })])[0]?.message).toMatch(/in 1 session /);
  });

  it('outside window: one medium exception per tool and day (in the window zone) however many sessions, none inside', () => {
    const sat = session({});
    const sat2 = session({ id: 3, start_us: sat.start_us + 3_600e6, evidence_frame: 77 });
    const satSsh = session({ id: 4, tool: 'ssh', device_port: 22 });
    const sun = session({ id: 5, start_us: Date.parse('2026-12-06T10:00:00Z') * 1000 });
    const mon = session({ id: 2, start_us: Date.parse('2026-12-07T14:00:00Z') * 1000 });
    const out = run({ serviceWindow: 'Mon-Fri 08:00-17:00 America/New_York' }, [sat, sat2, satSsh, sun, mon]);
    expect(out.map((e) => [e.type, e.severity, e.observed, e.evidence.map((x) => x.frame)])).toEqual([
      ['remote_access_outside_window', 'medium', '2026-12-05T08:00:00.000Z (Sat 03:00 America/New_York)', [4]],
      ['remote_access_outside_window', 'medium', '2026-12-05T09:00:00.000Z (Sat 04:00 America/New_York)', [77, 4]],
      ['remote_access_outside_window', 'medium', '2026-12-06T10:00:00.000Z (Sun 05:00 America/New_York)', [4]],
    ]);
    expect(out.map((e) => e.message)).toEqual([
      'SSH reached PUMP-5 in 1 session outside its service window "Mon-Fri 08:00-17:00 America/New_York" on 2026-12-05 (America/New_York; at Sat 03:00 America/New_York)',
      'TeamViewer reached PUMP-5 in 2 sessions outside its service window "Mon-Fri 08:00-17:00 America/New_York" on 2026-12-05 (America/New_York; last at Sat 04:00 America/New_York)',
      'TeamViewer reached PUMP-5 in 1 session outside its service window "Mon-Fri 08:00-17:00 America/New_York" on 2026-12-06 (America/New_York; at Sun 05:00 America/New_York)',
    ]);
    expect(out[1]?.evidence[0]?.source).toBe(`remote_session:${sessionEventId(sat2)}`);
    expect(new Set(out.map((e) => e.event_id)).size).toBe(3);
    // A 10,000-connection flood on one day is one exception.
    const flood = Array.from({ length: 10_000 }, (_, i) => session({ id: 100 + i, peer_port: 1024 + (i % 60000), start_us: sat.start_us + i * 1000 }));
    const flooded = run({ serviceWindow: 'Mon-Fri 08:00-17:00 America/New_York' }, flood);
    expect(flooded).toHaveLength(1);
    expect(flooded[0]?.evidence).toHaveLength(5);
    expect(flooded[0]?.message).toMatch(/in 10000 sessions outside/);
    expect(run({ serviceWindow: 'Sat 02:00-04:00 America/New_York' }, [sat])).toEqual([]);
    expect(run({}, [sat, mon])).toEqual([]);
  });
});
