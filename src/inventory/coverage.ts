/**
 * \summary What the feed carries: which discovery protocols were heard, which VLANs arrive
 * tagged, how many clients were relayed with option 82, and for how many devices the switch port
 * is known — so a network team can tell whether the SPAN is set up right.
 */
import { DECAPSULATION_ANOMALIES } from '../decode/frame.js';
import { APP_PROTOCOLS } from '../decode/registry.js';
import { STREAM_PROTOCOLS } from '../decode/stream/stream-decoder.js';
import type { Db } from './store.js';

export interface CoverageReport {
  captures: number;
  frames: number;
  frames_vlan_tagged: number;
  vlans: { vlan: number; devices: number }[];
  protocols: { protocol: string; frames: number; senders: number }[];
  /** Encapsulations and non-Ethernet link layers walked (`gre`, `erspan2`, `vxlan`, `wlan`, ...), frames per name. */
  encapsulations: { encapsulation: string; frames: number }[];
  /** Frames with a tunnel, shim or link type that could not be opened, by anomaly code. */
  frames_not_decapsulated: number;
  not_decapsulated: { anomaly: string; frames: number }[];
  /** 802.11 frames whose body is encrypted (counted, not decoded). */
  frames_wlan_protected: number;
  dhcp_relayed_option82_clients: number;
  devices: number;
  devices_with_switch_port: number;
  devices_with_location: number;
  infrastructure_devices: number;
  hints: string[];
}

/** Every registered protocol, by layer: link-layer discovery (LLDP, CDP), then UDP, then TCP streams. */
const PROTOCOL_NAMES: readonly string[] = [
  ...APP_PROTOCOLS.filter((p) => p.payloadKind !== 'udp').map((p) => p.name),
  ...APP_PROTOCOLS.filter((p) => p.payloadKind === 'udp').map((p) => p.name),
  ...STREAM_PROTOCOLS.map((p) => p.name),
];

export function coverageReport(db: Db): CoverageReport {
  const counter = (name: string) => (db.prepare('SELECT value FROM counter WHERE name = ?').get(name) as { value: number } | undefined)?.value ?? 0;
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  const vlans = db.prepare(`SELECT CAST(value AS INTEGER) AS vlan, count(DISTINCT device_id) AS devices FROM field_evidence
    WHERE field = 'vlan' AND source = 'eth.vlan' GROUP BY value ORDER BY CAST(value AS INTEGER)`).all() as { vlan: number; devices: number }[];
  const sendersOf = (prefix: string) => count(`SELECT count(DISTINCT device_id) AS n FROM field_evidence WHERE source LIKE '${prefix}.%'`);
  const protocols = PROTOCOL_NAMES.map((p) => ({ protocol: p, frames: counter(`decoded.${p}`), senders: sendersOf(p) }));
  const report: CoverageReport = {
    captures: count('SELECT count(*) AS n FROM capture'),
    frames: counter('frames.processed'),
    frames_vlan_tagged: counter('frames.vlan_tagged'),
    vlans,
    protocols,
    encapsulations: (db.prepare("SELECT substr(name, 7) AS encapsulation, value AS frames FROM counter WHERE name LIKE 'encap.%' AND value > 0 ORDER BY name").all() as { encapsulation: string; frames: number }[]),
    frames_not_decapsulated: 0,
    not_decapsulated: DECAPSULATION_ANOMALIES.map((a) => ({ anomaly: a as string, frames: counter(`anomaly.${a}`) })).filter((x) => x.frames > 0),
    frames_wlan_protected: counter('frames.wlan_protected'),
    dhcp_relayed_option82_clients: count("SELECT count(DISTINCT device_id) AS n FROM field_evidence WHERE field = 'circuit_id'"),
    devices: count('SELECT count(*) AS n FROM device'),
    devices_with_switch_port: count("SELECT count(*) AS n FROM device_field WHERE field = 'port'"),
    devices_with_location: count("SELECT count(*) AS n FROM device_field WHERE field = 'location'"),
    infrastructure_devices: count("SELECT count(*) AS n FROM device_field WHERE field = 'category' AND value = 'infrastructure'"),
    hints: [],
  };
  report.frames_not_decapsulated = report.not_decapsulated.reduce((n, x) => n + x.frames, 0);
  if (report.frames_not_decapsulated > 0) {
    const names = report.not_decapsulated.map((x) => `${x.anomaly} ${x.frames}`).join(', ');
    report.hints.push(`${report.frames_not_decapsulated} frames carried a tunnel, shim or link type auscult could not open (${names}): devices behind it are not seen; check the mirror session's encapsulation (README, "Encapsulations and link types") or raise limits.tunnels.`);
  }
  if (report.frames_wlan_protected > 0) {
    report.hints.push(`${report.frames_wlan_protected} 802.11 frames were encrypted: only their station addresses are seen; mirror the wireless controller's wired side (CAPWAP/Aruba GRE) to see what the stations send.`);
  }
  const heard = (p: string) => (protocols.find((x) => x.protocol === p)?.frames ?? 0) > 0;
  if (report.frames === 0) report.hints.push('No frames yet: replay a capture or check that the sensor interface receives the SPAN.');
  if (report.frames > 0 && report.frames_vlan_tagged === 0) {
    report.hints.push('No 802.1Q tags: the SPAN strips tags (or mirrors access ports only); VLANs come from option 82 relays or a subnet map instead.');
  }
  if (report.frames > 0 && !heard('lldp') && !heard('cdp')) report.hints.push('No LLDP or CDP: switch ports cannot be named; mirror the access ports or enable LLDP on the switches.');
  if (heard('dhcp') && report.dhcp_relayed_option82_clients === 0) {
    report.hints.push('DHCP is heard but no relayed request carries option 82: enable the relay agent information option on the access switches (or mirror the uplink to the DHCP server).');
  }
  if (report.devices > 0 && report.devices_with_switch_port === 0) report.hints.push('No device has a known switch port yet.');
  const unjudged = unjudgedRemoteSessions(db);
  if (unjudged > 0) {
    report.hints.push(`${unjudged} remote-access sessions were seen but the system of record maps no remote-access column: remote_access_unapproved is not judged (README "Remote access exceptions").`);
  }
  return report;
}

/** Issue 20: sessions stored while the current system-of-record snapshot has no remote-access column (0 when it has one, or on a database without these tables). */
function unjudgedRemoteSessions(db: Db): number {
  try {
    // Distinct sessions: one capture replayed twice stores each twice.
    const sessions = db.prepare(`SELECT count(*) FROM (SELECT DISTINCT tool, transport, device_ip, device_port, peer_ip, peer_port, start_us
      FROM remote_session)`).pluck().get() as number;
    if (sessions === 0) return 0;
    const withPolicy = db.prepare(`SELECT count(*) FROM sor_record r JOIN sor_current c ON c.import_id = r.import_id
      WHERE r.remote_access IS NOT NULL`).pluck().get() as number;
    return withPolicy > 0 ? 0 : sessions;
  } catch {
    return 0; // a database opened read-only before its remote-access migration
  }
}
