/**
 * \summary The evidence packet's patch section (HICP 405(d) practice 9.6): the exposure
 * register, the patches verified on the wire with their frames, the deferrals with their
 * controls and state, and fleet firmware (a chart of devices per version, coloured by verdict).
 * Kept apart from `report-html.ts` (one call there) and `report.ts` (one field, one file list).
 * Every value is HTML-escaped; CSV cells are formula-escaped by the report's `toCsv`.
 */
import { fleetFirmware, type FleetVersion } from '../advisories/fleet.js';
import { exposureRows, type ExposureRow } from '../advisories/exposure.js';
import { loadPatchInputs, loadPatchState } from '../advisories/load.js';
import { listDeferrals, listPatchEvents, type Deferral } from '../inventory/advisory-store.js';
import type { Db } from '../inventory/store.js';

export interface DeferralState extends Deferral {
  /** `holding` (controls hold), `expired`, `violated`, or `not_needed` (no affected device matched). */
  state: 'holding' | 'expired' | 'violated' | 'not_needed';
}

export interface PatchReport {
  exposure: ExposureRow[];
  patches: Record<string, unknown>[];
  deferrals: DeferralState[];
  fleet: FleetVersion[];
}

/** Collects the patch section's data as of capture time `asOf`. */
export function buildPatchReport(db: Db, asOf: string): PatchReport {
  const inputs = loadPatchInputs(db);
  const exposure = exposureRows(inputs.advisories, inputs.devices, inputs.kev);
  const state = loadPatchState(db, asOf, inputs.devices);
  const deferrals = listDeferrals(db).map((d): DeferralState => {
    const names = (e: { asset_id: string | null; mac: string | null }): boolean =>
      (d.mac !== null && e.mac === d.mac) || (d.asset_id !== null && e.asset_id?.toLowerCase() === d.asset_id.toLowerCase());
    const about = state.exceptions.filter((e) => names(e) && e.subject.toUpperCase().endsWith(d.advisory_id.toUpperCase()));
    const st: DeferralState['state'] = about.some((e) => e.type === 'deferral_expired') ? 'expired'
      : about.some((e) => e.type === 'compensating_control_violated') ? 'violated'
        : state.deferred.some((x) => x.advisory_id.toUpperCase() === d.advisory_id.toUpperCase() && inputs.devices.some((dev) => dev.id === x.device_id && names(dev))) ? 'holding' : 'not_needed';
    return { ...d, state: st };
  });
  return {
    exposure,
    patches: listPatchEvents(db).map((p) => JSON.parse(p.line) as Record<string, unknown>),
    deferrals,
    fleet: fleetFirmware(inputs.devices, inputs.advisories),
  };
}

const esc = (v: unknown): string => (v === null || v === undefined ? '' : String(v)).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const td = (v: unknown): string => (v === null || v === undefined || v === '' ? '<td class="none">—</td>' : `<td>${esc(v)}</td>`);
function table(id: string, headers: string[], rows: unknown[][]): string {
  if (rows.length === 0) return `<p class="empty" id="${id}-empty">None.</p>`;
  return `<table id="${id}" data-rows="${rows.length}"><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n${
    rows.map((r) => `<tr>${r.map(td).join('')}</tr>`).join('\n')}\n</tbody></table>`;
}
const evidence = (v: unknown): string => (Array.isArray(v) ? v.map((e: { capture?: string | null; frame?: number }) => `${e.capture ?? '?'}#${e.frame ?? '?'}`).join(' ') : '');

const COLOURS: Record<string, string> = { affected: '#c0392b', unverifiable: '#b7950b', fixed: '#1e8449', not_affected: '#5d6d7e', none: '#aab7b8' };

/** Devices per firmware version (one bar each), coloured by the worst advisory verdict. */
function fleetChart(fleet: readonly FleetVersion[]): string {
  if (fleet.length === 0) return '';
  const rowH = 20;
  const labelW = 320;
  const max = Math.max(...fleet.map((f) => f.devices));
  const worst = (f: FleetVersion): string => {
    const vs = Object.values(f.verdicts);
    return (['affected', 'unverifiable', 'fixed', 'not_affected'] as const).find((v) => vs.includes(v)) ?? 'none';
  };
  const bars = fleet.map((f, i) => {
    const w = Math.max(2, Math.round((f.devices / max) * 300));
    const y = i * rowH;
    return `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(`${f.manufacturer} ${f.model} ${f.firmware ?? '(unknown)'}`)}</text>` +
      `<rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 6}" fill="${COLOURS[worst(f)] ?? '#999'}"><title>${esc(worst(f))}</title></rect>` +
      `<text x="${labelW + w + 4}" y="${y + 14}">${f.devices}</text>`;
  }).join('');
  return `<svg id="fleet-chart" role="img" aria-label="devices per firmware version" width="${labelW + 360}" height="${fleet.length * rowH}" font-size="12">${bars}</svg>`;
}

/** The patch section of index.html. */
export function renderPatchSection(p: PatchReport | undefined): string {
  if (p === undefined) return '';
  return `
<h2>Patch management (HICP 9.6)</h2>
<p class="meta">Advisories imported as CSAF 2.0 and matched against the firmware the network showed. Verdicts:
affected, fixed, not_affected, unverifiable (firmware unknown or not comparable). CSV: exposure.csv, patches.csv, deferrals.csv, fleet.csv.</p>
<h3>Exposure register</h3>
${table('exposure', ['verdict', 'advisory', 'CVE', 'CVSS', 'KEV', 'asset id', 'MAC', 'model', 'firmware', 'evidence', 'remediation'],
    p.exposure.map((r) => [r.verdict, `${r.advisory_id} rev ${r.advisory_version}`, r.cve ?? r.vulnerability, r.cvss, r.kev ? 'yes' : '', r.asset_id, r.mac,
      `${r.manufacturer ?? ''} ${r.model ?? ''}`, r.firmware, r.firmware_evidence === null ? null : `${r.firmware_evidence.capture ?? '?'}#${r.firmware_evidence.frame}`, r.remediation]))}
<h3>Patches verified on the wire</h3>
${table('patches', ['time (capture)', 'asset id', 'MAC', 'advisory', 'old', 'old evidence', 'new', 'new evidence', 'verdict now'],
    p.patches.map((e) => [e['ts'], e['asset_id'], e['mac'], e['advisory_id'], e['old_version'], evidence(e['old_evidence']), e['new_version'], evidence(e['new_evidence']), e['new_verdict']]))}
<h3>Deferrals and compensating controls</h3>
${table('deferrals', ['asset id', 'MAC', 'advisory', 'approved by', 'until', 'required VLAN', 'required segment', 'state', 'note'],
    p.deferrals.map((d) => [d.asset_id, d.mac, d.advisory_id, d.approved_by, d.until, d.required_vlan, d.required_segment, d.state, d.note]))}
<h3>Fleet firmware</h3>
${fleetChart(p.fleet)}
${table('fleet', ['manufacturer', 'model', 'firmware', 'devices', 'last verified (capture)', 'advisory verdicts'],
    p.fleet.map((f) => [f.manufacturer, f.model, f.firmware, f.devices, f.last_verified, Object.entries(f.verdicts).map(([a, v]) => `${a}: ${v}`).join(', ')]))}
`;
}

/** The patch CSV files: [name, header, rows]. */
export function patchCsvTables(p: PatchReport): [string, string[], unknown[][]][] {
  return [
    ['exposure.csv', ['verdict', 'advisory_id', 'advisory_version', 'vulnerability', 'cve', 'cvss', 'kev', 'device_id', 'asset_id', 'mac', 'manufacturer', 'model', 'firmware', 'capture', 'frame', 'remediation', 'reasons'],
      p.exposure.map((r) => [r.verdict, r.advisory_id, r.advisory_version, r.vulnerability, r.cve, r.cvss, r.kev, r.device_id, r.asset_id, r.mac, r.manufacturer, r.model, r.firmware,
        r.firmware_evidence?.capture ?? null, r.firmware_evidence?.frame ?? null, r.remediation, r.reasons.join('; ')])],
    ['patches.csv', ['ts', 'device_id', 'asset_id', 'mac', 'advisory_id', 'old_version', 'old_evidence', 'new_version', 'new_evidence', 'new_verdict', 'event_id'],
      p.patches.map((e) => [e['ts'], e['device_id'], e['asset_id'], e['mac'], e['advisory_id'], e['old_version'], evidence(e['old_evidence']), e['new_version'], evidence(e['new_evidence']), e['new_verdict'], e['event_id']])],
    ['deferrals.csv', ['asset_id', 'mac', 'advisory_id', 'approved_by', 'until', 'required_vlan', 'required_segment', 'state', 'note'],
      p.deferrals.map((d) => [d.asset_id, d.mac, d.advisory_id, d.approved_by, d.until, d.required_vlan, d.required_segment, d.state, d.note])],
    ['fleet.csv', ['manufacturer', 'model', 'firmware', 'devices', 'last_verified', 'verdicts'],
      p.fleet.map((f) => [f.manufacturer, f.model, f.firmware, f.devices, f.last_verified, Object.entries(f.verdicts).map(([a, v]) => `${a}:${v}`).join(' ')])],
  ];
}
