/**
 * Golden tests: every lab fixture replayed through the whole pipeline (decode → observe →
 * identify → store) must give exactly the committed `devices --json` view plus its anomaly
 * counters. Goldens are written only by `npm run golden:update` (vitest never writes snapshots
 * when CI is set); review their diff like code.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listDevices } from '../../src/inventory/device-view.js';
import { silentLogger } from '../../src/log.js';
import { openPipeline } from '../../src/pipeline.js';
import { ROOT } from '../helpers/cli.js';

const GOLDEN_DIRS = ['dhcp', 'lldp', 'mdns', 'demo', 'dicom', 'hl7', 'tunnels'];

function fixtures(): string[] {
  const out: string[] = [];
  for (const d of GOLDEN_DIRS) {
    let names: string[] = [];
    try { names = readdirSync(join(ROOT, 'fixtures', d)); } catch { continue; }
    for (const n of names.sort()) if (/\.pcap(ng)?(\.gz)?$/.test(n)) out.push(join(ROOT, 'fixtures', d, n));
  }
  return out;
}

export async function goldenView(path: string): Promise<string> {
  const pipeline = openPipeline(':memory:', { logger: silentLogger() });
  await pipeline.replayFile(path);
  const devices = listDevices(pipeline.db, { withHistory: true });
  const counters = Object.fromEntries(pipeline.counters.entries().filter(([k]) => !k.startsWith('frames.') && !k.startsWith('inventory.devices_created')));
  pipeline.db.close();
  return `${JSON.stringify({ devices, counters }, null, 2)}\n`;
}

describe('golden outputs of the lab fixtures', () => {
  const files = fixtures();
  it('there are lab fixtures to check', () => {
    expect(files.length).toBeGreaterThan(3);
  });
  for (const file of files) {
    const rel = relative(join(ROOT, 'fixtures'), file);
    it(rel, async () => {
      const view = await goldenView(file);
      await expect(view).toMatchFileSnapshot(join(ROOT, 'test/golden', rel.replace(/\.pcap(ng)?(\.gz)?$/, '.devices.json')));
      // No decoder may throw on real traffic.
      expect(view).not.toContain('decoder_threw');
      expect(view).not.toContain('observer_threw');
    });
  }
});
