/**
 * \summary `auscult unknown`: devices no rule identified (no device type or no model), with their
 * PHI-free identity evidence (DHCP options 60/55, hostname, LLDP system description, DNS-SD TXT
 * keys, DICOM AE titles and implementation UIDs, HL7 MSH-3) and, for each, a fingerprint rule
 * skeleton with one example, ready to edit into fingerprints/.
 *
 * Only evidence fields on an allowlist are printed; they come from observers that already keep
 * patient data out (observe/), so nothing here can echo a payload.
 */
import type { Command } from 'commander';
import { listDevices, type DeviceView } from '../inventory/device-view.js';
import { dbOption, openExistingDb, writeStdout } from './common.js';

/** Evidence fields shown, and the observation field a rule on each would match. */
export const UNKNOWN_EVIDENCE: readonly { field: string; matches: string; label: string }[] = [
  { field: 'dhcp_vendor_class', matches: 'dhcp.vendor_class', label: 'DHCP option 60 (vendor class)' },
  { field: 'lldp_system_description', matches: 'lldp.system_description', label: 'LLDP system description' },
  { field: 'hl7_sending_application', matches: 'hl7.sending_application', label: 'HL7 MSH-3 sending application' },
  { field: 'dicom_implementation', matches: 'dicom.implementation_class_uid', label: 'DICOM implementation class UID / version' },
  { field: 'dicom_ae_title', matches: 'dicom.calling_ae_title', label: 'DICOM calling AE title' },
  { field: 'mdns_txt', matches: 'mdns.txt.<key>', label: 'DNS-SD TXT key=value' },
  { field: 'dhcp_prl', matches: 'dhcp.prl', label: 'DHCP option 55 (parameter request list)' },
  { field: 'hostname', matches: 'dhcp.hostname', label: 'hostname' },
  { field: 'manufacturer', matches: 'oui.vendor', label: 'manufacturer (best evidence)' },
];

export interface UnknownDevice {
  id: string;
  mac: string | null;
  ip: string | null;
  missing: string[];
  evidence: { field: string; label: string; values: string[] }[];
  skeleton: string | null;
}

/** Devices without device_type or model, with their evidence and a draft rule. */
export function unknownDevices(devices: readonly DeviceView[]): UnknownDevice[] {
  const out: UnknownDevice[] = [];
  for (const d of devices) {
    const missing = (['device_type', 'model'] as const).filter((k) => d[k] === null);
    if (missing.length === 0) continue;
    const evidence: UnknownDevice['evidence'] = [];
    for (const e of UNKNOWN_EVIDENCE) {
      const values = [...new Set((d.evidence[e.field] ?? []).map((x) => x.value))].slice(0, 8);
      if (values.length > 0) evidence.push({ field: e.field, label: e.label, values });
    }
    out.push({ id: d.id, mac: d.mac, ip: d.ip, missing, evidence, skeleton: skeletonFor(d, evidence) });
  }
  return out;
}

const yamlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const regexEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A rule skeleton on the most specific evidence a device has (null when it has none usable). */
export function skeletonFor(d: DeviceView, evidence: UnknownDevice['evidence']): string | null {
  const best = UNKNOWN_EVIDENCE.find((e) => e.field !== 'manufacturer' && e.field !== 'hostname' && evidence.some((x) => x.field === e.field))
    ?? UNKNOWN_EVIDENCE.find((e) => e.field === 'hostname' && evidence.some((x) => x.field === e.field));
  if (!best) return null;
  const raw = evidence.find((x) => x.field === best.field)?.values[0] ?? '';
  let matches = best.matches;
  let value = raw;
  if (best.field === 'mdns_txt') {
    const eq = raw.indexOf('=');
    matches = `mdns.txt.${raw.slice(0, eq)}`;
    value = raw.slice(eq + 1);
  }
  const manufacturer = d.manufacturer ?? 'TODO (a name from fingerprints/vocabulary/manufacturers.txt)';
  const slug = (d.manufacturer ?? 'unknown').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'unknown';
  const id = `${slug}-${(d.mac ?? d.id).replace(/[^0-9a-f]/gi, '').slice(-6).toLowerCase()}`;
  return [
    `# fingerprints/<match-key>.yaml — drafted by \`auscult unknown\` from device ${d.id}; edit, then run \`auscult rules test\``,
    `matches: ${matches}`,
    'preference: 0.5',
    'rules:',
    `  - id: ${id}                    # rename: stable, kebab-case, unique`,
    `    description: TODO describe the device family`,
    `    pattern: ${yamlString(`^${regexEscape(value)}$`)}   # generalise: capture the model/version with ( )`,
    '    certainty: specific',
    '    set:',
    `      manufacturer: ${yamlString(manufacturer)}`,
    `      model: TODO`,
    `      device_type: TODO              # one of fingerprints/vocabulary/device-types.txt`,
    '    examples:',
    `      - input: ${yamlString(value)}`,
    '        expect: { model: TODO }',
    `    source: 'TODO: where this string is documented (and the capture it was seen in)'`,
  ].join('\n');
}

export function registerUnknown(program: Command): void {
  dbOption(
    program
      .command('unknown')
      .description('devices no rule identified, with their identity evidence and a draft rule for each')
      .option('--json', 'a JSON array: id, mac, ip, missing fields, evidence, skeleton'),
  ).addHelpText('after', `
Example:
  $ auscult unknown > drafts.txt      # edit a skeleton into fingerprints/, then:
  $ auscult rules test`)
    .action((opts: { db: string; json?: boolean }) => {
      const db = openExistingDb(opts.db);
      const devices = listDevices(db);
      db.close();
      const unknown = unknownDevices(devices);
      if (opts.json) {
        writeStdout(JSON.stringify(unknown, null, 2));
        return;
      }
      if (unknown.length === 0) {
        writeStdout(`every device (${devices.length}) has a device type and a model`);
        return;
      }
      const blocks = unknown.map((u) => {
        const lines = [`${u.mac ?? u.id}  ${u.ip ?? '-'}  missing: ${u.missing.join(', ')}`];
        for (const e of u.evidence) lines.push(`  ${e.label}: ${e.values.map((v) => JSON.stringify(v)).join(', ')}`);
        lines.push(u.skeleton === null ? '  (no identity evidence to draft a rule from)' : u.skeleton.split('\n').map((l) => `  ${l}`).join('\n'));
        return lines.join('\n');
      });
      writeStdout(`${blocks.join('\n\n')}\n\n${unknown.length} of ${devices.length} device(s) not fully identified`);
    });
}
