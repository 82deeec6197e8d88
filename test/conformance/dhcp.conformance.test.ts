/**
 * DHCP conformance: every DHCP packet of every DHCP capture of the shared material
 * (test/helpers/conformance.ts: DHCP_CAPTURES, read from ../shared/captures), decoded by
 * `decodeDhcp`, must give exactly what tshark 4.0.17 gave (`<capture>.truth.json`), including
 * how the packets group per sender (first_frame, count) and per client chaddr; and must agree
 * with the Zeek dhcp.log baselines where those name a value.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeDhcp, type DhcpRecord } from '../../src/protocols/dhcp/dhcp.js';
import { toHex } from '../../src/decode/bytes.js';
import type { FrameRecord } from '../../src/decode/frame-record.js';
import { CONFORMANCE_SKIP, conformancePath, DHCP_CAPTURES, ZEEK_DHCP_LOGS } from '../helpers/conformance.js';
import { readFrames } from '../helpers/frames.js';
import { titled } from '../helpers/tools.js';

const CAPTURES = DHCP_CAPTURES;

/** One DHCP message as the truth files describe it (keys only when tshark shows the field). */
type TruthEntry = Record<string, unknown>;

interface Truth {
  target_protocol_frames: Record<string, number>;
  hosts: Record<string, { dhcp?: TruthEntry[] }>;
  dhcp_clients_by_chaddr?: Record<string, TruthEntry[]>;
}

const ZERO = '0.0.0.0';

/** Our decode in the truth file's vocabulary. */
function truthEntryOf(r: DhcpRecord): TruthEntry {
  const e: TruthEntry = { op: r.op === 1 ? 'BOOTREQUEST' : r.op === 2 ? 'BOOTREPLY' : String(r.op), chaddr: r.chaddr };
  if (r.ciaddr !== ZERO) e['ciaddr'] = r.ciaddr;
  if (r.yiaddr !== ZERO) e['yiaddr'] = r.yiaddr;
  if (r.giaddr !== ZERO) e['giaddr'] = r.giaddr;
  if (r.messageTypeName !== undefined) e['msg_type'] = r.messageTypeName;
  if (r.requestedIp !== undefined) e['requested_ip_opt50'] = r.requestedIp;
  if (r.hostname !== undefined) e['hostname_opt12'] = r.hostname;
  if (r.parameterRequestList !== undefined) e['param_request_list_opt55'] = r.parameterRequestList;
  if (r.vendorClass !== undefined) e['vendor_class_opt60'] = r.vendorClass;
  if (r.clientId !== undefined) e['client_id_opt61_hex'] = r.clientId.hex.replaceAll(':', '');
  const relay = r.relayAgentInfo;
  if (relay !== undefined) {
    const raw = r.options.find((o) => o.code === 82)?.data ?? new Uint8Array();
    const info: Record<string, unknown> = {};
    if (relay.circuitId !== undefined) info['circuit_id_hex'] = relay.circuitId.hex;
    if (relay.remoteId !== undefined) info['remote_id_hex'] = relay.remoteId.hex;
    info['suboptions'] = relay.subOptions.map((s) => [s.code, toHex(s.data)]);
    info['raw_hex'] = toHex(raw);
    e['relay_agent_info_opt82'] = info;
  }
  e['option_order'] = r.options.map((o) => o.code);
  return e;
}

/** Stable identity of an entry, independent of key order. */
function keyOf(e: TruthEntry): string {
  return JSON.stringify(Object.keys(e).sort().map((k) => [k, e[k]]));
}

function isDhcp(f: FrameRecord): boolean {
  const ports = [f.udp?.srcPort, f.udp?.dstPort];
  return f.payloadKind === 'udp' && (ports.includes(67) || ports.includes(68));
}

interface Decoded {
  frame: FrameRecord;
  record: DhcpRecord;
  entry: TruthEntry;
}

async function decodeCapture(name: string): Promise<Decoded[]> {
  const frames = (await readFrames(conformancePath(name))).filter(isDhcp);
  return frames.map((frame) => {
    const record = decodeDhcp(frame.payload).value;
    return { frame, record, entry: truthEntryOf(record) };
  });
}

describe.skipIf(CONFORMANCE_SKIP !== null)(titled('DHCP conformance with tshark truth', CONFORMANCE_SKIP), () => {
  it('covers every DHCP capture of the shared material', () => {
    expect(CAPTURES).toHaveLength(18);
  });

  for (const name of CAPTURES) {
    it(name, async () => {
      const truth = JSON.parse(readFileSync(conformancePath(`${name}.truth.json`), 'utf8')) as Truth;
      const decoded = await decodeCapture(name);
      expect(decoded).toHaveLength(truth.target_protocol_frames['dhcp'] ?? 0);

      // hosts[sender].dhcp: distinct entries in first-seen order, with first_frame and count.
      const ours = new Map<string, Map<string, TruthEntry & { first_frame: number; count: number }>>();
      for (const { frame, entry } of decoded) {
        const sender = frame.srcMac ?? '';
        const perHost = ours.get(sender) ?? new Map<string, TruthEntry & { first_frame: number; count: number }>();
        ours.set(sender, perHost);
        const seen = perHost.get(keyOf(entry));
        if (seen !== undefined) seen.count++;
        else perHost.set(keyOf(entry), { ...entry, first_frame: frame.frameNo, count: 1 });
      }
      const truthHosts = Object.entries(truth.hosts).filter(([, h]) => (h.dhcp ?? []).length > 0);
      expect([...ours.keys()].sort()).toEqual(truthHosts.map(([mac]) => mac).sort());
      for (const [mac, host] of truthHosts) {
        expect([...(ours.get(mac)?.values() ?? [])], `hosts[${mac}].dhcp`).toEqual(host.dhcp);
      }

      // dhcp_clients_by_chaddr: distinct BOOTREQUEST entries per chaddr, first-seen order.
      const clients: Record<string, TruthEntry[]> = {};
      for (const { entry } of decoded) {
        if (entry['op'] !== 'BOOTREQUEST') continue;
        const list = (clients[entry['chaddr'] as string] ??= []);
        if (!list.some((e) => keyOf(e) === keyOf(entry))) list.push(entry);
      }
      expect(clients).toEqual(truth.dhcp_clients_by_chaddr ?? {});
    });
  }
});

/** Rows of a Zeek dhcp.log as field → value ('-' unset, set/vector fields comma-separated). */
function zeekRows(text: string): Record<string, string>[] {
  const lines = text.split('\n');
  const header = lines.find((l) => l.startsWith('#fields\t'))?.split('\t').slice(1) ?? [];
  return lines
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => Object.fromEntries(l.split('\t').map((v, i) => [header[i] ?? `col${i}`, v])));
}

/** Zeek escapes non-printable bytes as \xNN. */
function zeekEscape(s: string): string {
  return Array.from(s, (c) => (c >= ' ' && c <= '~' ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)).join('');
}

describe.skipIf(CONFORMANCE_SKIP !== null)(titled('DHCP agrees with the Zeek dhcp.log baselines', CONFORMANCE_SKIP), () => {
  const logs = ZEEK_DHCP_LOGS;
  it('has the five baselines', () => expect(logs).toHaveLength(5));

  for (const log of logs) {
    it(log, async () => {
      const capture = log.slice(0, log.indexOf('.zeek-'));
      const decoded = await decodeCapture(capture);
      const rows = zeekRows(readFileSync(conformancePath(log), 'utf8'));
      expect(rows.length).toBeGreaterThan(0);
      // Every message type Zeek logged, as a multiset, is exactly the messages we decoded.
      const zeekTypes = rows.flatMap((r) => (r['msg_types'] ?? '').split(',')).sort();
      expect(decoded.map((d) => d.record.messageTypeName ?? '?').sort()).toEqual(zeekTypes);
      for (const row of rows) {
        const mine = decoded.filter((d) => d.record.chaddr === row['mac']);
        expect(mine.length, `mac ${row['mac']}`).toBeGreaterThan(0);
        const has = (field: string, values: (string | undefined)[]): void => {
          const want = row[field];
          if (want === undefined || want === '-') return;
          expect(values, `${log} ${field}`).toContain(want);
        };
        has('host_name', mine.map((d) => d.record.hostname));
        has('requested_addr', mine.map((d) => d.record.requestedIp));
        has('assigned_addr', mine.filter((d) => d.record.messageTypeName === 'ACK').map((d) => d.record.yiaddr));
        has('lease_time', mine.map((d) => (d.record.leaseTime === undefined ? undefined : `${d.record.leaseTime}.000000`)));
        has('server_message', mine.map((d) => d.record.message));
        has('circuit_id', mine.map((d) => d.record.relayAgentInfo?.circuitId?.text));
        has('agent_remote_id', mine.map((d) => (d.record.relayAgentInfo?.remoteId ? zeekEscape(new TextDecoder('latin1').decode(d.record.relayAgentInfo.remoteId.raw)) : undefined)));
        has('subscriber_id', mine.map((d) => d.record.relayAgentInfo?.subscriberId));
      }
    });
  }
});
