/**
 * \summary `auscult export <target>`: the inventory in a shape another system imports.
 * `splunk-assets`: the Splunk Enterprise Security asset lookup CSV.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { listDevices } from '../inventory/device-view.js';
import { openDatabase } from '../inventory/store.js';
import { splunkAssetsCsv } from '../output/splunk-assets.js';
import { dbOption } from './common.js';

export function registerExport(program: Command): void {
  const exp = program.command('export').description('write the inventory in a shape another system imports (Splunk ES asset lookup)');
  dbOption(
    exp.command('splunk-assets')
      .description('the inventory as a Splunk Enterprise Security asset lookup CSV (ip, mac, nt_host, dns, priority, bunit, category, is_expected, ...)')
      .option('--out <file>', 'write to this file instead of standard output'),
  ).addHelpText('after', `
Examples:
  $ auscult export splunk-assets --out auscult_assets.csv
  # Splunk ES: upload as a lookup file, then add it under Configure > Data Enrichment > Asset and Identity Management.`)
    .action((opts: { db: string; out?: string }) => {
      const db = openDatabase(opts.db, { readonly: true });
      let csv: string;
      try {
        csv = splunkAssetsCsv(listDevices(db));
      } finally {
        db.close();
      }
      if (opts.out !== undefined) writeFileSync(opts.out, csv);
      else process.stdout.write(csv);
    });
}
