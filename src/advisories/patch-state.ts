/**
 * \summary Patch management state (HICP 405(d) practice 9.6) as stream items: the advisory
 * exceptions that hold now (`vulnerable_firmware`, `advisory_unverifiable`, `firmware_downgrade`,
 * `deferral_expired`, `compensating_control_violated`) and the `patch_verified` events the
 * firmware history proves. Pure: devices (with history), advisories, KEV and deferrals in.
 *
 * - One exception per device × advisory (the tracking id, not the revision, is in its
 *   `event_id`): a new revision that leaves the verdict alone only refreshes the open exception,
 *   so nothing new is raised (CSAF 2.0 clause 13).
 * - `vulnerable_firmware` is high when a CVE of the advisory is in CISA KEV or its CVSS is ≥ 9,
 *   medium otherwise. An approved deferral replaces it by nothing while its controls hold, by
 *   `deferral_expired` after its last day (capture time), by `compensating_control_violated` when
 *   the device is seen off its required VLAN or segment.
 * - A firmware change (a history row) from an affected version to a fixed or not-affected one is a
 *   `patch_verified` event, with the frames that showed each version; the reverse, while the device
 *   stays affected, is a `firmware_downgrade` exception.
 */
import { createHash } from 'node:crypto';
import { makeException, type ExceptionEvidence, type ReconcileException } from '../reconcile/exception-kinds.js';
import type { CsafAdvisory } from './csaf.js';
import { advisoryVerdict, exposureRows, firmwareEvidence, worstVerdict, type ExposureDevice, type ExposureRow } from './exposure.js';
import type { ProductMatcher } from './product-match.js';

/** A device as patch state reads it: exposure fields plus location and firmware history. */
export interface PatchDevice extends ExposureDevice {
  vlan: number | null;
  ips: readonly string[];
  history?: readonly { field: string; old_value: string | null; new_value: string | null; ts: string; frame: number | null; capture: string | null; source: string | null }[];
}

/** An approved deferral (see `auscult deferrals import`). */
export interface DeferralRule {
  asset_id: string | null;
  mac: string | null;
  advisory_id: string;
  approved_by: string;
  until: string;
  required_vlan: number | null;
  required_segment: string | null;
  note: string | null;
}

/** A `patch_verified` stream line (schemas/patch-verified.schema.json), less `seq`. */
export interface PatchVerifiedLine {
  schema_version: 1;
  event_type: 'patch_verified';
  event_id: string;
  ts: string;
  asset_id: string | null;
  device_id: string;
  mac: string | null;
  advisory_id: string;
  old_version: string;
  new_version: string;
  old_verdict: 'affected';
  new_verdict: 'fixed' | 'not_affected';
  old_evidence: ExceptionEvidence[];
  new_evidence: ExceptionEvidence[];
  message: string;
}

export interface PatchState {
  exceptions: ReconcileException[];
  events: PatchVerifiedLine[];
  /** Device × advisory pairs held back by a deferral whose controls hold. */
  deferred: { device_id: string; advisory_id: string; until: string }[];
}

const evidenceOf = (e: { source: string; frame: number; capture: string | null; ts: string } | null): ExceptionEvidence[] =>
  e === null ? [] : [{ source: e.source, frame: e.frame, ts: e.ts, capture: e.capture }];

/** Whether IPv4 `ip` is inside `cidr` (false when either is not IPv4). */
export function inCidr(ip: string, cidr: string): boolean {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr.trim());
  const toInt = (s: string): number | undefined => {
    const p = s.split('.').map(Number);
    if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return undefined;
    return (((p[0] as number) << 24) | ((p[1] as number) << 16) | ((p[2] as number) << 8) | (p[3] as number)) >>> 0;
  };
  if (!m) return false;
  const net = toInt(m[1] as string);
  const addr = toInt(ip);
  const bits = Number(m[2]);
  if (net === undefined || addr === undefined || bits > 32) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (net & mask) === (addr & mask);
}

function findDeferral(d: PatchDevice, advisoryId: string, deferrals: readonly DeferralRule[]): DeferralRule | undefined {
  return deferrals.find((r) => r.advisory_id.toUpperCase() === advisoryId.toUpperCase() &&
    ((r.mac !== null && r.mac === d.mac) || (r.asset_id !== null && d.asset_id !== null && r.asset_id.toLowerCase() === d.asset_id.toLowerCase())));
}

function subjectOf(d: PatchDevice): string {
  return d.asset_id ?? d.mac ?? d.id;
}

/** Computes the exceptions that hold and every patch_verified event the history proves. */
export function patchState(advisories: readonly CsafAdvisory[], devices: readonly PatchDevice[], kev: ReadonlySet<string>,
  deferrals: readonly DeferralRule[], asOf: string, matcher?: ProductMatcher): PatchState {
  const rows = exposureRows(advisories, devices, kev, matcher);
  const byPair = new Map<string, ExposureRow[]>();
  for (const r of rows) {
    const k = `${r.device_id}\u0000${r.advisory_id}`;
    const list = byPair.get(k);
    if (list) list.push(r);
    else byPair.set(k, [r]);
  }
  const deviceById = new Map(devices.map((d) => [d.id, d]));
  const advisoryById = new Map(advisories.map((a) => [a.tracking_id, a]));
  const exceptions: ReconcileException[] = [];
  const deferred: PatchState['deferred'] = [];
  const asOfDay = asOf.slice(0, 10);
  for (const list of byPair.values()) {
    const first = list[0] as ExposureRow;
    const d = deviceById.get(first.device_id) as PatchDevice;
    const a = advisoryById.get(first.advisory_id) as CsafAdvisory;
    const verdict = worstVerdict(list.map((r) => r.verdict));
    const common = {
      subject: `${d.id}\u0000${a.tracking_id}`, asset_id: d.asset_id, device_id: d.id, mac: d.mac, field: 'firmware',
      observed: d.firmware, evidence: evidenceOf(firmwareEvidence(d)),
    };
    const who = subjectOf(d);
    if (verdict === 'unverifiable') {
      exceptions.push(makeException({ type: 'advisory_unverifiable', ...common, expected: null,
        message: `${a.tracking_id} (${a.title}) names ${d.manufacturer ?? '?'} ${d.model ?? '?'} but the sensor cannot tell whether ${who} is affected: ${list.find((r) => r.verdict === 'unverifiable')?.reasons.at(-1) ?? 'unknown'}` }));
      continue;
    }
    if (verdict !== 'affected') continue;
    const affected = list.filter((r) => r.verdict === 'affected');
    const cvss = Math.max(...affected.map((r) => r.cvss ?? 0));
    const kevHit = affected.some((r) => r.kev);
    const cves = [...new Set(affected.map((r) => r.cve ?? r.vulnerability))];
    const remediation = affected.find((r) => r.remediation !== null)?.remediation ?? null;
    const expected = remediation === null ? null : remediation.slice(0, 300);
    const deferral = findDeferral(d, a.tracking_id, deferrals);
    if (deferral !== undefined) {
      if (deferral.until < asOfDay) {
        exceptions.push(makeException({ type: 'deferral_expired', ...common, expected,
          message: `${who}: the deferral of ${a.tracking_id} approved by ${deferral.approved_by} ended on ${deferral.until}; firmware ${d.firmware ?? '?'} is still affected (${cves.join(', ')})` }));
        continue;
      }
      const offVlan = deferral.required_vlan !== null && d.vlan !== null && d.vlan !== deferral.required_vlan;
      const offSegment = deferral.required_segment !== null && d.ips.length > 0 && !d.ips.every((ip) => inCidr(ip, deferral.required_segment as string));
      if (offVlan || offSegment) {
        const where = offVlan ? `VLAN ${d.vlan ?? '?'} instead of VLAN ${deferral.required_vlan ?? '?'}` : `address ${d.ips.join(', ')} outside ${deferral.required_segment ?? '?'}`;
        exceptions.push(makeException({ type: 'compensating_control_violated', ...common, field: offVlan ? 'vlan' : 'ip',
          expected: offVlan ? String(deferral.required_vlan) : deferral.required_segment, observed: offVlan ? String(d.vlan) : d.ips.join(', '),
          message: `${who}: ${a.tracking_id} is deferred until ${deferral.until} on condition of its segment, but the sensor sees it on ${where}` }));
        continue;
      }
      deferred.push({ device_id: d.id, advisory_id: a.tracking_id, until: deferral.until });
      continue;
    }
    const e = makeException({ type: 'vulnerable_firmware', ...common, expected,
      message: `${who} (${d.manufacturer ?? '?'} ${d.model ?? '?'}) runs firmware ${d.firmware ?? '?'}, affected by ${a.tracking_id} (${cves.join(', ')}; CVSS ${cvss.toFixed(1)}${kevHit ? '; known exploited (CISA KEV)' : ''})` });
    if (kevHit || cvss >= 9) e.severity = 'high';
    exceptions.push(e);
  }

  // Firmware history: patches and downgrades across each advisory that names the device.
  const events: PatchVerifiedLine[] = [];
  for (const d of devices) {
    const changes = (d.history ?? []).filter((h) => h.field === 'firmware' && h.old_value !== null && h.new_value !== null);
    if (changes.length === 0) continue;
    for (const a of advisories) {
      const verdictOf = (fw: string): ReturnType<typeof advisoryVerdict> => advisoryVerdict(a, d, fw, matcher);
      let lastDowngrade: (typeof changes)[number] | undefined;
      for (const h of changes) {
        const before = verdictOf(h.old_value as string);
        const after = verdictOf(h.new_value as string);
        if (before === undefined || after === undefined) continue;
        if (before === 'affected' && (after === 'fixed' || after === 'not_affected')) {
          lastDowngrade = undefined;
          const oldEv = evidenceOf(firmwareEvidence(d, h.old_value));
          const newEv: ExceptionEvidence[] = h.frame === null
            ? evidenceOf(firmwareEvidence(d, h.new_value))
            : [{ source: h.source ?? 'firmware', frame: h.frame, ts: h.ts, capture: h.capture }];
          const eventId = createHash('sha256').update(`patch_verified\u0000${d.id}\u0000${a.tracking_id}\u0000${h.old_value as string}\u0000${h.new_value as string}\u0000${h.ts}`).digest('hex').slice(0, 32);
          events.push({
            schema_version: 1, event_type: 'patch_verified', event_id: eventId, ts: h.ts, asset_id: d.asset_id, device_id: d.id, mac: d.mac,
            advisory_id: a.tracking_id, old_version: h.old_value as string, new_version: h.new_value as string, old_verdict: 'affected', new_verdict: after,
            old_evidence: oldEv, new_evidence: newEv,
            message: `${subjectOf(d)}: firmware ${h.old_value as string} → ${h.new_value as string} seen on the wire; ${a.tracking_id} ${after === 'fixed' ? 'fixed' : 'no longer applies'}`,
          });
        } else if ((before === 'fixed' || before === 'not_affected') && after === 'affected') lastDowngrade = h;
        else if (after !== 'affected') lastDowngrade = undefined;
      }
      if (lastDowngrade !== undefined && d.firmware === lastDowngrade.new_value) {
        const h = lastDowngrade;
        exceptions.push(makeException({
          type: 'firmware_downgrade', subject: `${d.id}\u0000${a.tracking_id}`, asset_id: d.asset_id, device_id: d.id, mac: d.mac, field: 'firmware',
          expected: h.old_value, observed: h.new_value,
          evidence: h.frame === null ? [] : [{ source: h.source ?? 'firmware', frame: h.frame, ts: h.ts, capture: h.capture }],
          message: `${subjectOf(d)}: firmware went back from ${h.old_value as string} (not affected) to ${h.new_value as string}, affected by ${a.tracking_id}`,
        }));
      }
    }
  }
  return { exceptions, events, deferred };
}
