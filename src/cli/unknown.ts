/**
 * \summary `auscult unknown`: devices no rule identified (no device type or no model), with their
 * PHI-free identity evidence (DHCP options 60/55, hostname, LLDP system description, DNS-SD TXT
 * keys, DICOM AE titles and implementation UIDs, HL7 MSH-3) and, for each, a fingerprint rule
 * skeleton with one example, ready to edit into fingerprints/.
 *
 * Only evidence fields on an allowlist are printed; they come from observers that already keep
 * patient data out (observe/), so nothing here can echo a payload.
 *
 * Drafts are specific (issue 16): a string many vendors' devices send (`MSFT 5.0`, `dhcpcd-…`,
 * `udhcp …`, `android-dhcp-…`) is used only when nothing better is there, and then the draft is
 * held to the device's MAC block (`also: oui.vendor`) and claims no manufacturer; a manufacturer
 * known only from the MAC block is claimed only with that condition, never from the string alone.
 */
import type { Command } from 'commander';
import { lookupOui } from '../identify/oui.js';
import { resolveManufacturer } from '../identify/vendors.js';
import { listDevices, type DeviceView } from '../inventory/device-view.js';
import { dbOption, openExistingDb, termSafe, writeStdout } from './common.js';

/** Evidence fields shown, and the observation field a rule on each would match. */
export const UNKNOWN_EVIDENCE: readonly { field: string; matches: string; label: string }[] = [
  { field: 'dhcp_vendor_class', matches: 'dhcp.vendor_class', label: 'DHCP option 60 (vendor class)' },
  { field: 'lldp_system_description', matches: 'lldp.system_description', label: 'LLDP system description' },
  { field: 'hl7_sending_application', matches: 'hl7.sending_application', label: 'HL7 MSH-3 sending application' },
  { field: 'hl7_eui64', matches: 'hl7.eui64', label: 'HL7 EUI-64 equipment identifier (MSH-3 / OBX-18)' },
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

/** Values many vendors' devices send: they identify an OS or a DHCP client, not a product. */
export const GENERIC_IDENTITY = /^(?:MSFT \d|dhcpcd|udhcpc?\b|android-dhcp|PXEClient|Linux|Ubuntu|Debian|Windows|Microsoft|iPhone|iPad|Mac ?OS)/i;

/** A rule skeleton on the most specific evidence a device has (null when it has none usable). */
export function skeletonFor(d: DeviceView, evidence: UnknownDevice['evidence']): string | null {
  const usable = UNKNOWN_EVIDENCE.filter((e) => e.field !== 'manufacturer' && e.field !== 'hostname' && e.field !== 'hl7_eui64' && evidence.some((x) => x.field === e.field));
  // Option 55 order identifies a DHCP client stack (an OS), never a product: it is not specific.
  const specific = usable.find((e) => e.field !== 'dhcp_prl' && evidence.find((x) => x.field === e.field)?.values.some((v) => !GENERIC_IDENTITY.test(v.replace(/^[^=]*=/, ''))) === true);
  const best = specific ?? usable[0] ?? UNKNOWN_EVIDENCE.find((e) => e.field === 'hostname' && evidence.some((x) => x.field === e.field));
  if (!best) return null;
  const values = evidence.find((x) => x.field === best.field)?.values ?? [];
  const raw = values.find((v) => !GENERIC_IDENTITY.test(v.replace(/^[^=]*=/, ''))) ?? values[0] ?? '';
  let matches = best.matches;
  let value = raw;
  if (best.field === 'mdns_txt') {
    const eq = raw.indexOf('=');
    matches = `mdns.txt.${raw.slice(0, eq)}`;
    value = raw.slice(eq + 1);
  }
  const generic = GENERIC_IDENTITY.test(value);
  // Who says the device's maker: the string itself, another self-report, or only its MAC block.
  const named = resolveManufacturer(value.split(/\s+/).slice(0, 3).join(' ')) ?? resolveManufacturer(value.split(/\s+/)[0] ?? '');
  const selfReported = (d.evidence['manufacturer'] ?? []).some((x) => x.source !== 'oui');
  const oui = d.mac !== null ? lookupOui(d.mac) : undefined;
  const holdToBlock = oui !== undefined && (generic || (named === undefined && !selfReported));
  const manufacturer = generic ? null : (named?.canonical ?? d.manufacturer);
  const slug = (manufacturer ?? (generic ? 'generic' : 'unknown')).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'unknown';
  const id = `${slug}-${(d.mac ?? d.id).replace(/[^0-9a-f]/gi, '').slice(-6).toLowerCase()}`;
  return [
    `# fingerprints/<match-key>.yaml — drafted by \`auscult unknown\` from device ${d.id}; edit, then run \`auscult rules test\``,
    ...(generic ? [`# ${JSON.stringify(value)} is sent by many vendors' devices (an OS or DHCP client, not a product): the draft is held to this MAC block's vendor and names no manufacturer`] : []),
    `matches: ${matches}`,
    'preference: 0.5',
    'rules:',
    `  - id: ${id}                    # rename: stable, kebab-case, unique`,
    `    description: TODO describe the device family`,
    `    pattern: ${yamlString(`^${regexEscape(value)}$`)}   # generalise: capture the model/version with ( )`,
    ...(holdToBlock && oui ? [`    also: { oui.vendor: { exact: ${yamlString(oui.organisation)} } }   # only devices of this MAC block's vendor`] : []),
    `    certainty: ${generic ? 'generic' : 'specific'}`,
    '    set:',
    ...(manufacturer !== null ? [`      manufacturer: ${yamlString(manufacturer)}${holdToBlock ? '   # from the MAC block only: confirm' : ''}`] : []),
    `      model: TODO`,
    `      device_type: TODO              # one of fingerprints/vocabulary/device-types.txt`,
    '    examples:',
    holdToBlock && oui ? `      - input: { ${matches}: ${yamlString(value)}, oui.vendor: ${yamlString(oui.organisation)} }` : `      - input: ${yamlString(value)}`,
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
      // Values and the skeleton are wire strings: every line terminal-safe (JSON.stringify leaves C1 and bidi controls raw).
      writeStdout(`${blocks.join('\n\n')}\n\n${unknown.length} of ${devices.length} device(s) not fully identified`.split('\n').map(termSafe).join('\n'));
    });
}
