/**
 * \summary `auscult coverage`: what the monitored feed carries (tags, LLDP, CDP, option 82, mDNS)
 * and for how many devices a switch port is known.
 */
import type { Command } from 'commander';
import { coverageReport, type CoverageReport } from '../inventory/coverage.js';
import { dbOption, formatTable, openExistingDb, writeStdout } from './common.js';

export function registerCoverage(program: Command): void {
  dbOption(
    program
      .command('coverage')
      .description('what the feed carries: 802.1Q tags per VLAN, LLDP, CDP, DHCP option 82, mDNS, and switch ports known')
      .option('--json', 'the report as JSON'),
  ).addHelpText('after', `
Use it after a first replay or a few minutes of live capture to check the SPAN:
  $ auscult coverage`)
    .action((opts: { db: string; json?: boolean }) => {
      const db = openExistingDb(opts.db);
      const report = coverageReport(db);
      db.close();
      writeStdout(opts.json ? JSON.stringify(report, null, 2) : coverageText(report));
    });
}

const pct = (n: number, of: number) => (of === 0 ? '0%' : `${Math.round((100 * n) / of)}%`);

export function coverageText(r: CoverageReport): string {
  const lines = [
    `frames: ${r.frames} from ${r.captures} capture(s); 802.1Q tagged: ${r.frames_vlan_tagged} (${pct(r.frames_vlan_tagged, r.frames)})`,
    `VLANs seen tagged: ${r.vlans.length ? r.vlans.map((v) => `${v.vlan} (${v.devices} device${v.devices === 1 ? '' : 's'})`).join(', ') : 'none'}`,
    `encapsulations: ${r.encapsulations.length ? r.encapsulations.map((e) => `${e.encapsulation} (${e.frames} frames)`).join(', ') : 'none'}; not decapsulated: ${r.frames_not_decapsulated} frames`,
    '',
    formatTable(['PROTOCOL', 'FRAMES', 'DEVICES'], r.protocols.map((p) => [p.protocol, p.frames, p.senders])),
    '',
    `DHCP clients relayed with option 82: ${r.dhcp_relayed_option82_clients}`,
    `switch port known: ${r.devices_with_switch_port} of ${r.devices} devices (${pct(r.devices_with_switch_port, r.devices)}); location known: ${r.devices_with_location}; infrastructure: ${r.infrastructure_devices}`,
  ];
  if (r.hints.length) lines.push('', 'hints:', ...r.hints.map((h) => `  - ${h}`));
  return lines.join('\n');
}
