import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auscult, ROOT } from '../helpers/cli.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../helpers/shared.js';

const dir = mkdtempSync(join(tmpdir(), 'auscult-coverage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auscult coverage', () => {
  it('reports tags per VLAN, discovery protocols, option 82 and switch ports known', () => {
    const db = join(dir, 'a.db');
    expect(auscult(['replay', join(ROOT, 'fixtures/lldp/lab-switch-endpoints-vlans.pcapng'), '--db', db]).code).toBe(0);
    const r = JSON.parse(auscult(['coverage', '--db', db, '--json']).stdout) as {
      frames: number; frames_vlan_tagged: number; vlans: { vlan: number }[]; protocols: { protocol: string; frames: number }[];
      dhcp_relayed_option82_clients: number; devices_with_switch_port: number; hints: string[];
    };
    expect(r.frames_vlan_tagged).toBe(r.frames);
    expect(r.vlans.length).toBeGreaterThan(1);
    expect(r.protocols.find((p) => p.protocol === 'lldp')?.frames).toBeGreaterThan(0);
    expect(r.protocols.find((p) => p.protocol === 'cdp')?.frames).toBeGreaterThan(0);
    expect(r.dhcp_relayed_option82_clients).toBe(3);
    expect(r.devices_with_switch_port).toBe(3);
    expect(r.hints).toEqual([]);
    const text = auscult(['coverage', '--db', db]);
    expect(text.stdout).toMatch(/switch port known: 3 of \d+ devices/);
  });

  it('hints at a SPAN that strips tags and carries no LLDP/CDP', () => {
    const db = join(dir, 'b.db');
    expect(auscult(['replay', join(ROOT, 'fixtures/dhcp/lab-dhcp-clients.pcapng'), '--db', db]).code).toBe(0);
    const text = auscult(['coverage', '--db', db]).stdout;
    expect(text).toContain('No 802.1Q tags');
    expect(text).toContain('No LLDP or CDP');
  });

  it.skipIf(!sharedAvailable('captures', 'encap'))(`names the encapsulations of an ERSPAN feed and counts what it could not open (${sharedAvailable('captures', 'encap') ? 'shared captures' : SHARED_SKIP_REASON})`, () => {
    const db = join(dir, 'c.db');
    const feeds = ['erspan/zeek__erspanII.pcap', 'erspan/tcpdump__erspan-type-iii-pb-1.pcap'].map((f) => sharedPath('captures', 'encap', f));
    expect(auscult(['replay', ...feeds, '--db', db]).code).toBe(0);
    const r = JSON.parse(auscult(['coverage', '--db', db, '--json']).stdout) as {
      encapsulations: { encapsulation: string; frames: number }[]; frames_not_decapsulated: number; not_decapsulated: { anomaly: string; frames: number }[];
      devices: number; hints: string[];
    };
    // The ERSPAN III header of the second capture is cut short: GRE was opened, ERSPAN III not.
    expect(r.encapsulations).toEqual([{ encapsulation: 'erspan2', frames: 4 }, { encapsulation: 'gre', frames: 5 }]);
    expect(r.not_decapsulated).toEqual([{ anomaly: 'erspan.truncated', frames: 1 }]);
    expect(r.frames_not_decapsulated).toBe(1);
    // The two mirrored hosts; the ERSPAN II source 2.2.2.2, whose TTL 254 says it is one hop behind
    // the router that sent its frames (issue 13: IP-keyed, not bound to the router's MAC), and that
    // router (64:00:f1:e2:01:01); the IPv6 ERSPAN III source (raw-IP link: IP-keyed).
    expect(r.devices).toBe(5);
    expect(r.hints.some((h) => h.startsWith('1 frames carried a tunnel'))).toBe(true);
    expect(auscult(['coverage', '--db', db]).stdout).toContain('encapsulations: erspan2 (4 frames), gre (5 frames); not decapsulated: 1 frames');
  });
});
