/**
 * \summary The exception kinds (design.md's nine reconciliation kinds and the five patch-management
 * kinds of issue 17), the severity of each and why, the
 * stable `event_id`, and `ReconcileException`, the record an exception line is written from.
 *
 * Severity says how urgently a person should look, judged by HICP 405(d) practice 9.1 (an
 * inventory that security and biomed can trust):
 * - high: the inventory cannot be trusted about which device is which, or an unaccounted device
 *   is on the clinical network (`not_in_inventory`, `identity_conflict`);
 * - medium: the record is wrong in a way that changes risk decisions (patch level, segmentation,
 *   identity fields) or a recorded device has gone quiet where the sensor can hear it
 *   (`stale_firmware`, `wrong_vlan`, `field_mismatch`, `never_seen`);
 * - low: bookkeeping gaps (`wrong_location`, `missing_field`, `duplicate_record`).
 */
import { createHash } from 'node:crypto';

export const EXCEPTION_TYPES = [
  'not_in_inventory',
  'never_seen',
  'missing_field',
  'stale_firmware',
  'wrong_vlan',
  'wrong_location',
  'field_mismatch',
  'duplicate_record',
  'identity_conflict',
  // Patch management (HICP 405(d) practice 9.6; src/advisories/patch-state.ts).
  'vulnerable_firmware',
  'firmware_downgrade',
  'compensating_control_violated',
  'deferral_expired',
  'advisory_unverifiable',
  // Communication profile (issue 20; src/reconcile/external-peers.ts).
  'unexpected_external_peer',
  // Remote access (issue 20, HICP 405(d) 9.1 step 7 and 9.6; src/reconcile/remote-access-exceptions.ts).
  'remote_access_unapproved',
  'remote_access_outside_window',
] as const;

export type ExceptionType = (typeof EXCEPTION_TYPES)[number];

export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One kind: its severity and a one-line description (README and report use these). */
export interface ExceptionKind {
  severity: Severity;
  description: string;
}

export const EXCEPTION_KINDS: Readonly<Record<ExceptionType, ExceptionKind>> = {
  not_in_inventory: { severity: 'high', description: 'a medical or unidentified device is on the network but in no record' },
  identity_conflict: { severity: 'high', description: 'records and devices cannot be paired unambiguously (two records claim one device, or one record names different devices)' },
  stale_firmware: { severity: 'medium', description: 'the device runs different firmware from the record' },
  wrong_vlan: { severity: 'medium', description: 'the device is on a different VLAN from the record' },
  field_mismatch: { severity: 'medium', description: 'manufacturer, model or serial differ after normalisation' },
  never_seen: { severity: 'medium', description: 'a recorded device was never heard although the sensor hears its VLAN or subnet' },
  wrong_location: { severity: 'low', description: 'switch, port or room differ from the record' },
  missing_field: { severity: 'low', description: 'a HICP 9.1 required field (manufacturer, model, firmware, network location) is empty in the record' },
  duplicate_record: { severity: 'low', description: 'two records share a MAC or serial (in any spelling)' },
  vulnerable_firmware: { severity: 'medium', description: 'the firmware seen on the wire is affected by an imported advisory (high when a CVE is in CISA KEV or its CVSS is 9 or more)' },
  firmware_downgrade: { severity: 'high', description: 'the firmware went back from a fixed or not-affected version to one an advisory affects' },
  compensating_control_violated: { severity: 'high', description: 'a device with a deferred patch is seen outside the VLAN or segment its deferral requires' },
  deferral_expired: { severity: 'medium', description: 'a patch deferral ended and the device still runs affected firmware' },
  advisory_unverifiable: { severity: 'low', description: 'an advisory names the device but the sensor cannot tell whether its firmware is affected (version unknown or not comparable)' },
  unexpected_external_peer: { severity: 'medium', description: 'a medical device (or one that announced a MUD URL) called an external destination no allowlist permits for it (high for any device when an advisory says to block the destination)' },
  remote_access_unapproved: { severity: 'high', description: "a remote-access tool reached the device (or the device called its relay or vendor platform) and the record's remote-access column does not list it" },
  remote_access_outside_window: { severity: 'medium', description: "remote-access sessions started outside the record's service window (one exception per tool and day)" },
};

/** Evidence for an observed value: where a packet showed it (`tshark -r <capture> -Y frame.number==<frame>`). */
export interface ExceptionEvidence {
  /** Observation source, e.g. `lldp.med.firmware_revision`. */
  source: string;
  /** Frame number within `capture`. */
  frame: number;
  /** Capture time of the first sighting (ISO 8601). */
  ts: string;
  /** Capture file basename, or null when unknown. */
  capture: string | null;
}

/** An exception as reconciliation computes it (before it has a status or time). */
export interface ReconcileException {
  /** sha256 hex (first 32 chars) of type + subject + field: the same condition always has the same id. */
  event_id: string;
  type: ExceptionType;
  severity: Severity;
  /** What the exception is about: an asset id, device id, MAC or `serial:`/`host:`/`ip:` key. Not written to the stream. */
  subject: string;
  asset_id: string | null;
  device_id: string | null;
  mac: string | null;
  field: string | null;
  expected: string | null;
  observed: string | null;
  evidence: ExceptionEvidence[];
  message: string;
}

/** The stable id of an exception: sha256(type NUL subject NUL field), hex, first 32 characters. */
export function eventId(type: ExceptionType, subject: string, field: string | null): string {
  return createHash('sha256').update(`${type}\u0000${subject}\u0000${field ?? ''}`).digest('hex').slice(0, 32);
}

/** Builds an exception with its severity and id filled in. */
export function makeException(fields: Omit<ReconcileException, 'event_id' | 'severity'>): ReconcileException {
  return { event_id: eventId(fields.type, fields.subject, fields.field), severity: EXCEPTION_KINDS[fields.type].severity, ...fields };
}
