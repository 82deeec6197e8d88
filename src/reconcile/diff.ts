/**
 * \summary From records, devices and their matching to the current set of exceptions (the nine
 * kinds of `exception-kinds.ts`) plus the records out of the sensor's coverage.
 *
 * Rules (README "Exception types"):
 * - `missing_field`: manufacturer, model or firmware empty in a record, or its network location
 *   (location, room, and switch + port all empty). One exception per record and field for a
 *   record matched to a heard device (`observed` is the network's value when the device reveals
 *   it), up to `maxMissingField` (default 10,000); the gaps of every other record (not heard, or
 *   past the cap) are counted into one exception per field, subject `records`, `observed` the
 *   count (issue 22: a 200k-record export lacking four fields opened 800k exceptions).
 * - For a matched record: `stale_firmware` (firmware differs, compared trimmed and
 *   case-insensitively), `wrong_vlan`, `wrong_location` (switch case-insensitively, port through
 *   `normalisePortName`, room: the device's location text must contain the room as one of its
 *   comma-separated parts; a record with no switch or port column has them read from its
 *   free-text location by `parseFreeLocation`), `field_mismatch` (manufacturer via `sameManufacturer`; model when
 *   neither name's words contain the other's; serial after `normaliseSerial`). A field is
 *   compared only when both sides know it.
 * - `never_seen`: an unmatched record whose VLAN some device was seen on, or one of whose IPs is
 *   in a /24 some device has an address in; any other unmatched record is out of coverage (a SPAN
 *   gap is not an alarm) and returned apart.
 * - `not_in_inventory`: an unmatched device whose category is `medical` or `unknown`
 *   (`infrastructure` too with `includeInfrastructure`); a device seen only through a router
 *   counts only when it is identified as medical (an unidentified remote address is usually a
 *   server elsewhere).
 * - `duplicate_record`: records sharing a MAC or a serial (normalised), one exception per shared
 *   value; `identity_conflict`: from `match.ts`.
 *
 * Subjects, and so event ids, never depend on line numbers: a record is named by its asset id,
 * else its first MAC, else `serial:`, `host:` or `ip:` and the normalised value.
 */
import { sameManufacturer } from '../identify/vendors.js';
import { normalisePortName } from '../identify/location.js';
import type { DeviceView } from '../inventory/device-view.js';
import { makeException, type ExceptionEvidence, type ReconcileException } from './exception-kinds.js';
import { matchRecords, normaliseAssetId, type MatchResult } from './match.js';
import { normaliseHostname, normaliseSerial } from './normalise.js';
import type { SorRecord } from './sor-record.js';

export interface DiffOptions {
  /** Raise `not_in_inventory` for infrastructure devices too (switches, routers, phones). Default false. */
  includeInfrastructure?: boolean;
  /** Evidence items per exception at most. Default 5. */
  maxEvidence?: number;
  /** Per-record `missing_field` exceptions at most; further gaps are folded. Default `MISSING_FIELD_MAX`. */
  maxMissingField?: number;
}

export interface DiffResult {
  /** Every exception that holds now, sorted by type order then event id. */
  exceptions: ReconcileException[];
  /** Unmatched records the sensor cannot see (no device on their VLAN or /24): not exceptions. */
  outOfCoverage: SorRecord[];
  match: MatchResult;
  /** Per field, the records whose gap is folded into one exception instead of raised on its own. */
  missingFolded: Record<MissingField, number>;
}

/** The stable subject of a record (see the module header). */
export function recordSubject(r: SorRecord): string {
  const asset = r.assetId === undefined ? undefined : normaliseAssetId(r.assetId);
  if (asset !== undefined) return asset;
  if (r.macs[0] !== undefined) return r.macs[0];
  const serial = r.serial === undefined ? undefined : normaliseSerial(r.serial);
  if (serial !== undefined) return `serial:${serial}`;
  const host = r.hostname === undefined ? undefined : normaliseHostname(r.hostname);
  if (host !== undefined) return `host:${host}`;
  if (r.ips[0] !== undefined) return `ip:${r.ips[0]}`;
  return `line:${r.line}`;
}

/** How a record is named in messages. */
function recordName(r: SorRecord): string {
  return r.assetId !== undefined ? `record ${r.assetId}` : `the record on line ${r.line}`;
}

function deviceName(d: DeviceView): string {
  const name = d.hostname ?? d.mac ?? d.ip ?? d.id;
  return d.hostname !== null && d.mac !== null ? `${name} (${d.mac})` : name;
}

/** Words of a model name, for containment: lower case, alphanumeric runs. */
function modelWords(s: string): string[] {
  return s.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

/** True when one model name's words all appear in the other ("Alaris 8015" ~ "Alaris PC Unit 8015"). */
export function sameModel(a: string, b: string): boolean {
  const wa = modelWords(a);
  const wb = modelWords(b);
  if (wa.length === 0 || wb.length === 0) return true;
  const sa = new Set(wa);
  const sb = new Set(wb);
  return wa.every((w) => sb.has(w)) || wb.every((w) => sa.has(w));
}

const sameText = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** True when a location text names the room as one of its comma-separated parts. */
export function locationHasRoom(location: string, room: string): boolean {
  const want = room.trim().toLowerCase().replace(/^room\s+/, '');
  return location.split(',').some((part) => part.trim().toLowerCase().replace(/^room\s+/, '') === want);
}

/** The /24 of an IPv4 address, or undefined. */
function subnet24(ip: string): string | undefined {
  const m = /^(\d+\.\d+\.\d+)\.\d+$/.exec(ip);
  return m?.[1];
}

/** Evidence for a device field, restricted to items whose value satisfies `keep`. */
function evidenceOf(d: DeviceView | undefined, field: string, keep: (value: string) => boolean, max: number): ExceptionEvidence[] {
  if (d === undefined) return [];
  return (d.evidence[field] ?? [])
    .filter((e) => keep(e.value))
    .slice(0, max)
    .map((e) => ({ source: e.source, frame: e.frame, ts: e.ts, capture: e.capture }));
}

type ObservedField = 'manufacturer' | 'model' | 'firmware' | 'serial' | 'switch' | 'port' | 'location';

/** The first device (sorted by id) that knows a field, and its value. */
function observe(devices: readonly DeviceView[], field: ObservedField): { device: DeviceView; value: string } | undefined {
  for (const d of devices) {
    const v = d[field];
    if (v !== null && v !== '') return { device: d, value: v };
  }
  return undefined;
}

/** A device's network location as text: `switch port`, else its location text. */
function networkLocation(d: DeviceView): string | null {
  if (d.switch !== null && d.port !== null) return `${d.switch} ${d.port}`;
  return d.port ?? d.location ?? null;
}

const TYPE_ORDER = ['identity_conflict', 'duplicate_record', 'not_in_inventory', 'never_seen', 'missing_field', 'stale_firmware', 'wrong_vlan', 'wrong_location', 'field_mismatch'];

/** Computes the exceptions that hold now. Pure. */
export function diffInventory(records: readonly SorRecord[], devices: readonly DeviceView[], options: DiffOptions = {}): DiffResult {
  const max = options.maxEvidence ?? 5;
  const match = matchRecords(records, devices);
  const out: ReconcileException[] = [];
  const outOfCoverage: SorRecord[] = [];

  const seenVlans = new Map<number, DeviceView>();
  const seenSubnets = new Map<string, DeviceView>();
  for (const d of [...devices].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (d.vlan !== null && !seenVlans.has(d.vlan)) seenVlans.set(d.vlan, d);
    for (const ip of d.ips) {
      const net = subnet24(ip);
      if (net !== undefined && !seenSubnets.has(net)) seenSubnets.set(net, d);
    }
  }

  const maxMissing = options.maxMissingField ?? MISSING_FIELD_MAX;
  let ownMissing = 0;
  let capped = false;
  // Folded gaps: a count and the first few records per field, not a list of every record.
  const folded: Record<MissingField, { n: number; first: SorRecord[] }> = {
    manufacturer: { n: 0, first: [] }, model: { n: 0, first: [] }, firmware: { n: 0, first: [] }, network_location: { n: 0, first: [] },
  };
  const foldedPastCap: Record<MissingField, number> = { manufacturer: 0, model: 0, firmware: 0, network_location: 0 };
  const knownSwitches = [...new Set(devices.map((d) => d.switch).filter((v): v is string => v !== null))];
  const knownRooms = roomsKnown(devices);
  for (const m of match.records) {
    const r = m.record;
    const subject = recordSubject(r);
    const primary = m.devices[0];
    const base = {
      subject,
      asset_id: r.assetId ?? primary?.asset_id ?? null,
      device_id: primary?.id ?? null,
      mac: primary?.mac ?? r.macs[0] ?? null,
    };
    const name = recordName(r);

    // missing_field: required fields empty in the record. One exception per field for a record
    // matched to a heard device (the network often knows the value), up to the cap; every other
    // gap is counted into one exception per field (`foldMissing`).
    const gaps = MISSING_FIELDS.filter((field) => (field === 'network_location'
      ? r.location === undefined && r.room === undefined && (r.switch === undefined || r.port === undefined)
      : r[field] === undefined));
    if (gaps.length > 0 && m.devices.length > 0 && !capped && ownMissing + gaps.length > maxMissing) capped = true;
    const fold = gaps.length > 0 && (m.devices.length === 0 || capped);
    if (fold) {
      for (const field of gaps) {
        const f = folded[field];
        if (f.n++ < FOLDED_EXAMPLES) f.first.push(r);
        if (m.devices.length > 0) foldedPastCap[field]++;
      }
    } else ownMissing += gaps.length;
    for (const field of ['manufacturer', 'model', 'firmware'] as const) {
      if (r[field] !== undefined || fold) continue;
      const seen = observe(m.devices, field);
      out.push(makeException({
        ...base, type: 'missing_field', field, expected: null, observed: seen?.value ?? null,
        evidence: evidenceOf(seen?.device, field, (v) => v === seen?.value, max),
        message: `${name} has no ${field}${seen ? `; the network says ${JSON.stringify(seen.value)}` : ''}.`,
      }));
    }
    if (gaps.includes('network_location') && !fold) {
      const d = m.devices.find((x) => networkLocation(x) !== null);
      const observed = d === undefined ? null : networkLocation(d);
      const evidence = d === undefined ? [] : [
        ...evidenceOf(d, 'switch', (v) => v === d.switch, max),
        ...evidenceOf(d, 'port', (v) => v === d.port, max),
      ].slice(0, max);
      out.push(makeException({
        ...base, type: 'missing_field', field: 'network_location', expected: null, observed, evidence,
        message: `${name} has no network location (location, room, or switch and port)${observed !== null ? `; the network says ${JSON.stringify(observed)}` : ''}.`,
      }));
    }

    if (m.devices.length === 0) {
      if (m.contested) continue;
      const byVlan = r.vlan === undefined ? undefined : seenVlans.get(r.vlan);
      const netIp = r.ips.find((ip) => {
        const net = subnet24(ip);
        return net !== undefined && seenSubnets.has(net);
      });
      const byNet = netIp === undefined ? undefined : seenSubnets.get(subnet24(netIp) ?? '');
      if (byVlan === undefined && byNet === undefined) {
        outOfCoverage.push(r);
        continue;
      }
      const where = byVlan !== undefined ? `VLAN ${r.vlan ?? ''}` : `${subnet24(netIp ?? '') ?? ''}.0/24`;
      const expected = r.macs[0] ?? r.ips[0] ?? r.hostname ?? r.serial ?? null;
      out.push(makeException({
        ...base, type: 'never_seen', field: null, expected, observed: null,
        evidence: byVlan !== undefined ? evidenceOf(byVlan, 'vlan', (v) => Number(v) === r.vlan, 1) : [],
        message: `${name} was never heard, although the sensor hears ${where} (e.g. ${deviceName(byVlan ?? byNet ?? (primary as DeviceView))}).`,
      }));
      continue;
    }

    const pd = m.devices;
    const fw = observe(pd, 'firmware');
    if (r.firmware !== undefined && fw !== undefined && !sameText(r.firmware, fw.value)) {
      out.push(makeException({
        ...base, type: 'stale_firmware', field: 'firmware', expected: r.firmware, observed: fw.value,
        evidence: evidenceOf(fw.device, 'firmware', (v) => v === fw.value, max),
        message: `${deviceName(fw.device)} runs firmware ${fw.value}; ${name} says ${r.firmware}.`,
      }));
    }
    const vlanDevice = pd.find((d) => d.vlan !== null);
    if (r.vlan !== undefined && vlanDevice !== undefined && vlanDevice.vlan !== r.vlan) {
      const observed = String(vlanDevice.vlan);
      out.push(makeException({
        ...base, type: 'wrong_vlan', field: 'vlan', expected: String(r.vlan), observed,
        evidence: evidenceOf(vlanDevice, 'vlan', (v) => v === observed, max),
        message: `${deviceName(vlanDevice)} is on VLAN ${observed}; ${name} says VLAN ${r.vlan}.`,
      }));
    }
    // A record without switch/port columns may still say where the device is in free text
    // ("SW07 Gi1/0/7 (Bed 7)"): read it against the switch names the network knows.
    const fromText = r.location !== undefined && (r.switch === undefined || r.port === undefined || r.room === undefined) ? parseFreeLocation(r.location, knownSwitches, knownRooms) : {};
    const recSwitch = r.switch ?? fromText.switch;
    const recPort = r.port ?? fromText.port;
    const sw = observe(pd, 'switch');
    if (recSwitch !== undefined && sw !== undefined && !sameText(recSwitch, sw.value)) {
      out.push(makeException({
        ...base, type: 'wrong_location', field: 'switch', expected: recSwitch, observed: sw.value,
        evidence: evidenceOf(sw.device, 'switch', (v) => v === sw.value, max),
        message: `${deviceName(sw.device)} is connected to switch ${sw.value}; ${name} says ${recSwitch}${r.switch === undefined ? ` (in its location "${r.location ?? ''}")` : ''}.`,
      }));
    }
    const port = observe(pd, 'port');
    if (recPort !== undefined && port !== undefined && normalisePortName(recPort) !== normalisePortName(port.value)) {
      out.push(makeException({
        ...base, type: 'wrong_location', field: 'port', expected: recPort, observed: port.value,
        evidence: evidenceOf(port.device, 'port', (v) => normalisePortName(v) === normalisePortName(port.value), max),
        message: `${deviceName(port.device)} is on port ${port.value}; ${name} says ${recPort}${r.port === undefined ? ` (in its location "${r.location ?? ''}")` : ''}.`,
      }));
    }
    const loc = observe(pd, 'location');
    const recRoom = r.room ?? fromText.room;
    if (recRoom !== undefined && loc !== undefined && !locationHasRoom(loc.value, recRoom)) {
      out.push(makeException({
        ...base, type: 'wrong_location', field: 'room', expected: recRoom, observed: loc.value,
        evidence: evidenceOf(loc.device, 'location', (v) => v === loc.value, max),
        message: `${deviceName(loc.device)} reports location "${loc.value}", not room ${recRoom} as ${name} says${r.room === undefined ? ` (in its location "${r.location ?? ''}")` : ''}.`,
      }));
    }
    const mf = observe(pd, 'manufacturer');
    if (r.manufacturer !== undefined && mf !== undefined && !sameManufacturer(r.manufacturer, mf.value)) {
      out.push(makeException({
        ...base, type: 'field_mismatch', field: 'manufacturer', expected: r.manufacturer, observed: mf.value,
        evidence: evidenceOf(mf.device, 'manufacturer', (v) => v === mf.value, max),
        message: `${deviceName(mf.device)} is made by ${mf.value}; ${name} says ${r.manufacturer}.`,
      }));
    }
    const model = observe(pd, 'model');
    if (r.model !== undefined && model !== undefined && !sameModel(r.model, model.value)) {
      out.push(makeException({
        ...base, type: 'field_mismatch', field: 'model', expected: r.model, observed: model.value,
        evidence: evidenceOf(model.device, 'model', (v) => v === model.value, max),
        message: `${deviceName(model.device)} reports model ${model.value}; ${name} says ${r.model}.`,
      }));
    }
    const serial = observe(pd, 'serial');
    const recordSerial = r.serial === undefined ? undefined : normaliseSerial(r.serial);
    if (recordSerial !== undefined && serial !== undefined && normaliseSerial(serial.value) !== recordSerial) {
      out.push(makeException({
        ...base, type: 'field_mismatch', field: 'serial', expected: r.serial ?? null, observed: serial.value,
        evidence: evidenceOf(serial.device, 'serial', (v) => v === serial.value, max),
        message: `${deviceName(serial.device)} reports serial ${serial.value}; ${name} says ${r.serial ?? ''}.`,
      }));
    }
  }

  out.push(...foldMissing(folded, foldedPastCap, records.length, maxMissing));

  // not_in_inventory
  const categories = new Set(['medical', 'unknown', ...(options.includeInfrastructure === true ? ['infrastructure'] : [])]);
  for (const d of match.unmatchedDevices) {
    if (!categories.has(d.category)) continue;
    if (!d.locally_attached && d.category !== 'medical') continue;
    const what = [d.manufacturer, d.model].filter((x) => x !== null).join(' ');
    const evidenceField = (['manufacturer', 'model', 'hostname'] as const).find((f) => d[f] !== null);
    out.push(makeException({
      subject: d.id, type: 'not_in_inventory', asset_id: d.asset_id, device_id: d.id, mac: d.mac, field: null,
      expected: null, observed: d.hostname ?? d.ip,
      evidence: evidenceField === undefined ? [] : evidenceOf(d, evidenceField, (v) => v === d[evidenceField], max),
      message: `${what === '' ? 'An unidentified device' : `A ${what}`} ${deviceName(d)}${d.ip !== null && d.hostname !== null ? ` at ${d.ip}` : ''} is on the network but in no record.`,
    }));
  }

  // duplicate_record. A value held by one record (nearly all of them) costs a map entry pointing
  // at that record, no list (issue 22: 200k records).
  const holders = { mac: new Map<string, SorRecord | SorRecord[]>(), serial: new Map<string, SorRecord | SorRecord[]>() };
  const hold = (map: Map<string, SorRecord | SorRecord[]>, value: string, r: SorRecord): void => {
    const e = map.get(value);
    if (e === undefined) map.set(value, r);
    else if (Array.isArray(e)) {
      if (!e.includes(r)) e.push(r);
    } else if (e !== r) map.set(value, [e, r]);
  };
  for (const r of records) {
    for (const mac of r.macs) hold(holders.mac, mac, r);
    const s = r.serial === undefined ? undefined : normaliseSerial(r.serial);
    if (s !== undefined) hold(holders.serial, s, r);
  }
  const deviceByMac = new Map(devices.filter((d) => d.mac !== null).map((d) => [d.mac ?? '', d]));
  for (const field of ['mac', 'serial'] as const) {
    for (const [value, held] of holders[field]) {
      if (!Array.isArray(held)) continue;
      const rs = [...held].sort((a, b) => a.line - b.line);
      const first = rs[0] as SorRecord;
      const device = field === 'mac' ? deviceByMac.get(value) : undefined;
      const names = rs.map((r) => (r.assetId !== undefined ? `${r.assetId} (line ${r.line})` : `line ${r.line}`));
      out.push(makeException({
        subject: `${field}:${value}`, type: 'duplicate_record', asset_id: first.assetId ?? null, device_id: device?.id ?? null,
        mac: field === 'mac' ? value : (first.macs[0] ?? null), field,
        expected: null, observed: value, evidence: [],
        message: `${rs.length} records share ${field === 'mac' ? 'MAC' : 'serial'} ${value}: ${names.join(', ')}.`,
      }));
    }
  }

  // identity_conflict
  for (const c of match.conflicts) {
    const first = c.records[0] as SorRecord;
    const device = c.devices[0];
    if (c.kind === 'record') {
      out.push(makeException({
        subject: recordSubject(first), type: 'identity_conflict', asset_id: first.assetId ?? null, device_id: device?.id ?? null,
        mac: first.macs[0] ?? device?.mac ?? null, field: null, expected: null, observed: c.devices.map((d) => d.id).join(', '),
        evidence: [],
        message: `${recordName(first)} names different devices by different identifiers: ${c.detail}.`,
      }));
    } else if (device !== undefined) {
      out.push(makeException({
        subject: device.id, type: 'identity_conflict', asset_id: first.assetId ?? device.asset_id, device_id: device.id,
        mac: device.mac, field: null, expected: null,
        observed: c.records.map((r) => r.assetId ?? `line ${r.line}`).join(', '),
        evidence: [],
        message: `${c.records.length} records claim ${deviceName(device)}: ${c.detail}.`,
      }));
    }
  }

  // One exception per event id (the same subject and field can only hold one condition).
  const unique = new Map<string, ReconcileException>();
  for (const e of out) if (!unique.has(e.event_id)) unique.set(e.event_id, e);
  const exceptions = [...unique.values()].sort(
    (a, b) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0),
  );
  const missingFolded = { manufacturer: folded.manufacturer.n, model: folded.model.n, firmware: folded.firmware.n, network_location: folded.network_location.n };
  return { exceptions, outOfCoverage, match, missingFolded };
}

/** The required fields a record may lack (HICP 9.1), in the order exceptions name them. */
export const MISSING_FIELDS = ['manufacturer', 'model', 'firmware', 'network_location'] as const;
export type MissingField = (typeof MISSING_FIELDS)[number];

/**
 * Per-record `missing_field` exceptions at most (records matched to a heard device); the gaps of
 * records past it are folded like those of records not heard. With 4 fields, 2,500 records.
 */
export const MISSING_FIELD_MAX = 10_000;
/** Records named in a folded exception's message. */
const FOLDED_EXAMPLES = 3;

/** The subject of the one exception per field that stands for the gaps of many records. */
export const FOLDED_SUBJECT = 'records';

/**
 * One `missing_field` exception per field for the records whose gaps are not raised one by one:
 * records not matched to a heard device (nothing on the network can fill the gap, and a
 * 200k-record export lacking four fields would otherwise open 800k exceptions) and matched ones
 * past `maxMissing`. Subject `records`, so the event id stays the same while the count changes
 * (the message is updated in place, no new stream line); `observed` is the number of records.
 * Which records: `completeness.csv` of `auscult report` (required_known per record).
 */
function foldMissing(folded: Record<MissingField, { n: number; first: SorRecord[] }>, pastCap: Record<MissingField, number>, total: number, maxMissing: number): ReconcileException[] {
  const out: ReconcileException[] = [];
  for (const field of MISSING_FIELDS) {
    const { n, first } = folded[field];
    if (n === 0) continue;
    const names = first.map((r) => r.assetId ?? `line ${r.line}`);
    const more = n - names.length;
    const what = field === 'network_location' ? 'network location (location, room, or switch and port)' : field;
    const why = [n - pastCap[field] > 0 ? `${n - pastCap[field]} not matched to a heard device` : '',
      pastCap[field] > 0 ? `${pastCap[field]} heard but past ${maxMissing} missing_field exceptions` : ''].filter((t) => t !== '').join(', ');
    out.push(makeException({
      subject: FOLDED_SUBJECT, type: 'missing_field', field, asset_id: null, device_id: null, mac: null,
      expected: null, observed: String(n), evidence: [],
      message: `${n} of ${total} records have no ${what} (${why}): ${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}; ` +
        'completeness.csv of `auscult report` lists every record.',
    }));
  }
  return out;
}

/** Port names as people write them: `Gi1/0/7`, `gi1-0-7`, `GigabitEthernet1/0/7`, `Fa0/3`, `Te1/1/1`, `ge-0/0/7`, `1/0/7`. */
const PORT_TOKEN = /^(?:(?:gi|gig|gigabitethernet|fa|fastethernet|te|ten|tengigabitethernet|tw|twe|twentyfivegige|fo|fortygigabitethernet|hu|hundredgige|eth|ethernet|ge|xe|et|mgmt)[-]?\d+(?:[/.:-]\d+){0,3}|\d+(?:\/\d+){1,3})$/i;

/** `Room 12`, `Rm. ICU-07`, `room: OR-2`: the room named after the word room. */
const ROOM_WORD = /\b(?:room|rm)\b\.?\s*(?:[:#]\s*)?([a-z0-9][a-z0-9._/-]*)/i;

/**
 * Rooms the network knows: the parts of the LLDP-MED civic locations devices report (comma
 * separated, as `location` holds them) that look like a room name, with a letter and a digit
 * (`ICU-08`, `OR-02`, `B3-114`); street numbers, floors and building letters alone are left out.
 */
export function roomsKnown(devices: readonly DeviceView[]): string[] {
  const rooms = new Set<string>();
  for (const d of devices) {
    for (const part of (d.location ?? '').split(',')) {
      const p = part.trim();
      if (p.length >= 2 && p.length <= 32 && /[a-z]/i.test(p) && /\d/.test(p) && !/\s/.test(p)) rooms.add(p);
    }
  }
  return [...rooms];
}

/**
 * Switch, port and room named in a free-text location, read against what the network knows: a
 * switch is a word equal (ignoring case) to a switch name some device was seen behind; a port is
 * the first word in an interface spelling (PORT_TOKEN); a room is the word after "Room"/"Rm", else
 * a word equal to a room the network knows (`roomsKnown`). `SW07 Gi1/0/7 (Room ICU-07)` →
 * { switch: 'SW07', port: 'Gi1/0/7', room: 'ICU-07' } when SW07 is a known switch. Words are split
 * at spaces, commas, semicolons and brackets; nothing is guessed beyond that (a bed is not a room).
 */
export function parseFreeLocation(text: string, knownSwitches: readonly string[], knownRooms: readonly string[] = []): { switch?: string; port?: string; room?: string } {
  const words = text.split(/[\s,;()[\]{}]+/).filter((w) => w !== '');
  const known = new Map(knownSwitches.map((s) => [s.toLowerCase(), s]));
  const rooms = new Set(knownRooms.map((r) => r.toLowerCase()));
  const out: { switch?: string; port?: string; room?: string } = {};
  const named = ROOM_WORD.exec(text)?.[1];
  if (named !== undefined) out.room = named;
  for (const w of words) {
    if (out.switch === undefined && known.has(w.toLowerCase())) out.switch = w;
    else if (out.port === undefined && PORT_TOKEN.test(w)) out.port = w;
    else if (out.room === undefined && rooms.has(w.toLowerCase())) out.room = w;
  }
  return out;
}
