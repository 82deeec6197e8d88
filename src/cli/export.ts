/**
 * \summary `auscult export <target>`: the inventory in a shape another system imports.
 * `splunk-assets`: the Splunk Enterprise Security asset lookup CSV; `servicenow`: ServiceNow IRE
 * payloads (one JSON object per line, one per medical device); `ocsf-devices`: an inventory
 * snapshot, one OCSF Device Inventory Info (5001, Collect) line per device.
 */
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { servicenowPayloads } from '../output/servicenow.js';
import { listDevices } from '../inventory/device-view.js';
import { splunkAssetsCsv } from '../output/splunk-assets.js';
import { toOcsfSnapshot } from '../output/shapes.js';
import { newestCaptureTime } from '../reconcile/reconcile.js';
import { VERSION } from '../version.js';
import { dbOption, openExistingDb } from './common.js';

export function registerExport(program: Command): void {
  const exp = program.command('export').description('write the inventory in a shape another system imports (Splunk ES asset lookup, ServiceNow IRE payloads, OCSF inventory snapshot)');
  dbOption(
    exp.command('splunk-assets')
      .description('the inventory as a Splunk Enterprise Security asset lookup CSV (ip, mac, nt_host, dns, priority, bunit, category, is_expected, ...)')
      .option('--out <file>', 'write to this file instead of standard output'),
  ).addHelpText('after', `
Examples:
  $ auscult export splunk-assets --out auscult_assets.csv
  # Splunk ES: upload as a lookup file, then add it under Configure > Data Enrichment > Asset and Identity Management.`)
    .action((opts: { db: string; out?: string }) => {
      const db = openExistingDb(opts.db, { readonly: true });
      let csv: string;
      try {
        csv = splunkAssetsCsv(listDevices(db));
      } finally {
        db.close();
      }
      if (opts.out !== undefined) writeFileSync(opts.out, csv);
      else process.stdout.write(csv);
    });
  dbOption(
    exp.command('servicenow')
      .description('the medical devices as ServiceNow Identification and Reconciliation (IRE) payloads, one JSON object per line: a cmdb_ci_med_* CI with firmware and network location, and a "Detected by" relation to the sensor')
      .option('--out <file>', 'write to this file instead of standard output')
      .option('--sensor <name>', 'the sensor CI\'s name (default: this host name)'),
  ).addHelpText('after', `
Examples:
  $ auscult export servicenow | head -1 | jq .
  $ auscult push servicenow --instance https://example.service-now.com    # sends them (see --help)`)
    .action((opts: { db: string; out?: string; sensor?: string }) => {
      const db = openExistingDb(opts.db, { readonly: true });
      let text: string;
      try {
        text = servicenowPayloads(listDevices(db), opts.sensor ?? hostname()).map((p) => JSON.stringify(p.payload)).join('\n');
      } finally {
        db.close();
      }
      const out = text === '' ? '' : `${text}\n`;
      if (opts.out !== undefined) writeFileSync(opts.out, out);
      else process.stdout.write(out);
    });
  dbOption(
    exp.command('ocsf-devices')
      .description('an inventory snapshot: one OCSF 1.8.0 Device Inventory Info (5001, activity Collect) line per device, make in device.*, firmware, switch port and FDA class in unmapped.auscult.device')
      .option('--out <file>', 'write to this file instead of standard output')
      .option('--sensor <name>', 'the sensor name in each line (default: this host name)'),
  ).addHelpText('after', `
The snapshot's time is the newest capture time in the database (not the wall clock), so the same
database always gives the same lines. Changes after it arrive as lifecycle events (auscult events).

Examples:
  $ auscult export ocsf-devices --out inventory.ocsf.ndjson`)
    .action((opts: { db: string; out?: string; sensor?: string }) => {
      const db = openExistingDb(opts.db, { readonly: true });
      let text: string;
      try {
        const time = newestCaptureTime(db) ?? '1970-01-01T00:00:00.000Z';
        const ctx = { sensor: opts.sensor ?? hostname(), version: VERSION };
        text = listDevices(db).map((d) => JSON.stringify(toOcsfSnapshot({
          id: d.id, mac: d.mac, ip: d.ip, hostname: d.hostname, asset_id: d.asset_id, first_seen: d.first_seen, last_seen: d.last_seen,
          fields: {
            manufacturer: d.manufacturer, model: d.model, serial: d.serial, firmware: d.firmware, switch: d.switch, port: d.port, vlan: d.vlan,
            location: d.location, category: d.category, device_type: d.device_type, fda_class: d.fda_class, fda_product_code: d.fda_product_code,
          },
        }, ctx, time))).join('\n');
      } finally {
        db.close();
      }
      const out = text === '' ? '' : `${text}\n`;
      if (opts.out !== undefined) writeFileSync(opts.out, out);
      else process.stdout.write(out);
    });
}
