/**
 * \summary `auscult import <csv>`: load a system-of-record export (CMMS / CMDB CSV) as the
 * current snapshot that reconciliation compares the network against.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AuscultError, EXIT } from '../errors.js';
import { loadColumnMapping, nearMissOf, withIgnoredColumns, type NearMiss } from '../reconcile/column-mapping.js';
import { parseSorCsv, type SorImportOptions } from '../reconcile/import-csv.js';
import { formatSorRowError } from '../reconcile/sor-record.js';
import { storeSorSnapshot } from '../reconcile/sor-store.js';
import { dbOption, formatTable, openDb, writeStdout } from './common.js';

interface ImportOptions {
  db: string;
  mapping?: string;
  preset?: string;
  dryRun?: boolean;
  skipBadRows?: boolean;
  ignoreColumn?: string[];
}

export function registerImport(program: Command): void {
  dbOption(
    program
      .command('import')
      .description('load a system-of-record export (CSV from a CMMS or CMDB) as the inventory to reconcile against')
      .argument('<csv>', 'the export: UTF-8 (BOM or not) or Windows-1252, delimited by , ; or tab')
      .option('--mapping <file>', 'a column-mapping YAML (headers → fields, location split patterns)')
      .option('--preset <name>', 'column names of a known export: servicenow-cmdb-ci, biomed-cmms')
      .option('--dry-run', 'parse and show the column mapping and counts; write nothing')
      .option('--skip-bad-rows', 'import the good rows even if some are bad (the bad ones are still listed)')
      .option('--ignore-column <header...>', 'drop these columns (e.g. one whose name is a near miss of a known column, or free-text notes)'),
  ).addHelpText('after', `
Columns are recognised by name with no configuration (asset tag, manufacturer/make/vendor, model,
serial, MAC in any spelling, IP, hostname, VLAN, location, department, room, switch, port,
firmware/software version, OS, FDA class, owner, remote access, service window); other columns
are kept as attributes. Remote access lists the approved tools ("TeamViewer; Philips RSN");
a service window is "DAYS HH:MM-HH:MM [ZONE]" ("Mon-Fri 08:00-17:00 America/New_York"; README
"Remote access exceptions"): a bad one is a row error.
A column whose name is one typo away from a known one ("MAC Adress") is reported by --dry-run
and refused by import (exit 78) until it is mapped (--mapping) or dropped (--ignore-column).
Every bad row is printed as file:line: reason and nothing is imported (exit 65) unless
--skip-bad-rows. A re-import replaces the current snapshot in one transaction and keeps the
older ones as history. Run \`auscult reconcile\` afterwards to see the exceptions.

Examples:
  $ auscult import cmms-export.csv --dry-run
  $ auscult import cmdb_ci.csv --preset servicenow-cmdb-ci
  $ auscult import biomed.csv --mapping biomed.mapping.yaml --skip-bad-rows`)
    .action(async (csvPath: string, opts: ImportOptions) => {
      const options: SorImportOptions = {};
      if (opts.mapping !== undefined) options.mapping = await loadColumnMapping(opts.mapping);
      if (opts.ignoreColumn !== undefined && opts.ignoreColumn.length > 0) options.mapping = withIgnoredColumns(options.mapping, opts.ignoreColumn);
      if (opts.preset !== undefined) options.preset = opts.preset;
      const parsed = await parseSorCsv(csvPath, options);
      // A column kept as a spare attribute whose name nearly is a known column is a typo, not data.
      const nearMisses = parsed.columns.filter((c) => c.use === 'attribute').map((c) => nearMissOf(c.header)).filter((n): n is NearMiss => n !== undefined);
      const nearMissText = (n: NearMiss) => `column "${n.header}" looks like "${n.alias}" (${n.field}) but is not mapped: map it (--mapping) or drop it (--ignore-column "${n.header}")`;
      for (const w of parsed.warnings) process.stderr.write(`auscult: warning: ${w}\n`);
      for (const e of parsed.errors) process.stderr.write(`${formatSorRowError(e)}\n`);
      const bad = new Set(parsed.errors.map((e) => e.line)).size;

      if (opts.dryRun) {
        writeStdout(formatTable(['COLUMN', 'FIELD', 'USE'], parsed.columns.map((c) => [c.header, c.field, c.use])));
        for (const n of nearMisses) writeStdout(`near miss: ${nearMissText(n)}`);
        writeStdout(`\n${csvPath}: ${parsed.records.length} good record(s), ${bad} bad row(s), encoding ${parsed.encoding}, delimiter ${JSON.stringify(parsed.delimiter)}${nearMisses.length > 0 ? `, ${nearMisses.length} near-miss column(s)` : ''} (dry run: nothing written)`);
        process.exitCode = bad > 0 && !opts.skipBadRows ? EXIT.DATAERR : nearMisses.length > 0 ? EXIT.CONFIG : EXIT.OK;
        return;
      }
      if (nearMisses.length > 0) {
        for (const n of nearMisses.slice(1)) process.stderr.write(`auscult: ${csvPath}: ${nearMissText(n)}\n`);
        throw new AuscultError('AUS_ERR_MAPPING', `${nearMissText(nearMisses[0] as NearMiss)}; nothing imported`, { file: csvPath });
      }
      if (bad > 0 && !opts.skipBadRows) {
        process.stderr.write(`auscult: ${csvPath}: ${bad} bad row(s); nothing imported (fix them, or use --skip-bad-rows) [AUS_ERR_CSV_ROW]\n`);
        process.exitCode = EXIT.DATAERR;
        return;
      }
      if (parsed.records.length === 0) {
        throw new AuscultError('AUS_ERR_CSV_ROW', 'no records to import; the current snapshot is unchanged', { file: csvPath });
      }
      const sha256 = parsed.sha256 ?? createHash('sha256').update(readFileSync(csvPath)).digest('hex');
      const db = openDb(opts.db);
      try {
        const id = storeSorSnapshot(db, {
          file: csvPath, sha256, importedAt: new Date().toISOString(), encoding: parsed.encoding, skippedRows: bad, records: parsed.records,
        });
        process.stderr.write(`${csvPath}: ${parsed.records.length} record(s) imported as snapshot ${id}${bad > 0 ? `, ${bad} bad row(s) skipped` : ''} (${parsed.encoding}); run \`auscult reconcile\` to compare\n`);
      } finally {
        db.close();
      }
    });
}
