/**
 * \summary `auscult fleet`: per manufacturer and model, the firmware versions in use, how many
 * devices run each, when the sensor last verified it on the wire, and the advisory verdicts.
 */
import type { Command } from 'commander';
import { fleetFirmware } from '../advisories/fleet.js';
import { loadPatchInputs } from '../advisories/load.js';
import { openDatabase } from '../inventory/store.js';
import { terminalSafe } from './advisories.js';
import { dbOption, formatTable, writeStdout } from './common.js';

export function registerFleet(program: Command): void {
  dbOption(
    program.command('fleet')
      .description('firmware versions in use per manufacturer and model, with counts, last-verified times and advisory verdicts')
      .option('--json', 'as a JSON array'),
  ).action((opts: { db: string; json?: boolean }) => {
    const db = openDatabase(opts.db);
    const inputs = loadPatchInputs(db);
    db.close();
    const rows = fleetFirmware(inputs.devices, inputs.advisories);
    if (opts.json) { writeStdout(JSON.stringify(rows, null, 2)); return; }
    writeStdout(rows.length === 0 ? 'no device with a known manufacturer and model' : formatTable(
      ['MANUFACTURER', 'MODEL', 'FIRMWARE', 'DEVICES', 'LAST VERIFIED (UTC)', 'ADVISORIES'],
      rows.map((r) => [terminalSafe(r.manufacturer), terminalSafe(r.model), r.firmware === null ? null : terminalSafe(r.firmware), r.devices,
        r.last_verified === null ? null : r.last_verified.replace('T', ' ').slice(0, 19),
        Object.entries(r.verdicts).map(([a, v]) => `${a} ${v}`).join(', ') || null]), 60));
  });
}
