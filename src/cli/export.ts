/**
 * \summary `auscult export <target>`: the inventory in a shape another system imports.
 * `splunk-assets`: the Splunk Enterprise Security asset lookup CSV; `servicenow`: ServiceNow IRE
 * payloads (one JSON object per line, one per medical device).
 */
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { servicenowPayloads } from '../output/servicenow.js';
import { listDevices } from '../inventory/device-view.js';
import { splunkAssetsCsv } from '../output/splunk-assets.js';
import { dbOption, openExistingDb } from './common.js';

export function registerExport(program: Command): void {
  const exp = program.command('export').description('write the inventory in a shape another system imports (Splunk ES asset lookup, ServiceNow IRE payloads)');
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
}
