/**
 * \summary `auscult deferrals import <csv>` (approved patch deferrals with their compensating
 * controls; each import replaces the current list) and `auscult deferrals list`.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { AuscultError, EXIT } from '../errors.js';
import { listDeferrals, storeDeferrals, type Deferral } from '../inventory/advisory-store.js';
import { openDatabase } from '../inventory/store.js';
import { terminalSafe } from './advisories.js';
import { dbOption, formatTable, writeStdout } from './common.js';

/** Most rows one deferral file may hold. */
export const MAX_DEFERRAL_ROWS = 100_000;

const HEADERS: Readonly<Record<string, keyof Deferral>> = {
  asset_id: 'asset_id', asset: 'asset_id', asset_tag: 'asset_id', mac: 'mac', mac_address: 'mac',
  advisory: 'advisory_id', advisory_id: 'advisory_id', approved_by: 'approved_by', approver: 'approved_by',
  until: 'until', expires: 'until', required_vlan: 'required_vlan', vlan: 'required_vlan',
  required_segment: 'required_segment', segment: 'required_segment', note: 'note', notes: 'note',
};

/** Parses a deferral CSV: good rows, and `file:line: reason` for every bad one. */
export function parseDeferrals(text: string, file: string): { rows: Deferral[]; errors: string[] } {
  const errors: string[] = [];
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, to_line: MAX_DEFERRAL_ROWS + 1 }) as string[][];
  } catch (err) {
    return { rows: [], errors: [`${file}: ${(err as Error).message}`] };
  }
  const header = (records[0] ?? []).map((h) => HEADERS[h.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_')]);
  if (!header.includes('advisory_id') || !header.includes('approved_by') || !header.includes('until') || !(header.includes('asset_id') || header.includes('mac'))) {
    return { rows: [], errors: [`${file}:1: the header needs asset_id or mac, advisory_id, approved_by and until`] };
  }
  const rows: Deferral[] = [];
  records.slice(1).forEach((cells, i) => {
    const line = i + 2;
    const get = (k: keyof Deferral): string | null => {
      const at = header.indexOf(k);
      const v = at === -1 ? undefined : cells[at]?.trim();
      return v === undefined || v === '' ? null : v;
    };
    const bad = (reason: string): void => { errors.push(`${file}:${line}: ${reason}`); };
    const macRaw = get('mac');
    const hex = macRaw?.toLowerCase().replace(/[^0-9a-f]/g, '') ?? '';
    if (macRaw !== null && hex.length !== 12) return bad(`mac ${JSON.stringify(macRaw)} is not a MAC address`);
    const mac = macRaw === null ? null : (hex.match(/../g) ?? []).join(':');
    const asset = get('asset_id');
    if (asset === null && mac === null) return bad('neither asset_id nor mac');
    const advisory = get('advisory_id');
    if (advisory === null) return bad('advisory_id is empty');
    const approved = get('approved_by');
    if (approved === null) return bad('approved_by is empty');
    const until = get('until');
    if (until === null || !/^\d{4}-\d{2}-\d{2}$/.test(until) || Number.isNaN(Date.parse(`${until}T00:00:00Z`))) return bad(`until ${JSON.stringify(until)} is not a date (YYYY-MM-DD)`);
    const vlanRaw = get('required_vlan');
    const vlan = vlanRaw === null ? null : Number(vlanRaw);
    if (vlan !== null && (!Number.isInteger(vlan) || vlan < 1 || vlan > 4094)) return bad(`required_vlan ${JSON.stringify(vlanRaw)} is not a VLAN id (1-4094)`);
    const segment = get('required_segment');
    if (segment !== null && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(segment)) return bad(`required_segment ${JSON.stringify(segment)} is not an IPv4 CIDR`);
    rows.push({ asset_id: asset, mac, advisory_id: advisory, approved_by: approved, until, required_vlan: vlan, required_segment: segment, note: get('note'), file, line });
  });
  return { rows, errors };
}

export function registerDeferrals(program: Command): void {
  const cmd = program.command('deferrals').description('approved patch deferrals and their compensating controls');
  dbOption(
    cmd.command('import')
      .description('load the approved deferrals (CSV); replaces the current list')
      .argument('<csv>', 'columns: asset_id or mac, advisory_id, approved_by, until (YYYY-MM-DD), required_vlan, required_segment (IPv4 CIDR), note'),
  ).addHelpText('after', `
A deferred device raises no vulnerable_firmware for that advisory; instead deferral_expired once
the capture time passes its last day, and compensating_control_violated when the sensor sees it
outside its required VLAN or segment. Every bad row is printed as file:line: reason and nothing
is imported (exit 65).

Example:
  $ auscult deferrals import deferrals.csv && auscult reconcile`)
    .action((csvPath: string, opts: { db: string }) => {
      let text: string;
      try {
        text = readFileSync(csvPath, 'utf8');
      } catch (err) {
        throw new AuscultError('AUS_ERR_CSV_FILE', `unreadable: ${(err as Error).message}`, { file: csvPath });
      }
      const { rows, errors } = parseDeferrals(text, csvPath);
      for (const e of errors) process.stderr.write(`${terminalSafe(e)}\n`);
      if (errors.length > 0) {
        process.stderr.write(`auscult: ${errors.length} bad row(s); nothing imported [AUS_ERR_CSV_ROW]\n`);
        process.exitCode = EXIT.DATAERR;
        return;
      }
      const db = openDatabase(opts.db);
      try {
        storeDeferrals(db, rows, new Date().toISOString());
      } finally {
        db.close();
      }
      process.stderr.write(`${csvPath}: ${rows.length} deferral(s) imported; run \`auscult reconcile\` to apply them\n`);
    });
  dbOption(cmd.command('list').description('the current deferrals').option('--json', 'as JSON')).action((opts: { db: string; json?: boolean }) => {
    const db = openDatabase(opts.db);
    const rows = listDeferrals(db);
    db.close();
    if (opts.json) { writeStdout(JSON.stringify(rows, null, 2)); return; }
    writeStdout(rows.length === 0 ? 'no deferrals' : formatTable(['ASSET', 'MAC', 'ADVISORY', 'APPROVED BY', 'UNTIL', 'VLAN', 'SEGMENT', 'NOTE'],
      rows.map((r) => [r.asset_id, r.mac, r.advisory_id, terminalSafe(r.approved_by), r.until, r.required_vlan, r.required_segment, r.note === null ? null : terminalSafe(r.note)]), 40));
  });
}
