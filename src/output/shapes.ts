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
 * field, the capture file and frame, a medical device's firmware, switch port and FDA class) go
 * in OCSF `unmapped.auscult.*` and ECS `auscult.*` (a custom field set, as ECS asks for non-ECS
 * fields), documented in README "Sending to your SIEM". No attribute is invented inside the
 * standard names.
 *
 * Advisory exposure (issue 17's `vulnerable_firmware`, `firmware_downgrade`, `deferral_expired`
 * exceptions and `patch_verified` events) is an OCSF Vulnerability Finding (2002) whose
 * `vulnerabilities[]` come from the advisory (`RenderContext.advisory`); the other
 * patch-management exceptions (a segment condition broken, an advisory that cannot be checked)
 * stay Compliance Findings with the advisory in `unmapped.auscult`.
 */
import type { PatchVerifiedLine } from '../advisories/patch-state.js';
import type { LifecycleLine, LifecycleType } from '../reconcile/lifecycle.js';
import type { ExceptionEvidence } from '../reconcile/exception-kinds.js';
import type { ExceptionLine, OutboxLine } from './ndjson.js';
import type { RemoteSessionLine } from '../reconcile/session-lines.js';

export const OUTPUT_FORMATS = ['ndjson', 'ocsf', 'ecs', 'cef', 'syslog'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** An outbox line as stored (the internal event). */
export type StreamEvent = (OutboxLine | PatchVerifiedLine) & { seq: number };
type LifecycleEvent = LifecycleLine & { seq: number };
type ExceptionEvent = ExceptionLine & { seq: number };
type PatchEvent = PatchVerifiedLine & { seq: number };
type SessionEvent = RemoteSessionLine & { seq: number };

/** What the inventory knows of a device when a line is rendered. */
export interface DeviceInfo {
  ip: string | null;
  hostname: string | null;
  /** The chosen value of each identity field (`device_field`: manufacturer, model, serial, firmware, switch, port, vlan, fda_class...). */
  fields?: Readonly<Record<string, string>>;
}

/** The advisory behind a patch-management event, with the vulnerabilities it names for the device. */
export interface AdvisoryInfo {
  tracking_id: string;
  version: string;
  title: string;
  /** `document.publisher.name` (e.g. CISA), when known. */
  publisher?: string;
  vulnerabilities: { id: string; cve: string | null; cvss: number | null; cvss_vector: string | null; kev: boolean; verdict: string }[];
}

/** What the shapes need besides the event: who sent it, and what the inventory knows of the device. */
export interface RenderContext {
  /** The sensor's name (config `output.sensor_name`, default the host name). */
  sensor: string;
  /** auscult's version. */
  version: string;
  /** The device's current addresses, name and identity fields, when the event names a device. */
  device?: (deviceId: string) => DeviceInfo | undefined;
  /** The advisory behind a patch-management event (src/output/event-source.ts), when it can be found. */
  advisory?: (e: StreamEvent) => AdvisoryInfo | undefined;
}

export const OCSF_VERSION = '1.8.0';
const VENDOR = 'auscult';
const PRODUCT = 'auscult';

/** The line's severity; a `patch_verified` event (good news) and a remote session (a fact; the exceptions judge it) are informational. */
type Severity = ExceptionLine['severity'] | 'info';
const severityOf = (e: StreamEvent): Severity => (e.event_type === 'patch_verified' ? 'info' : e.severity);
/** The kind within the event type (`patch_verified` has one). */
const typeOf = (e: StreamEvent): string => (e.event_type === 'patch_verified' ? 'patch_verified' : e.type);
/** The capture-and-frame evidence of any line (`patch_verified`: the new version's frames, then the old one's). */
const evidenceOf = (e: StreamEvent): ExceptionEvidence[] =>
  (e.event_type === 'patch_verified' ? [...e.new_evidence, ...e.old_evidence] : e.evidence);

/** Exception types that are advisory exposure: rendered as OCSF Vulnerability Findings. */
export const VULNERABILITY_TYPES: ReadonlySet<string> = new Set(['vulnerable_firmware', 'firmware_downgrade', 'deferral_expired']);
const isVulnerability = (e: StreamEvent): boolean => e.event_type === 'patch_verified' || (e.event_type === 'exception' && VULNERABILITY_TYPES.has(e.type));

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
    ecs: { kind: 'alert', category: ['configuration'], type: (e) => (e.event_type === 'exception' && e.status === 'open' ? ['info'] : ['change']) },
    cefSignature: (e) => `exception:${typeOf(e)}`,
  },
  lifecycle: {
    ocsf: { categoryUid: 5, categoryName: 'Discovery', classUid: 5001, className: 'Device Inventory Info' },
    ecs: { kind: 'asset', category: ['host'], type: (e) => [ECS_LIFECYCLE_TYPE[typeOf(e) as LifecycleType]] },
    cefSignature: (e) => `lifecycle:${typeOf(e)}`,
  },
  patch_verified: {
    ocsf: { categoryUid: 2, categoryName: 'Findings', classUid: 2002, className: 'Vulnerability Finding' },
    ecs: { kind: 'event', category: ['configuration'], type: () => ['change'] },
    cefSignature: () => 'patch:patch_verified',
  },
  // Issue 20: a remote-access session (src/reconcile/session-lines.ts), written when it ended.
  remote_session: {
    ocsf: { categoryUid: 4, categoryName: 'Network Activity', classUid: 4001, className: 'Network Activity' },
    ecs: { kind: 'event', category: ['network'], type: () => ['connection', 'end'] },
    cefSignature: (e) => `remote_session:${e.event_type === 'remote_session' ? e.tool : typeOf(e)}`,
  },
};

/** OCSF Vulnerability Finding (2002): advisory exposure. */
const OCSF_VULNERABILITY = { categoryUid: 2, categoryName: 'Findings', classUid: 2002, className: 'Vulnerability Finding' } as const;

/** ECS `event.type` of each lifecycle kind (allowed with `event.category: host`). */
const ECS_LIFECYCLE_TYPE: Record<LifecycleType, string> = { device_new: 'start', device_changed: 'change', device_quiet: 'end', device_back: 'start' };

const OCSF_SEVERITY: Record<Severity, { id: number; name: string }> = {
  info: { id: 1, name: 'Informational' }, low: { id: 2, name: 'Low' }, medium: { id: 3, name: 'Medium' }, high: { id: 4, name: 'High' },
};
const CEF_SEVERITY: Record<Severity, number> = { info: 1, low: 3, medium: 5, high: 8 };
/** RFC 5424 severities (facility local0 = 16): info informational (6), low notice (5), medium warning (4), high error (3). */
const SYSLOG_SEVERITY: Record<Severity, number> = { info: 6, low: 5, medium: 4, high: 3 };
const SYSLOG_FACILITY = 16;
/** IANA private enterprise number used for the structured-data id (32473 is the documentation example PEN, RFC 5612). */
export const SD_ID = 'auscult@32473';

const ms = (iso: string): number => Date.parse(iso);

function deviceOf(e: StreamEvent, ctx: RenderContext): DeviceInfo {
  return (e.device_id !== null ? ctx.device?.(e.device_id) : undefined) ?? { ip: null, hostname: null };
}

/** Identity fields OCSF's `device` and ECS's `device.*` have no attribute for (README "Sending to your SIEM"). */
const MEDICAL_FIELDS = ['firmware', 'hardware_version', 'software_version', 'switch', 'port', 'vlan', 'location', 'category', 'device_type',
  'fda_class', 'fda_product_code', 'fda_regulation', 'asset_tag'] as const;

/** The device's fields OCSF/ECS lack, as `{field: value}` (undefined when none is known). */
function medicalFields(dev: DeviceInfo): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const f of MEDICAL_FIELDS) {
    const v = dev.fields?.[f];
    if (v !== undefined) out[f] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Who a line is about. */
interface DeviceIds { device_id: string | null; asset_id: string | null; mac: string | null }
const idsOf = (e: StreamEvent): DeviceIds => ({ device_id: e.device_id, asset_id: e.event_type === 'lifecycle' || e.event_type === 'remote_session' ? null : e.asset_id, mac: e.mac });

/** OCSF `device` (needs one of uid, name, ip, hostname): the inventory id, the record's asset id as its name, what the inventory knows. */
function ocsfDevice(e: DeviceIds, dev: DeviceInfo, extra: Record<string, unknown> = {}): Record<string, unknown> | undefined {
  const assetId = e.asset_id;
  if (e.device_id === null && assetId === null && dev.ip === null && dev.hostname === null) return undefined;
  const f = dev.fields ?? {};
  const vlan = f['vlan'] !== undefined && /^\d{1,4}$/.test(f['vlan']) ? f['vlan'] : undefined;
  return compact({
    type_id: 0, type: 'Unknown', uid: e.device_id, name: assetId, mac: e.mac, ip: dev.ip, hostname: dev.hostname,
    vendor_name: f['manufacturer'], model: f['model'], hw_info: f['serial'] !== undefined ? { serial_number: f['serial'] } : undefined, vlan_uid: vlan,
    ...extra,
  });
}

/** The keys of an object without its undefined and null values (OCSF and ECS omit what is unknown). */
function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) out[k] = v;
  return out as Partial<T>;
}

/**
 * auscult's own NDJSON line (`schemas/exception.schema.json`, `schemas/patch-verified.schema.json`)
 * with `sensor`, and the device's current `ip` and `hostname`, added at the end. The reconciliation
 * stream file (`--stream`, `output.stream`) keeps the bare outbox line: it is the contract of
 * design.md, and its lines must not change with the inventory after they are written.
 */
export function toNdjson(e: StreamEvent, ctx?: RenderContext): string {
  if (ctx === undefined) return JSON.stringify(e);
  const dev = deviceOf(e, ctx);
  return JSON.stringify({ ...e, sensor: ctx.sensor, ip: dev.ip, hostname: dev.hostname });
}

/** OCSF 1.8.0: an exception is a Compliance Finding (2003). */
export function toOcsf(e: StreamEvent, ctx: RenderContext): Record<string, unknown> {
  if (e.event_type === 'lifecycle') return ocsfLifecycle(e, ctx);
  if (e.event_type === 'remote_session') return ocsfSession(e, ctx);
  const advisory = ctx.advisory?.(e);
  if (e.event_type === 'patch_verified') return ocsfVulnerability(e, ctx, advisory);
  if (isVulnerability(e) && advisory !== undefined) return ocsfVulnerability(e, ctx, advisory);
  const kind = EVENT_KINDS[e.event_type];
  const dev = deviceOf(e, ctx);
  const open = e.status === 'open';
  const activityId = open ? 1 : 3; // Create, Close
  const device = ocsfDevice(idsOf(e), dev);
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
    metadata: ocsfMetadata(e, ctx, 'exceptions'),
    finding_info: { uid: e.event_id, title: e.type, desc: e.message, types: [e.type] },
    compliance: {
      control: e.type,
      standards: ['HICP 405(d) Technical Volume 2, practice 9.1'],
      status_id: open ? 3 : 1, // Fail, Pass
      status: open ? 'Fail' : 'Pass',
    },
    device,
    evidences: e.evidence.length > 0 ? e.evidence.map((ev) => ({ name: ev.source, data: { source: ev.source, frame: ev.frame, ts: ev.ts, capture: ev.capture } })) : undefined,
    unmapped: { auscult: compact({
      event_id: e.event_id, seq: e.seq, sensor: ctx.sensor, mac: e.mac, asset_id: e.asset_id, field: e.field, expected: e.expected, observed: e.observed,
      advisory_id: advisory?.tracking_id, device: medicalFields(dev),
    }) },
  });
}

/** OCSF `vulnerabilities[]` of an advisory: one per CVE (or the advisory itself when a vulnerability has no CVE; OCSF allows just one of cve, advisory, cwe). */
function ocsfVulnerabilities(a: AdvisoryInfo | undefined, affectedOnly: boolean): Record<string, unknown>[] {
  if (a === undefined) return [];
  const affected = a.vulnerabilities.filter((v) => v.verdict === 'affected');
  const list = affectedOnly && affected.length > 0 ? affected : a.vulnerabilities;
  return list.map((v) => compact({
    title: a.title,
    vendor_name: a.publisher,
    is_exploit_available: v.kev ? true : undefined,
    cve: v.cve !== null ? compact({ uid: v.cve, cvss: v.cvss !== null ? [compact({ base_score: v.cvss, version: cvssVersion(v.cvss_vector), vector_string: v.cvss_vector })] : undefined }) : undefined,
    advisory: v.cve === null ? { uid: a.tracking_id, title: a.title } : undefined,
  }));
}
/** CVSS version from the vector (`CVSS:3.1/...`); a vector without the prefix is v2. */
const cvssVersion = (vector: string | null): string => /^CVSS:(\d+\.\d+)\//.exec(vector ?? '')?.[1] ?? (vector !== null ? '2.0' : '3.1');

/** OCSF 1.8.0 Vulnerability Finding (2002): an advisory exception (Create/Close as its status) or a verified patch (Close, Resolved). */
function ocsfVulnerability(e: ExceptionEvent | PatchEvent, ctx: RenderContext, advisory: AdvisoryInfo | undefined): Record<string, unknown> {
  const dev = deviceOf(e, ctx);
  const open = e.event_type === 'exception' && e.status === 'open';
  const activityId = open ? 1 : 3; // Create, Close
  const sev = OCSF_SEVERITY[severityOf(e)];
  const type = typeOf(e);
  const advisoryId = e.event_type === 'patch_verified' ? e.advisory_id : advisory?.tracking_id;
  const vulnerabilities = ocsfVulnerabilities(advisory, e.event_type === 'exception');
  const evidence = evidenceOf(e);
  const firmware = e.event_type === 'patch_verified' ? { old_version: e.old_version, new_version: e.new_version, new_verdict: e.new_verdict }
    : { field: e.field, expected: e.expected, observed: e.observed };
  return compact({
    activity_id: activityId,
    activity_name: open ? 'Create' : 'Close',
    category_uid: OCSF_VULNERABILITY.categoryUid,
    category_name: OCSF_VULNERABILITY.categoryName,
    class_uid: OCSF_VULNERABILITY.classUid,
    class_name: OCSF_VULNERABILITY.className,
    type_uid: OCSF_VULNERABILITY.classUid * 100 + activityId,
    type_name: `${OCSF_VULNERABILITY.className}: ${open ? 'Create' : 'Close'}`,
    severity_id: sev.id,
    severity: sev.name,
    status_id: open ? 1 : 4, // New, Resolved
    status: open ? 'New' : 'Resolved',
    time: ms(e.ts),
    message: e.message,
    metadata: ocsfMetadata(e, ctx, e.event_type === 'patch_verified' ? 'patches' : 'exceptions'),
    finding_info: { uid: e.event_id, title: type, desc: e.message, types: [type] },
    // Required by the class: when the advisory is gone from the database, the advisory id alone.
    vulnerabilities: vulnerabilities.length > 0 ? vulnerabilities : [{ advisory: { uid: advisoryId ?? 'unknown' } }],
    device: ocsfDevice(idsOf(e), dev),
    // The class has no `evidences` attribute: the capture-and-frame evidence is in unmapped.
    unmapped: { auscult: compact({
      event_id: e.event_id, seq: e.seq, sensor: ctx.sensor, type, mac: e.mac, asset_id: e.asset_id, advisory_id: advisoryId,
      advisory_version: advisory?.version, ...firmware, evidence: evidence.length > 0 ? evidence : undefined, device: medicalFields(dev),
    }) },
  });
}

/** OCSF `metadata` of any line: product, sensor as reporter, and the outbox position as uid and sequence. */
function ocsfMetadata(e: { event_id: string; seq: number }, ctx: RenderContext, logName: string): Record<string, unknown> {
  return {
    version: OCSF_VERSION,
    product: { name: PRODUCT, vendor_name: VENDOR, version: ctx.version },
    uid: `${e.event_id}-${e.seq}`,
    sequence: e.seq,
    log_name: logName,
    reporter: { name: ctx.sensor },
  };
}

/** OCSF 1.8.0: a lifecycle event is Device Inventory Info (5001), activity Log; what OCSF has no attribute for in `unmapped.auscult`. */
function ocsfLifecycle(e: LifecycleEvent, ctx: RenderContext): Record<string, unknown> {
  const kind = EVENT_KINDS.lifecycle;
  const dev = deviceOf(e, ctx);
  return compact({
    activity_id: 1,
    activity_name: 'Log',
    category_uid: kind.ocsf.categoryUid,
    category_name: kind.ocsf.categoryName,
    class_uid: kind.ocsf.classUid,
    class_name: kind.ocsf.className,
    type_uid: kind.ocsf.classUid * 100 + 1,
    type_name: `${kind.ocsf.className}: Log`,
    severity_id: OCSF_SEVERITY[e.severity].id,
    severity: OCSF_SEVERITY[e.severity].name,
    time: ms(e.ts),
    message: e.message,
    metadata: ocsfMetadata(e, ctx, 'lifecycle'),
    device: ocsfDevice(idsOf(e), dev, { first_seen_time: ms(e.first_seen), last_seen_time: ms(e.last_seen) }),
    unmapped: { auscult: compact({
      event_id: e.event_id, seq: e.seq, sensor: ctx.sensor, type: e.type, changes: e.changes.length > 0 ? e.changes : undefined,
      evidence: e.evidence.length > 0 ? e.evidence : undefined, device: medicalFields(dev),
    }) },
  });
}

/** IANA service names (OCSF `app_protocol_name`) of the tools that are a protocol of their own. */
const IANA_SERVICE: Readonly<Record<string, string>> = { ssh: 'ssh', rdp: 'ms-wbt-server', vnc: 'rfb', telnet: 'telnet' };

/** The session's two ends: the initiator (the peer when inbound) and the responder. */
function sessionEnds(e: SessionEvent): { inbound: boolean; device: { ip: string; port: number; bytes: number }; peer: { ip: string; port: number; bytes: number } } {
  return {
    inbound: e.direction === 'inbound',
    device: { ip: e.device_ip, port: e.device_port, bytes: e.bytes_from_device },
    peer: { ip: e.peer_ip, port: e.peer_port, bytes: e.bytes_to_device },
  };
}

/**
 * OCSF 1.8.0: a remote-access session is Network Activity (4001): activity Close (ended by FIN),
 * Reset (RST) or Traffic (ended idle, with the capture, or evicted: a report of the traffic seen).
 * The initiator is `src_endpoint` (the peer when inbound), `connection_info.direction_id` Inbound
 * or Outbound as auscult judged it, the medical device in `device` (host profile); the tool, how
 * it was recognised and the capture-and-frame evidence in `unmapped.auscult`.
 */
function ocsfSession(e: SessionEvent, ctx: RenderContext): Record<string, unknown> {
  const kind = EVENT_KINDS.remote_session;
  const dev = deviceOf(e, ctx);
  const activity = e.end_reason === 'fin' ? { id: 2, name: 'Close' } : e.end_reason === 'rst' ? { id: 3, name: 'Reset' } : { id: 6, name: 'Traffic' };
  const { inbound, device, peer } = sessionEnds(e);
  const deviceEnd = compact({ ip: device.ip, port: device.port, uid: e.device_id, mac: e.mac, hostname: dev.hostname });
  const peerEnd = { ip: peer.ip, port: peer.port };
  const src = inbound ? peer : device;
  const dst = inbound ? device : peer;
  return compact({
    activity_id: activity.id,
    activity_name: activity.name,
    category_uid: kind.ocsf.categoryUid,
    category_name: kind.ocsf.categoryName,
    class_uid: kind.ocsf.classUid,
    class_name: kind.ocsf.className,
    type_uid: kind.ocsf.classUid * 100 + activity.id,
    type_name: `${kind.ocsf.className}: ${activity.name}`,
    severity_id: OCSF_SEVERITY.info.id,
    severity: OCSF_SEVERITY.info.name,
    time: ms(e.ts),
    start_time: ms(e.start),
    end_time: ms(e.end),
    duration: Math.round(e.duration_s * 1000),
    message: e.message,
    metadata: { ...ocsfMetadata(e, ctx, 'remote_sessions'), profiles: ['host'] },
    src_endpoint: inbound ? peerEnd : deviceEnd,
    dst_endpoint: inbound ? deviceEnd : peerEnd,
    connection_info: {
      protocol_name: e.transport, protocol_num: e.transport === 'tcp' ? 6 : 17, direction_id: inbound ? 1 : 2, direction: inbound ? 'Inbound' : 'Outbound',
    },
    // OCSF: bytes_out flow from source to destination, bytes_in back.
    traffic: { bytes: e.bytes_to_device + e.bytes_from_device, bytes_out: src.bytes, bytes_in: dst.bytes, packets: e.frames },
    app_name: e.tool_name,
    app_protocol_name: IANA_SERVICE[e.tool],
    observation_point_id: 3, // Neither: a passive sensor on a mirror port
    observation_point: 'Neither',
    device: ocsfDevice(idsOf(e), dev),
    unmapped: { auscult: compact({
      event_id: e.event_id, seq: e.seq, sensor: ctx.sensor, type: e.type, tool: e.tool, how: e.how, end_reason: e.end_reason,
      first_frame: e.first_frame, last_frame: e.last_frame, evidence: e.evidence, device: medicalFields(dev),
    }) },
  });
}

/** ECS upper-case, hyphenated MAC (RFC 7042 notation, as ECS suggests). */
const ecsMac = (mac: string): string => mac.toUpperCase().replaceAll(':', '-');

const ECS_SEVERITY: Record<Severity, number> = { info: 1, low: 21, medium: 47, high: 73 };

/** ECS `device.*`: the inventory id and what the inventory knows of the device's make. */
function ecsDevice(e: StreamEvent, dev: DeviceInfo): Record<string, unknown> | undefined {
  const f = dev.fields ?? {};
  const d = compact({
    id: e.device_id, manufacturer: f['manufacturer'], model: f['model'] !== undefined ? { name: f['model'] } : undefined, serial_number: f['serial'],
  });
  return Object.keys(d).length > 0 ? d : undefined;
}

/** ECS `vulnerability.*` of an advisory: the CVE ids (or vulnerability ids), the highest CVSS, the advisory as the report. */
function ecsVulnerability(a: AdvisoryInfo | undefined, affectedOnly: boolean): Record<string, unknown> | undefined {
  if (a === undefined) return undefined;
  const affected = a.vulnerabilities.filter((v) => v.verdict === 'affected');
  const list = affectedOnly && affected.length > 0 ? affected : a.vulnerabilities;
  const worst = list.reduce<(typeof list)[number] | undefined>((w, v) => ((v.cvss ?? -1) > (w?.cvss ?? -1) ? v : w), undefined);
  return compact({
    id: list.map((v) => v.cve ?? v.id),
    enumeration: list.every((v) => v.cve !== null) ? 'CVE' : undefined,
    classification: worst?.cvss !== null && worst !== undefined ? 'CVSS' : undefined,
    score: worst?.cvss !== null && worst !== undefined ? { base: worst.cvss, version: cvssVersion(worst.cvss_vector) } : undefined,
    report_id: a.tracking_id,
    description: a.title,
    category: ['medical device'],
  });
}

/**
 * Elastic ECS 9.4: an exception is `event.kind: alert` about the device (`host.*`, `device.*`),
 * seen by the sensor (`observer.*`); advisory exposure is `event.category: vulnerability` with
 * `vulnerability.*`; a lifecycle event is `event.kind: asset`; a verified patch `event.kind: event`.
 */
export function toEcs(e: StreamEvent, ctx: RenderContext): Record<string, unknown> {
  const kind = EVENT_KINDS[e.event_type];
  const dev = deviceOf(e, ctx);
  const host = compact({ mac: e.mac !== null ? [ecsMac(e.mac)] : undefined, ip: dev.ip !== null ? [dev.ip] : undefined, hostname: dev.hostname ?? undefined, name: dev.hostname ?? undefined });
  const common = {
    '@timestamp': e.ts,
    message: e.message,
    ecs: { version: '9.4.0' },
    observer: { type: 'sensor', name: ctx.sensor, product: PRODUCT, vendor: VENDOR, version: ctx.version },
    device: ecsDevice(e, dev),
    host: Object.keys(host).length > 0 ? host : undefined,
  };
  const event = (fields: { kind: string; category: string[]; type: string[]; action: string; dataset: string }): Record<string, unknown> => ({
    kind: fields.kind, category: fields.category, type: fields.type, id: e.event_id, code: typeOf(e), action: fields.action,
    dataset: fields.dataset, module: 'auscult', provider: 'auscult', severity: ECS_SEVERITY[severityOf(e)], sequence: e.seq, reason: e.message,
  });
  const medical = medicalFields(dev);
  if (e.event_type === 'remote_session') {
    const { inbound, device, peer } = sessionEnds(e);
    const deviceEnd = compact({ ...device, mac: e.mac !== null ? ecsMac(e.mac) : undefined });
    return compact({
      ...common,
      event: {
        ...event({ kind: kind.ecs.kind, category: kind.ecs.category, type: kind.ecs.type(e), action: 'remote_session', dataset: 'auscult.sessions' }),
        start: e.start, end: e.end, duration: Math.round(e.duration_s * 1e9),
      },
      // ECS: `source.bytes` are the bytes the source sent.
      source: inbound ? peer : deviceEnd,
      destination: inbound ? deviceEnd : peer,
      network: compact({
        transport: e.transport, direction: inbound ? 'inbound' : 'outbound', application: e.tool, protocol: IANA_SERVICE[e.tool] !== undefined ? e.tool : undefined,
        bytes: e.bytes_to_device + e.bytes_from_device, packets: e.frames,
      }),
      related: { ip: [...new Set([e.device_ip, e.peer_ip])] },
      auscult: compact({
        event_type: e.event_type, severity: e.severity, tool: e.tool, tool_name: e.tool_name, how: e.how, end_reason: e.end_reason,
        first_frame: e.first_frame, last_frame: e.last_frame, evidence: e.evidence, device: medical,
      }),
    });
  }
  if (e.event_type === 'lifecycle') {
    return compact({
      ...common,
      event: event({ kind: kind.ecs.kind, category: kind.ecs.category, type: kind.ecs.type(e), action: e.type, dataset: 'auscult.lifecycle' }),
      auscult: compact({ event_type: e.event_type, severity: e.severity, first_seen: e.first_seen, last_seen: e.last_seen, changes: e.changes, evidence: e.evidence, device: medical }),
    });
  }
  const advisory = ctx.advisory?.(e);
  if (e.event_type === 'patch_verified') {
    return compact({
      ...common,
      event: event({ kind: kind.ecs.kind, category: kind.ecs.category, type: kind.ecs.type(e), action: 'patch_verified', dataset: 'auscult.patches' }),
      vulnerability: ecsVulnerability(advisory, false),
      auscult: compact({
        event_type: e.event_type, asset_id: e.asset_id, advisory_id: e.advisory_id, old_version: e.old_version, new_version: e.new_version,
        new_verdict: e.new_verdict, evidence: evidenceOf(e), device: medical,
      }),
    });
  }
  const vulnerable = isVulnerability(e) && advisory !== undefined;
  return compact({
    ...common,
    event: event({
      kind: kind.ecs.kind, category: vulnerable ? ['vulnerability'] : kind.ecs.category, type: vulnerable ? ['info'] : kind.ecs.type(e),
      action: e.status, dataset: 'auscult.exceptions',
    }),
    vulnerability: vulnerable ? ecsVulnerability(advisory, true) : undefined,
    auscult: compact({
      event_type: e.event_type, status: e.status, severity: e.severity, asset_id: e.asset_id, field: e.field, expected: e.expected, observed: e.observed,
      evidence: e.evidence, advisory_id: advisory?.tracking_id, device: medical,
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

/**
 * The CEF line of a remote session: initiator in `src`/`spt` (the peer when inbound), `proto`,
 * `in` (bytes from source to destination, as ArcSight defines it) and `out`, `start`/`end`, `app`
 * the tool, `deviceDirection` 0 inbound / 1 outbound, `cnt` frames; cs3 end reason, cs4 how the
 * tool was recognised, cs5 evidence, cn1 seq.
 */
function cefSession(e: SessionEvent, ctx: RenderContext): string {
  const dev = deviceOf(e, ctx);
  const { inbound, device, peer } = sessionEnds(e);
  const src = inbound ? peer : device;
  const dst = inbound ? device : peer;
  const ext: [string, string | number | null][] = [
    ['rt', ms(e.ts)], ['externalId', e.event_id], ['cat', e.type], ['act', e.end_reason], ['msg', e.message],
    ['src', src.ip], ['spt', src.port], ['dst', dst.ip], ['dpt', dst.port], ['proto', e.transport.toUpperCase()],
    ['in', src.bytes], ['out', dst.bytes], ['start', ms(e.start)], ['end', ms(e.end)], ['app', e.tool], ['cnt', e.frames],
    ['deviceDirection', inbound ? 0 : 1], [inbound ? 'dmac' : 'smac', e.mac], [inbound ? 'dhost' : 'shost', dev.hostname],
    ['deviceExternalId', e.device_id], ['dvchost', ctx.sensor],
    ['cs3Label', 'end_reason'], ['cs3', e.end_reason], ['cs4Label', 'how'], ['cs4', e.how],
    ['cs5Label', 'evidence'], ['cs5', JSON.stringify(e.evidence)], ['cn1Label', 'seq'], ['cn1', e.seq],
  ];
  const extension = ext.filter(([, v]) => v !== null && v !== '').map(([k, v]) => `${k}=${cefValue(String(v))}`).join(' ');
  const header = ['CEF:0', VENDOR, PRODUCT, ctx.version, EVENT_KINDS.remote_session.cefSignature(e), e.message, String(CEF_SEVERITY.info)].map((h, i) => (i === 0 ? h : cefHeader(h)));
  return `${header.join('|')}|${extension}`;
}

/**
 * The CEF line (no syslog header). Custom fields: cs1 asset id, cs2 field, cs3 expected (a verified
 * patch: old version), cs4 observed (new version), cs5 evidence (JSON), cs6 lifecycle changes
 * (JSON) or the advisory id, flexString1 the CVE ids, cn1 seq.
 */
export function toCef(e: StreamEvent, ctx: RenderContext): string {
  if (e.event_type === 'remote_session') return cefSession(e, ctx);
  const kind = EVENT_KINDS[e.event_type];
  const dev = deviceOf(e, ctx);
  const life = e.event_type === 'lifecycle' ? e : undefined;
  const exc = e.event_type === 'exception' ? e : undefined;
  const patch = e.event_type === 'patch_verified' ? e : undefined;
  const advisory = life === undefined ? ctx.advisory?.(e) : undefined;
  const affected = advisory?.vulnerabilities.filter((v) => v.verdict === 'affected' || patch !== undefined) ?? [];
  const evidence = evidenceOf(e);
  const ext: [string, string | number | null][] = [
    ['rt', ms(e.ts)],
    ['externalId', e.event_id],
    ['cat', typeOf(e)],
    ['act', exc?.status ?? typeOf(e)],
    ['msg', e.message],
    ['smac', e.mac],
    ['src', dev.ip],
    ['shost', dev.hostname],
    ['deviceExternalId', e.device_id],
    ['dvchost', ctx.sensor],
  ];
  // `cn1` (seq, digits) comes last, so no free-text value ends the line (collectors trim trailing blanks).
  const custom: [string, string, string | number | null][] = [
    ['cs1', 'asset_id', exc?.asset_id ?? patch?.asset_id ?? null],
    ['cs2', 'field', exc?.field ?? (patch !== undefined ? 'firmware' : null)],
    patch !== undefined ? ['cs3', 'old_version', patch.old_version] : ['cs3', 'expected', exc?.expected ?? null],
    patch !== undefined ? ['cs4', 'new_version', patch.new_version] : ['cs4', 'observed', exc?.observed ?? null],
    life !== undefined
      ? ['cs6', 'changes', life.changes.length > 0 ? JSON.stringify(life.changes) : null]
      : ['cs6', 'advisory_id', patch?.advisory_id ?? advisory?.tracking_id ?? null],
    ['flexString1', 'cves', affected.length > 0 ? affected.map((v) => v.cve ?? v.id).join(',') : null],
    ['cs5', 'evidence', evidence.length > 0 ? JSON.stringify(evidence) : null],
    ['cn1', 'seq', e.seq],
  ];
  for (const [key, label, value] of custom) if (value !== null) ext.push([`${key}Label`, label], [key, value]);
  const extension = ext.filter(([, v]) => v !== null && v !== '').map(([k, v]) => `${k}=${cefValue(String(v))}`).join(' ');
  const header = ['CEF:0', VENDOR, PRODUCT, ctx.version, kind.cefSignature(e), e.message, String(CEF_SEVERITY[severityOf(e)])].map((h, i) => (i === 0 ? h : cefHeader(h)));
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
  const pri = SYSLOG_FACILITY * 8 + SYSLOG_SEVERITY[severityOf(e)];
  const status = e.event_type === 'exception' ? ` status="${sdValue(e.status)}"` : '';
  const sd = `[${sdName(SD_ID)} event_id="${sdValue(e.event_id)}" seq="${e.seq}" type="${sdValue(typeOf(e))}"${status}]`;
  // HOSTNAME: RFC 5424 allows any PRINTUSASCII but recommends an FQDN, host name or IP; collectors
  // (and parsers) trip on the rest, so anything outside letters, digits, '.', '-' and '_' becomes '_'.
  const host = header(ctx.sensor.replace(/[^A-Za-z0-9._-]/g, '_'), 255);
  return `<${pri}>1 ${e.ts} ${host} auscult - ${header(e.event_type, 32)} ${sd} ${toCef(e, ctx)}`;
}

/** The event in the named shape, as one line (no newline). */
export function render(format: OutputFormat, e: StreamEvent, ctx: RenderContext): string {
  switch (format) {
    case 'ndjson': return toNdjson(e, ctx);
    case 'ocsf': return JSON.stringify(toOcsf(e, ctx));
    case 'ecs': return JSON.stringify(toEcs(e, ctx));
    case 'cef': return toCef(e, ctx);
    case 'syslog': return toSyslog(e, ctx);
  }
}

/** What an inventory snapshot line needs of a device (a `DeviceView`'s fields). */
export interface SnapshotDevice {
  id: string; mac: string | null; ip: string | null; hostname: string | null; asset_id: string | null; first_seen: string; last_seen: string;
  fields: Readonly<Record<string, string | number | null>>;
}

/**
 * OCSF 1.8.0 Device Inventory Info (5001), activity Collect: one device of an inventory snapshot
 * (`auscult export ocsf-devices`), as the lifecycle lines carry it (make in `device`, firmware,
 * switch port, FDA class in `unmapped.auscult.device`). `time` is the snapshot's capture time.
 */
export function toOcsfSnapshot(d: SnapshotDevice, ctx: Pick<RenderContext, 'sensor' | 'version'>, time: string): Record<string, unknown> {
  const kind = EVENT_KINDS.lifecycle;
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.fields)) if (v !== null) fields[k] = String(v);
  const dev: DeviceInfo = { ip: d.ip, hostname: d.hostname, fields };
  return compact({
    activity_id: 2,
    activity_name: 'Collect',
    category_uid: kind.ocsf.categoryUid,
    category_name: kind.ocsf.categoryName,
    class_uid: kind.ocsf.classUid,
    class_name: kind.ocsf.className,
    type_uid: kind.ocsf.classUid * 100 + 2,
    type_name: `${kind.ocsf.className}: Collect`,
    severity_id: OCSF_SEVERITY.info.id,
    severity: OCSF_SEVERITY.info.name,
    time: ms(time),
    metadata: { version: OCSF_VERSION, product: { name: PRODUCT, vendor_name: VENDOR, version: ctx.version }, uid: `${d.id}@${time}`, log_name: 'inventory', reporter: { name: ctx.sensor } },
    device: ocsfDevice({ device_id: d.id, asset_id: d.asset_id, mac: d.mac }, dev, { first_seen_time: ms(d.first_seen), last_seen_time: ms(d.last_seen) }),
    unmapped: { auscult: compact({ sensor: ctx.sensor, device: medicalFields(dev) }) },
  });
}
