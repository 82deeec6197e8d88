/**
 * \summary `auscult report --out DIR`: the auditor evidence packet (HTML + CSV), after a
 * reconciliation so it shows the current exceptions.
 */
import type { Command } from 'commander';
import { buildReport, writeReport } from '../output/report.js';
import { buildProfileReport } from '../output/report-profile.js';
import { reconcileAndStream } from '../reconcile/reconcile.js';
import { dbOption, openExistingDb } from './common.js';
import { configuredPeerPolicy, streamOption } from './reconcile.js';

export function registerReport(program: Command): void {
  streamOption(dbOption(
    program
      .command('report')
      .description('write the auditor evidence packet (HICP 9.1): index.html and CSV files')
      .requiredOption('--out <dir>', 'directory to write index.html, inventory.csv, completeness.csv, exceptions.csv, changes.csv')
      .option('--config <file>', 'take profile.allowed_external and profile.mud_dir from this config (default: AUSCULT_CONFIG, else the default config file when present)'),
  )).addHelpText('after', `
The report first reconciles (as \`auscult reconcile\` does, appending any new or resolved
exceptions to the stream), then writes one self-contained HTML page (no scripts, no external
assets) and the CSV files (formula cells escaped).

Example:
  $ auscult report --out evidence-2026-q1 && xdg-open evidence-2026-q1/index.html`)
    .action((opts: { db: string; out: string; stream: string; config?: string }) => {
      const db = openExistingDb(opts.db);
      try {
        // No name holds the reconciliation: once the report data is built, its match of every
        // record can be collected while the files are written.
        const data = buildReport(db, reconcileAndStream(db, opts.stream, { peers: configuredPeerPolicy(opts.config) }));
        data.profile = buildProfileReport(db);
        const files = writeReport(opts.out, data);
        const open = data.register.filter((e) => e.status === 'open').length;
        process.stderr.write(`${opts.out}: ${files.join(', ')} (${data.inventory.length} inventory rows, ${open} open exception(s), ${data.changes.length} change(s))\n`);
      } finally {
        db.close();
      }
    });
}
