/**
 * \summary Reads what patch management needs from the inventory (current advisory revisions,
 * KEV, deferrals, devices with their firmware history) and hands it to the pure functions of
 * `exposure.ts` and `patch-state.ts`. The one place those two meet the database.
 */
import { currentAdvisories, kevSet, listDeferrals } from '../inventory/advisory-store.js';
import { listDevices, type DeviceView } from '../inventory/device-view.js';
import type { Db } from '../inventory/store.js';
import type { CsafAdvisory } from './csaf.js';
import { exposureRows, type ExposureRow } from './exposure.js';
import { patchState, type PatchState } from './patch-state.js';

export interface PatchInputs {
  advisories: CsafAdvisory[];
  kev: Set<string>;
  devices: DeviceView[];
}

/** Loads advisories, KEV and (unless given) the devices with their history. */
export function loadPatchInputs(db: Db, devices?: DeviceView[], trackingId?: string): PatchInputs {
  return { advisories: currentAdvisories(db, trackingId), kev: kevSet(db), devices: devices ?? listDevices(db, { withHistory: true }) };
}

/** The exposure register of the database (optionally for one advisory). */
export function loadExposure(db: Db, trackingId?: string): ExposureRow[] {
  const i = loadPatchInputs(db, undefined, trackingId);
  return exposureRows(i.advisories, i.devices, i.kev);
}

/** The patch state of the database as of capture time `asOf` (ISO). */
export function loadPatchState(db: Db, asOf: string, devices?: DeviceView[]): PatchState {
  const i = loadPatchInputs(db, devices);
  if (i.advisories.length === 0) return { exceptions: [], events: [], deferred: [] };
  return patchState(i.advisories, i.devices, i.kev, listDeferrals(db), asOf);
}
