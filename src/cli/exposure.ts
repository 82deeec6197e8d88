/**
 * \summary `auscult exposure`: the exposure register (device × advisory × CVE × verdict ×
 * remediation), affected first, then CISA KEV, then CVSS; and `auscult advisory <id>`: one
 * advisory, its revisions and the fleet it touches.
 */
import { Option, type Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { loadExposure } from '../advisories/load.js';
import { VERDICTS, type ExposureRow } from '../advisories/exposure.js';
import { EXIT } from '../errors.js';
import { listPatchEvents, listRevisions } from '../inventory/advisory-store.js';
import { openDatabase } from '../inventory/store.js';
import { terminalSafe } from './advisories.js';
import { dbOption, formatTable, writeStdout } from './common.js';

export const EXPOSURE_COLUMNS = ['verdict', 'advisory_id', 'advisory_version', 'cve', 'cvss', 'kev', 'device_id', 'asset_id', 'mac', 'manufacturer', 'model', 'firmware',
  'firmware_capture', 'firmware_frame', 'remediation', 'reasons'] as const;

/** One row as CSV cells (evidence and reasons flattened). */
export function exposureCells(r: ExposureRow): (string | number | boolean | null)[] {
  return [r.verdict, r.advisory_id, r.advisory_version, r.cve ?? r.vulnerability, r.cvss, r.kev, r.device_id, r.asset_id, r.mac, r.manufacturer, r.model, r.firmware,
    r.firmware_evidence?.capture ?? null, r.firmware_evidence?.frame ?? null, r.remediation, r.reasons.join('; ')];
}

/** The register as CSV; cells starting with = + - @ tab or CR are prefixed with ' (a spreadsheet shows, not runs, them). */
export function exposureCsv(rows: readonly ExposureRow[]): string {
  return stringify([[...EXPOSURE_COLUMNS], ...rows.map(exposureCells)], { escape_formulas: true, cast: { boolean: (b) => (b ? 'true' : 'false') } });
}

export const EXPOSURE_SORTS = ['risk', 'cvss', 'kev', 'device', 'advisory'] as const;
export type ExposureSort = (typeof EXPOSURE_SORTS)[number];

/** Reorders the register (it comes in `risk` order); every other order is stable on `risk`. */
export function sortExposureBy(rows: ExposureRow[], key: ExposureSort): ExposureRow[] {
  const by: Record<ExposureSort, ((a: ExposureRow, b: ExposureRow) => number) | undefined> = {
    risk: undefined,
    cvss: (a, b) => (b.cvss ?? -1) - (a.cvss ?? -1),
    kev: (a, b) => Number(b.kev) - Number(a.kev),
    device: (a, b) => (a.asset_id ?? a.mac ?? a.device_id).localeCompare(b.asset_id ?? b.mac ?? b.device_id),
    advisory: (a, b) => a.advisory_id.localeCompare(b.advisory_id),
  };
  const cmp = by[key];
  return cmp === undefined ? rows : [...rows].sort(cmp);
}

export function exposureText(rows: readonly ExposureRow[]): string {
  if (rows.length === 0) return 'no device matches an imported advisory';
  return formatTable(['VERDICT', 'ADVISORY', 'CVE', 'CVSS', 'KEV', 'DEVICE', 'MODEL', 'FIRMWARE', 'CAPTURE#FRAME', 'REMEDIATION'],
    rows.map((r) => [r.verdict, r.advisory_id, r.cve ?? r.vulnerability, r.cvss === null ? null : r.cvss.toFixed(1), r.kev ? 'yes' : null, r.asset_id ?? r.mac ?? r.device_id,
      terminalSafe(`${r.manufacturer ?? ''} ${r.model ?? ''}`.trim()), r.firmware === null ? null : terminalSafe(r.firmware),
      r.firmware_evidence === null ? null : `${r.firmware_evidence.capture ?? '?'}#${r.firmware_evidence.frame}`, r.remediation === null ? null : terminalSafe(r.remediation)]), 40);
}

export function registerExposure(program: Command): void {
  dbOption(
    program.command('exposure')
      .description('the exposure register: every device an imported advisory names, with a verdict per CVE')
      .option('--json', 'as a JSON array (with reasons and the firmware\'s evidence frame)')
      .option('--csv', 'as CSV (formula-safe)')
      .addOption(new Option('--verdict <v>', 'only rows with this verdict').choices(VERDICTS))
      .option('--kev', 'only rows whose CVE is in CISA KEV (known exploited)')
      .addOption(new Option('--sort <key>', 'order (risk: affected first, then KEV, then CVSS)').choices(EXPOSURE_SORTS).default('risk')),
  ).addHelpText('after', `
Verdicts: affected (the firmware seen on the wire is in an affected range), fixed, not_affected,
unverifiable (the firmware is unknown or cannot be compared with what the advisory writes).
Sorted affected first, then known exploited (CISA KEV, auscult advisories kev), then CVSS.

Examples:
  $ auscult exposure
  $ auscult exposure --json | jq '.[] | select(.verdict == "affected") | {device_id, advisory_id, cve, reasons}'
  $ auscult exposure --csv > exposure.csv
  $ auscult exposure --kev --sort cvss             # known exploited first by CVSS`)
    .action((opts: { db: string; json?: boolean; csv?: boolean; verdict?: string; kev?: boolean; sort: string }) => {
      const db = openDatabase(opts.db);
      let rows = sortExposureBy(loadExposure(db), opts.sort as ExposureSort);
      db.close();
      if (opts.verdict !== undefined) rows = rows.filter((r) => r.verdict === opts.verdict);
      if (opts.kev === true) rows = rows.filter((r) => r.kev);
      if (opts.json) writeStdout(JSON.stringify(rows, null, 2));
      else if (opts.csv) process.stdout.write(exposureCsv(rows));
      else writeStdout(exposureText(rows));
    });

  dbOption(
    program.command('advisory')
      .description('one advisory: its revisions, the devices it names with their verdicts, and the patches verified')
      .argument('<id>', 'the advisory\'s tracking id, e.g. ICSMA-20-254-01')
      .option('--json', 'as JSON'),
  ).action((id: string, opts: { db: string; json?: boolean }) => {
    const db = openDatabase(opts.db);
    const revisions = listRevisions(db, id);
    const rows = revisions.length === 0 ? [] : loadExposure(db, id);
    const patches = listPatchEvents(db).filter((p) => p.advisory_id.toUpperCase() === id.toUpperCase()).map((p) => JSON.parse(p.line) as Record<string, unknown>);
    db.close();
    if (revisions.length === 0) {
      process.stderr.write(`auscult: no imported advisory ${JSON.stringify(terminalSafe(id))}\n`);
      process.exitCode = EXIT.NOT_FOUND;
      return;
    }
    if (opts.json) { writeStdout(JSON.stringify({ revisions, exposure: rows, patches_verified: patches }, null, 2)); return; }
    const head = revisions[0];
    const lines = [`${head?.tracking_id ?? id}: ${terminalSafe(head?.title ?? '')}`, '', 'revisions:'];
    lines.push(formatTable(['REV', 'RELEASED', 'FILE', 'SHA256'], revisions.map((r) => [r.version, r.current_release_date, terminalSafe(r.file), r.sha256.slice(0, 16)]), 60));
    lines.push('', 'devices:', exposureText(rows));
    lines.push('', 'patches verified:');
    lines.push(patches.length === 0 ? '(none)' : formatTable(['TIME', 'DEVICE', 'OLD', 'NEW'], patches.map((p) => [String(p['ts']), String(p['asset_id'] ?? p['device_id']), terminalSafe(String(p['old_version'])), terminalSafe(String(p['new_version']))]), 40));
    writeStdout(lines.join('\n'));
  });
}
