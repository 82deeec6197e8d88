import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unknownDevices } from '../../../src/cli/unknown.js';
import { listDevices } from '../../../src/inventory/device-view.js';
import { silentLogger } from '../../../src/log.js';
import { openPipeline } from '../../../src/pipeline.js';
import { auscult, ROOT } from '../../helpers/cli.js';

describe('auscult unknown', () => {
  it('lists only devices without device type or model, with evidence and a rule skeleton that has an example', async () => {
    const p = openPipeline(':memory:', { logger: silentLogger() });
    await p.replayFile(join(ROOT, 'fixtures/demo/hospital-demo.pcapng'));
    const devices = listDevices(p.db);
    p.db.close();
    const unknown = unknownDevices(devices);
    expect(unknown.map((u) => [u.mac, u.missing])).toEqual([
      ['00:0b:db:3e:71:01', ['model']],
      ['02:a5:00:00:00:0a', ['device_type', 'model']],
    ]);
    const ws = unknown[0]!;
    expect(ws.evidence.find((e) => e.field === 'dhcp_vendor_class')?.values).toEqual(['MSFT 5.0']);
    expect(ws.skeleton).toMatch(/matches: dhcp\.vendor_class\n/);
    expect(ws.skeleton).toMatch(/pattern: '\^MSFT 5\\\.0\$'/);
    // Issue 16: "MSFT 5.0" is every Windows PC; the draft is held to the MAC block's vendor and claims no manufacturer.
    expect(ws.skeleton).toMatch(/also: \{ oui\.vendor: \{ exact: 'Dell Inc\.' \} \}/);
    expect(ws.skeleton).not.toMatch(/manufacturer:/);
    expect(ws.skeleton).toMatch(/certainty: generic/);
    expect(ws.skeleton).toMatch(/examples:\n {6}- input: \{ dhcp\.vendor_class: 'MSFT 5\.0', oui\.vendor: 'Dell Inc\.' \}/);
    expect(unknown[1]!.skeleton).toBeNull();
  });

  it('CLI: text and --json', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'aus-unknown-')), 'a.db');
    expect(auscult(['replay', 'fixtures/dhcp/lab-dhcp-clients.pcapng', '--db', db]).code).toBe(0);
    const text = auscult(['unknown', '--db', db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/1 of 4 device\(s\) not fully identified/);
    const json = JSON.parse(auscult(['unknown', '--db', db, '--json']).stdout) as { mac: string }[];
    expect(json.map((u) => u.mac)).toEqual(['02:a5:00:20:00:01']);
  });
});
