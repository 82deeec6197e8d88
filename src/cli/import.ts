/**
 * \summary `auscult import <csv>`: load a system-of-record export (CMMS / CMDB CSV) as the
 * current snapshot that reconciliation compares the network against.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AuscultError, EXIT } from '../errors.js';
import { loadColumnMapping } from '../reconcile/column-mapping.js';
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
      .option('--skip-bad-rows', 'import the good rows even if some are bad (the bad ones are still listed)'),
  ).addHelpText('after', `
Columns are recognised by name with no configuration (asset tag, manufacturer/make/vendor, model,
serial, MAC in any spelling, IP, hostname, VLAN, location, department, room, switch, port,
firmware/software version, OS, FDA class, owner); other columns are kept as attributes.
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
      if (opts.preset !== undefined) options.preset = opts.preset;
      const parsed = await parseSorCsv(csvPath, options);
      for (const w of parsed.warnings) process.stderr.write(`auscult: warning: ${w}\n`);
      for (const e of parsed.errors) process.stderr.write(`${formatSorRowError(e)}\n`);
      const bad = new Set(parsed.errors.map((e) => e.line)).size;

      if (opts.dryRun) {
        writeStdout(formatTable(['COLUMN', 'FIELD', 'USE'], parsed.columns.map((c) => [c.header, c.field, c.use])));
        writeStdout(`\n${csvPath}: ${parsed.records.length} good record(s), ${bad} bad row(s), encoding ${parsed.encoding}, delimiter ${JSON.stringify(parsed.delimiter)} (dry run: nothing written)`);
        process.exitCode = bad > 0 && !opts.skipBadRows ? EXIT.DATAERR : EXIT.OK;
        return;
      }
      if (bad > 0 && !opts.skipBadRows) {
        process.stderr.write(`auscult: ${csvPath}: ${bad} bad row(s); nothing imported (fix them, or use --skip-bad-rows) [AUS_ERR_CSV_ROW]\n`);
        process.exitCode = EXIT.DATAERR;
        return;
      }
      if (parsed.records.length === 0) {
        throw new AuscultError('AUS_ERR_CSV_ROW', 'no records to import; the current snapshot is unchanged', { file: csvPath });
      }
      const sha256 = createHash('sha256').update(readFileSync(csvPath)).digest('hex');
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
