/**
 * \summary One internal event (an outbox line) rendered in the shapes SIEMs read: auscult's
 * NDJSON, OCSF 1.8.0, Elastic ECS, ArcSight CEF and RFC 5424 syslog (carrying CEF). Every shape
 * keeps the event's `event_id`, its outbox `seq` and the capture-and-frame evidence.
 *
 * The internal event is the outbox line (`src/output/ndjson.ts`): its `event_type` picks an entry
 * of `EVENT_KINDS`, which says how that kind maps onto each shape (OCSF class, ECS kind and
 * categories, CEF signature). A new kind of event (advisory exposure, device lifecycle) is one
 * new entry there; the shape functions only read the entry.
 *
 * Hand-written because no maintained npm package renders OCSF, ECS or CEF from a record of our
 * own (the CEF and syslog encoders are a few lines each; their escaping is what matters, and it is
 * property-tested against an independent parser in test/property/shapes.property.test.ts).
 *
 * Fields OCSF and ECS have no attribute for (asset id, expected and observed values, the record
 * field, the capture file and frame) go in OCSF `unmapped.auscult.*` and ECS `auscult.*`
 * (a custom field set, as ECS asks for non-ECS fields), documented in README "Sending to your
 * SIEM". No attribute is invented inside the standard names.
 */
import type { ExceptionLine } from './ndjson.js';

export const OUTPUT_FORMATS = ['ndjson', 'ocsf', 'ecs', 'cef', 'syslog'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** An outbox line as stored (the internal event). */
export type StreamEvent = ExceptionLine & { seq: number };

/** What the shapes need besides the event: who sent it, and what the inventory knows of the device. */
export interface RenderContext {
  /** The sensor's name (config `output.sensor_name`, default the host name). */
  sensor: string;
  /** auscult's version. */
  version: string;
  /** The device's current addresses and name, when the event names a device. */
  device?: (deviceId: string) => { ip: string | null; hostname: string | null } | undefined;
}

export const OCSF_VERSION = '1.8.0';
const VENDOR = 'auscult';
const PRODUCT = 'auscult';

type Severity = ExceptionLine['severity'];

/** How one kind of internal event maps onto each shape. */
export interface EventKind {
  ocsf: { categoryUid: number; categoryName: string; classUid: number; className: string };
  ecs: { kind: 'alert' | 'asset' | 'event'; category: string[]; type: (e: StreamEvent) => string[] };
  /** CEF Device Event Class ID (the signature). */
  cefSignature: (e: StreamEvent) => string;
}

export const EVENT_KINDS: Readonly<Record<StreamEvent['event_type'], EventKind>> = {
  exception: {
    ocsf: { categoryUid: 2, categoryName: 'Findings', classUid: 2003, className: 'Compliance Finding' },
    ecs: { kind: 'alert', category: ['configuration'], type: (e) => (e.status === 'open' ? ['info'] : ['change']) },
    cefSignature: (e) => `exception:${e.type}`,
  },
};

const OCSF_SEVERITY: Record<Severity, { id: number; name: string }> = { low: { id: 2, name: 'Low' }, medium: { id: 3, name: 'Medium' }, high: { id: 4, name: 'High' } };
const CEF_SEVERITY: Record<Severity, number> = { low: 3, medium: 5, high: 8 };
/** RFC 5424 severities (facility local0 = 16): low notice (5), medium warning (4), high error (3). */
const SYSLOG_SEVERITY: Record<Severity, number> = { low: 5, medium: 4, high: 3 };
const SYSLOG_FACILITY = 16;
/** IANA private enterprise number used for the structured-data id (32473 is the documentation example PEN, RFC 5612). */
export const SD_ID = 'auscult@32473';

const ms = (iso: string): number => Date.parse(iso);

function deviceOf(e: StreamEvent, ctx: RenderContext): { ip: string | null; hostname: string | null } {
  return (e.device_id !== null ? ctx.device?.(e.device_id) : undefined) ?? { ip: null, hostname: null };
}

/** The keys of an object without its undefined and null values (OCSF and ECS omit what is unknown). */
function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) out[k] = v;
  return out as Partial<T>;
}

/** auscult's own NDJSON line (the stream file's shape, `schemas/exception.schema.json`). */
export function toNdjson(e: StreamEvent): string {
  return JSON.stringify(e);
}

/** OCSF 1.8.0: an exception is a Compliance Finding (2003). */
export function toOcsf(e: StreamEvent, ctx: RenderContext): Record<string, unknown> {
  const kind = EVENT_KINDS[e.event_type];
  const dev = deviceOf(e, ctx);
  const open = e.status === 'open';
  const activityId = open ? 1 : 3; // Create, Close
  // OCSF's device needs one of uid, name, ip, hostname: the inventory id, the record's asset id as its name.
  const device = e.device_id !== null || e.asset_id !== null || dev.ip !== null || dev.hostname !== null
    ? compact({ type_id: 0, type: 'Unknown', uid: e.device_id, name: e.asset_id, mac: e.mac, ip: dev.ip, hostname: dev.hostname })
    : undefined;
  return compact({
    activity_id: activityId,
    activity_name: open ? 'Create' : 'Close',
    category_uid: kind.ocsf.categoryUid,
    category_name: kind.ocsf.categoryName,
    class_uid: kind.ocsf.classUid,
    class_name: kind.ocsf.className,
    type_uid: kind.ocsf.classUid * 100 + activityId,
    type_name: `${kind.ocsf.className}: ${open ? 'Create' : 'Close'}`,
    severity_id: OCSF_SEVERITY[e.severity].id,
    severity: OCSF_SEVERITY[e.severity].name,
    status_id: open ? 1 : 4, // New, Resolved
    status: open ? 'New' : 'Resolved',
    time: ms(e.ts),
    message: e.message,
    metadata: {
      version: OCSF_VERSION,
      product: { name: PRODUCT, vendor_name: VENDOR, version: ctx.version },
      uid: `${e.event_id}-${e.seq}`,
      sequence: e.seq,
      log_name: 'exceptions',
      reporter: { name: ctx.sensor },
    },
    finding_info: { uid: e.event_id, title: e.type, desc: e.message, types: [e.type] },
    compliance: {
      control: e.type,
      standards: ['HICP 405(d) Technical Volume 2, practice 9.1'],
      status_id: open ? 3 : 1, // Fail, Pass
      status: open ? 'Fail' : 'Pass',
    },
    device,
    evidences: e.evidence.length > 0 ? e.evidence.map((ev) => ({ name: ev.source, data: { source: ev.source, frame: ev.frame, ts: ev.ts, capture: ev.capture } })) : undefined,
    unmapped: { auscult: compact({ event_id: e.event_id, seq: e.seq, sensor: ctx.sensor, mac: e.mac, asset_id: e.asset_id, field: e.field, expected: e.expected, observed: e.observed }) },
  });
}

/** ECS upper-case, hyphenated MAC (RFC 7042 notation, as ECS suggests). */
const ecsMac = (mac: string): string => mac.toUpperCase().replaceAll(':', '-');

const ECS_SEVERITY: Record<Severity, number> = { low: 21, medium: 47, high: 73 };

/** Elastic ECS 9.4: an exception is `event.kind: alert` about the device (`host.*`), seen by the sensor (`observer.*`). */
export function toEcs(e: StreamEvent, ctx: RenderContext): Record<string, unknown> {
  const kind = EVENT_KINDS[e.event_type];
  const dev = deviceOf(e, ctx);
  const host = compact({ mac: e.mac !== null ? [ecsMac(e.mac)] : undefined, ip: dev.ip !== null ? [dev.ip] : undefined, hostname: dev.hostname ?? undefined, name: dev.hostname ?? undefined });
  return compact({
    '@timestamp': e.ts,
    message: e.message,
    ecs: { version: '9.4.0' },
    event: {
      kind: kind.ecs.kind,
      category: kind.ecs.category,
      type: kind.ecs.type(e),
      id: e.event_id,
      code: e.type,
      action: e.status,
      dataset: 'auscult.exceptions',
      module: 'auscult',
      provider: 'auscult',
      severity: ECS_SEVERITY[e.severity],
      sequence: e.seq,
      reason: e.message,
    },
    observer: { type: 'sensor', name: ctx.sensor, product: PRODUCT, vendor: VENDOR, version: ctx.version },
    device: e.device_id !== null ? { id: e.device_id } : undefined,
    host: Object.keys(host).length > 0 ? host : undefined,
    auscult: compact({
      event_type: e.event_type, status: e.status, severity: e.severity, asset_id: e.asset_id, field: e.field, expected: e.expected, observed: e.observed,
      evidence: e.evidence,
    }),
  });
}

/** CEF header field escaping: backslash and pipe; a newline has no place in a header, so it becomes a space. */
export function cefHeader(s: string): string {
  return s.replace(/[\\|]/g, (c) => `\\${c}`).replace(/\r\n|[\r\n]/g, ' ');
}

/** CEF extension value escaping: backslash, equals sign, and CR/LF as `\r` / `\n` (ArcSight CEF rev. 25). */
export function cefValue(s: string): string {
  return s.replace(/[\\=]/g, (c) => `\\${c}`).replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

/** The CEF line (no syslog header). Custom fields: cs1 asset id, cs2 field, cs3 expected, cs4 observed, cs5 evidence (JSON), cn1 seq. */
export function toCef(e: StreamEvent, ctx: RenderContext): string {
  const kind = EVENT_KINDS[e.event_type];
  const dev = deviceOf(e, ctx);
  const ext: [string, string | number | null][] = [
    ['rt', ms(e.ts)],
    ['externalId', e.event_id],
    ['cat', e.type],
    ['act', e.status],
    ['msg', e.message],
    ['smac', e.mac],
    ['src', dev.ip],
    ['shost', dev.hostname],
    ['deviceExternalId', e.device_id],
    ['dvchost', ctx.sensor],
  ];
  // `cn1` (seq, digits) comes last, so no free-text value ends the line (collectors trim trailing blanks).
  const custom: [string, string, string | number | null][] = [
    ['cs1', 'asset_id', e.asset_id],
    ['cs2', 'field', e.field],
    ['cs3', 'expected', e.expected],
    ['cs4', 'observed', e.observed],
    ['cs5', 'evidence', e.evidence.length > 0 ? JSON.stringify(e.evidence) : null],
    ['cn1', 'seq', e.seq],
  ];
  for (const [key, label, value] of custom) if (value !== null) ext.push([`${key}Label`, label], [key, value]);
  const extension = ext.filter(([, v]) => v !== null && v !== '').map(([k, v]) => `${k}=${cefValue(String(v))}`).join(' ');
  const header = ['CEF:0', VENDOR, PRODUCT, ctx.version, kind.cefSignature(e), e.message, String(CEF_SEVERITY[e.severity])].map((h, i) => (i === 0 ? h : cefHeader(h)));
  return `${header.join('|')}|${extension}`;
}

/** RFC 5424 PRINTUSASCII without space, `=`, `]`, `"` (SD-NAME); other names are cut to it. */
const sdName = (s: string): string => s.replace(/[^\x21-\x7e]|[= \]"]/g, '_').slice(0, 32);
/** RFC 5424 PARAM-VALUE escaping: `"`, `\` and `]`. */
const sdValue = (s: string): string => s.replace(/["\\\]]/g, (c) => `\\${c}`);
/** HOSTNAME, APP-NAME, MSGID: PRINTUSASCII, bounded length, NILVALUE when empty. */
const header = (s: string, max: number): string => {
  const v = s.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return v === '' ? '-' : v;
};

/**
 * RFC 5424 syslog message carrying the CEF line as MSG (how ArcSight, QRadar and Sentinel's CEF
 * connector read it), with the event id and seq in structured data. No framing: the transport adds
 * it (octet counting on TCP/TLS, RFC 6587/5425).
 */
export function toSyslog(e: StreamEvent, ctx: RenderContext): string {
  const pri = SYSLOG_FACILITY * 8 + SYSLOG_SEVERITY[e.severity];
  const sd = `[${sdName(SD_ID)} event_id="${sdValue(e.event_id)}" seq="${e.seq}" type="${sdValue(e.type)}" status="${sdValue(e.status)}"]`;
  // HOSTNAME: RFC 5424 allows any PRINTUSASCII but recommends an FQDN, host name or IP; collectors
  // (and parsers) trip on the rest, so anything outside letters, digits, '.', '-' and '_' becomes '_'.
  const host = header(ctx.sensor.replace(/[^A-Za-z0-9._-]/g, '_'), 255);
  return `<${pri}>1 ${e.ts} ${host} auscult - ${header(e.event_type, 32)} ${sd} ${toCef(e, ctx)}`;
}

/** The event in the named shape, as one line (no newline). */
export function render(format: OutputFormat, e: StreamEvent, ctx: RenderContext): string {
  switch (format) {
    case 'ndjson': return toNdjson(e);
    case 'ocsf': return JSON.stringify(toOcsf(e, ctx));
    case 'ecs': return JSON.stringify(toEcs(e, ctx));
    case 'cef': return toCef(e, ctx);
    case 'syslog': return toSyslog(e, ctx);
  }
}
