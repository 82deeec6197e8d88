/**
 * \summary Fleet firmware: per manufacturer and model, the firmware versions in use with device
 * counts, when the sensor last saw each version on the wire, and each imported advisory's
 * verdict for that version. Pure.
 */
import type { CsafAdvisory } from './csaf.js';
import { advisoryVerdict, type ExposureDevice, type Verdict } from './exposure.js';

export interface FleetVersion {
  manufacturer: string;
  model: string;
  firmware: string | null;
  devices: number;
  /** Newest capture time any device was seen announcing this firmware (ISO), or null. */
  last_verified: string | null;
  /** Advisory id → verdict for this version (advisories naming the model only). */
  verdicts: Record<string, Verdict>;
}

export function fleetFirmware(devices: readonly ExposureDevice[], advisories: readonly CsafAdvisory[]): FleetVersion[] {
  const groups = new Map<string, FleetVersion>();
  for (const d of devices) {
    if (d.manufacturer === null || d.model === null) continue;
    const key = `${d.manufacturer}\u0000${d.model}\u0000${d.firmware ?? ''}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { manufacturer: d.manufacturer, model: d.model, firmware: d.firmware, devices: 0, last_verified: null, verdicts: {} };
      for (const a of advisories) {
        const v = advisoryVerdict(a, d, d.firmware);
        if (v !== undefined) g.verdicts[a.tracking_id] = v;
      }
      groups.set(key, g);
    }
    g.devices++;
    for (const e of d.evidence.firmware ?? []) {
      if (e.value === d.firmware && (g.last_verified === null || e.last_seen > g.last_verified)) g.last_verified = e.last_seen;
    }
  }
  return [...groups.values()].sort((a, b) => a.manufacturer.localeCompare(b.manufacturer) || a.model.localeCompare(b.model) ||
    (a.firmware ?? '').localeCompare(b.firmware ?? '', 'en', { numeric: true }));
}
