/**
 * \summary One row of a system-of-record (CMMS / CMDB) export, after column mapping and
 * normalisation, and the shape of a per-row import error.
 *
 * This is the hand-off type between the CSV import (`import-csv.ts`) and the reconciler: the
 * reconciler never sees CSV cells, only these records. Identifiers that are compared across
 * spellings (MAC, IP) are stored already normalised; free-text fields are stored trimmed but
 * otherwise as the export wrote them, and compared through `normalise.ts`.
 */

/** A system-of-record field a column can map to. Names match the `SorRecord` properties. */
export const SOR_FIELDS = [
  'assetId',
  'manufacturer',
  'model',
  'serial',
  'macs',
  'ips',
  'hostname',
  'vlan',
  'location',
  'department',
  'room',
  'switch',
  'port',
  'firmware',
  'os',
  'fdaClass',
  'owner',
  'deviceType',
  // Issue 20: the remote-access policy (src/reconcile/remote-access-policy.ts).
  'remoteAccess',
  'serviceWindow',
] as const;

export type SorField = (typeof SOR_FIELDS)[number];

/** The fields of which at least one must be present for a record to be matchable. */
export const SOR_IDENTIFYING_FIELDS = ['assetId', 'serial', 'macs', 'hostname', 'ips'] as const satisfies readonly SorField[];

/** One device as the system of record describes it. Absent means the export left it empty. */
export interface SorRecord {
  /** 1-based physical line in the file where this record starts (quoted newlines counted). */
  line: number;
  /** Asset tag / equipment id / control number: the hospital's own identifier. */
  assetId?: string;
  /** Manufacturer as written in the export (compare through a vocabulary, not byte for byte). */
  manufacturer?: string;
  /** Model name or number as written in the export. */
  model?: string;
  /** Serial number as written (trimmed); compare with `normaliseSerial`. */
  serial?: string;
  /** Every MAC address of the record, normalised to lower-case `aa:bb:cc:dd:ee:ff`, de-duplicated, in file order. */
  macs: string[];
  /** Every IP address of the record, normalised (IPv4 dotted quad, IPv6 RFC 5952 form), de-duplicated, in file order. */
  ips: string[];
  /** Host name as written (trimmed); compare with `normaliseHostname`. */
  hostname?: string;
  /** Expected 802.1Q VLAN id, 1–4094. */
  vlan?: number;
  /** Free-text location (building, ward, bed...). */
  location?: string;
  /** Department or nursing unit. */
  department?: string;
  /** Room. */
  room?: string;
  /** Name of the access switch the device should be cabled to. */
  switch?: string;
  /** Switch port name as the switch calls it (e.g. `Gi1/0/3`). */
  port?: string;
  /** Firmware or software version the record expects. */
  firmware?: string;
  /** Operating system. */
  os?: string;
  /** FDA device class (I, II, III) as written. */
  fdaClass?: string;
  /** Owner, custodian or assignee. */
  owner?: string;
  /** Device type or category as written. */
  deviceType?: string;
  /**
   * Remote-access tools approved for the device, as tool ids (`philips; teamviewer` from the cell
   * `TeamViewer; Philips RSN`; `any`); `''` when the column is mapped but approves none (empty,
   * placeholder, `no`); absent when no column is mapped (nothing is judged). Never the cell's
   * free text. See `remote-access-policy.ts`.
   */
  remoteAccess?: string;
  /** Service window as written, validated at import (`Mon-Fri 08:00-17:00 America/New_York`); absent when empty. */
  serviceWindow?: string;
  /** Every column not mapped to a field, by header name, value kept raw (blank cells omitted). */
  attributes: Record<string, string>;
}

/** A row the import rejected. `reason` never contains a whole row; it may quote one short cell. */
export interface SorRowError {
  /** The file as the caller named it. */
  file: string;
  /** 1-based physical line where the offending record starts. */
  line: number;
  /** Why, in one sentence. */
  reason: string;
}

/** `file:line: reason`, the line `auscult import` prints for each bad row. */
export function formatSorRowError(error: SorRowError): string {
  return `${error.file}:${error.line}: ${error.reason}`;
}
