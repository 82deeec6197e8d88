/**
 * \summary `auscult devices`: the inventory as a table, JSON (design.md contract) or CSV.
 */
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { listDevices, type DeviceView } from '../inventory/device-view.js';
import { dbOption, formatTable, openExistingDb, writeStdout } from './common.js';

export function registerDevices(program: Command): void {
  dbOption(
    program
      .command('devices')
      .description('list every device heard, with identity, addresses and location')
      .option('--json', 'a JSON array, one object per device, with the evidence for each field')
      .option('--csv', 'CSV, one row per device (cells starting with = + - @ are escaped for spreadsheets)'),
  ).addHelpText('after', `
Examples:
  $ auscult devices
  $ auscult devices --json | jq '.[] | select(.category == "medical") | {mac, model, firmware}'
  $ auscult devices --csv > inventory.csv

ip is chosen by rank: LLDP/CDP management IPv4 > DHCP lease > ARP-confirmed IPv4 > IPv4 seen as
source > global IPv6 > unique-local IPv6; link-local addresses are listed in ips, never ip.
vlans: every VLAN a device's own frames carry at once (trunk, router). aliases: other MACs that
are the same device (a switch's port and management MACs); 'auscult device <alias>' finds it.`)
    .action((opts: { db: string; json?: boolean; csv?: boolean }) => {
      const db = openExistingDb(opts.db);
      const devices = listDevices(db);
      db.close();
      if (opts.json) {
        writeStdout(JSON.stringify(devices, null, 2));
        return;
      }
      if (opts.csv) {
        process.stdout.write(devicesCsv(devices));
        return;
      }
      writeStdout(devicesTable(devices));
    });
}

export function devicesTable(devices: DeviceView[]): string {
  if (devices.length === 0) return 'no devices (replay a capture first: auscult replay <file>)';
  const rows = devices.map((d) => [
    d.mac ?? '(via router)', d.ip, d.hostname, d.vlan, d.manufacturer, d.model, d.firmware,
    d.switch && d.port ? `${d.switch} ${d.port}` : (d.port ?? d.switch), d.category, d.last_seen.replace('T', ' ').slice(0, 19),
  ]);
  return formatTable(['MAC', 'IP', 'HOSTNAME', 'VLAN', 'MANUFACTURER', 'MODEL', 'FIRMWARE', 'SWITCH PORT', 'CATEGORY', 'LAST SEEN (UTC)'], rows) +
    `\n${devices.length} device(s)`;
}

/** CSV columns of `devices --csv`: the scalar fields of `devices --json`. */
export const DEVICE_CSV_COLUMNS = ['id', 'mac', 'ip', 'ips', 'hostname', 'vlan', 'switch', 'port', 'location', 'manufacturer', 'model', 'firmware',
  'serial', 'os', 'device_type', 'fda_class', 'fda_product_code', 'category', 'asset_id', 'first_seen', 'last_seen'] as const;

/** Devices as CSV. Host names and TXT values are attacker-controlled: escape_formulas prefixes = + - @ tab CR with a quote. */
export function devicesCsv(devices: DeviceView[]): string {
  const rows = devices.map((d) => DEVICE_CSV_COLUMNS.map((c) => (c === 'ips' ? d.ips.join(' ') : d[c])));
  return stringify([[...DEVICE_CSV_COLUMNS], ...rows], { escape_formulas: true });
}
