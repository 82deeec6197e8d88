/**
 * Encapsulation conformance: every capture in ../shared/captures/encap (GRE, ERSPAN I/II/III,
 * VXLAN, Geneve, MPLS, PPPoE, Cisco HDLC, CAPWAP/LWAPP, 802.11 with and without radiotap; see the
 * README there) is replayed through the whole pipeline into an in-memory inventory and compared
 * with tshark 4.0.17's `<capture>.truth.json`:
 * - every unicast inner sender tshark keys a host by is a device, keyed by that MAC;
 * - no device is keyed by anything but an inner sender or a tunnel endpoint (`outer_hosts`):
 *   never a tunnel artefact;
 * - every IPv4/IPv6 source tshark gives a host is held by that host's device, or (behind a
 *   layer-3 tunnel, where tshark credits the carrier's MAC) by an IP-keyed device of its own;
 * - every DHCP host name tshark decodes is evidence on the device of its chaddr.
 * Where auscult differs by design, DIVERGENCES says how, and the test checks that exact difference.
 * Skips (with the shared helper's reason) when ../shared is absent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isHostAddress } from '../../src/observe/address-binder.js';
import { isUnicastMac } from '../../src/observe/frame.js';
import { silentLogger } from '../../src/log.js';
import { openPipeline } from '../../src/pipeline.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../helpers/shared.js';

const DIR = sharedPath('captures', 'encap');
const AVAILABLE = sharedAvailable('captures', 'encap');
const CAPTURES = AVAILABLE
  ? readdirSync(DIR, { recursive: true, encoding: 'utf8' }).filter((n) => /\.(pcap|pcapng|cap)$/.test(n)).sort()
  : [];

interface TruthHost {
  ips: string[];
  ipv6: string[];
}
interface Truth {
  hosts: Record<string, TruthHost>;
  outer_hosts?: Record<string, TruthHost>;
  dhcp_clients_by_chaddr?: Record<string, { hostname_opt12?: string }[]>;
}

interface Divergence {
  why: string;
  /** Addresses tshark sees that auscult does not learn, per host. */
  missingIps?: Record<string, string[]>;
  /** Hosts auscult keys differently: tshark's MAC → auscult's. */
  rekeyed?: Record<string, string>;
}

const DIVERGENCES: Record<string, Divergence> = {
  'erspan/suricata-verify__bug-5437-02__input.pcap': {
    why: 'an anonymised capture: every IPv4 header checksum (outer and inner) is wrong, and a bad checksum teaches no address (ipv4.bad_checksum); the devices are all there, without IPs',
    missingIps: {
      '00:09:0f:09:00:00': ['126.203.57.64', '196.25.212.207'],
      '00:09:0f:09:00:01': ['41.108.52.138'],
      '00:20:52:ff:03:00': ['126.203.57.64', '233.62.247.35', '41.108.52.138'],
      '00:20:52:ff:03:02': ['40.110.35.23'],
      '00:20:52:ff:03:03': ['156.0.248.112'],
      '38:17:e1:ed:0b:29': ['41.108.52.138'],
    },
  },
  'mpls/zeek__mpls-in-vlan.pcap': {
    why: 'a synthesised capture whose IPv4 header checksums are all wrong: a bad checksum teaches no address (ipv4.bad_checksum)',
    missingIps: { '00:08:e3:41:41:41': ['65.65.65.65'] },
  },
  'pppoe/zeek__pppoe-over-qinq.pcap': {
    why: 'the PPPoE client\'s source MAC is 00:00:00:00:00:00, never a device key, and PPP inside PPPoE has no address of its own: its IPs (1.1.1.1, 2.2.2.2) key no device',
    missingIps: { '00:00:00:00:00:00': ['1.1.1.1', '2.2.2.2'] },
  },
  'gre/zeek__tunnels__gre-aruba-amsdu.pcap': {
    why: 'an A-MSDU: tshark keys the frame by the 802.11 header (address 3, the BSSID in an A-MSDU); auscult by the source address of the first A-MSDU subframe (IEEE 802.11-2020 §9.3.2.2), the real sender',
    rekeyed: { '40:e3:d6:64:f4:94': '88:e0:f3:7f:ae:c0' },
  },
};

interface DeviceRow {
  id: string;
  mac: string | null;
  ip_key: string | null;
}

async function inventory(path: string) {
  const pipeline = openPipeline(':memory:', { logger: silentLogger() });
  await pipeline.replayFile(path);
  const db = pipeline.db;
  const devices = db.prepare('SELECT id, mac, ip_key FROM device').all() as DeviceRow[];
  const addresses = (id: string) => (db.prepare('SELECT ip FROM device_address WHERE device_id = ?').all(id) as { ip: string }[]).map((r) => r.ip);
  const evidence = (id: string) => (db.prepare('SELECT value FROM field_evidence WHERE device_id = ?').all(id) as { value: string }[]).map((r) => r.value);
  const view = devices.map((d) => ({ ...d, ips: [...addresses(d.id), ...(d.ip_key ? [d.ip_key] : [])], evidence: evidence(d.id) }));
  const counters = Object.fromEntries(pipeline.counters.entries());
  db.close();
  return { devices: view, counters };
}

describe.skipIf(!AVAILABLE)(`encapsulation conformance with tshark truth (${AVAILABLE ? DIR : SHARED_SKIP_REASON})`, () => {
  it('covers the 44 captures of every encapsulation folder', () => {
    expect(CAPTURES).toHaveLength(44);
    for (const name of Object.keys(DIVERGENCES)) expect(CAPTURES).toContain(name);
  });

  for (const name of CAPTURES) {
    const d = DIVERGENCES[name];
    it(d ? `${name}: as tshark except as documented (${d.why})` : `${name}: devices hold what tshark sees, keyed by the inner sender`, async () => {
      const truth = JSON.parse(readFileSync(`${DIR}/${name}.truth.json`, 'utf8')) as Truth;
      const { devices, counters } = await inventory(`${DIR}/${name}`);
      expect(Object.keys(counters).filter((k) => k.includes('threw'))).toEqual([]);
      const byMac = new Map(devices.filter((x) => x.mac !== null).map((x) => [x.mac as string, x]));
      const ipKeyed = new Set(devices.filter((x) => x.mac === null).flatMap((x) => x.ips));
      const rekey = (mac: string) => d?.rekeyed?.[mac] ?? mac;
      const allowed = new Set([...Object.keys(truth.hosts), ...Object.keys(truth.outer_hosts ?? {})].map(rekey));
      // No device keyed by a tunnel artefact.
      for (const mac of byMac.keys()) expect(allowed.has(mac), `device ${mac} is neither an inner sender nor a tunnel endpoint`).toBe(true);
      for (const [truthMac, host] of Object.entries(truth.hosts)) {
        const mac = rekey(truthMac);
        const unicast = /^[0-9a-f:]{17}$/.test(mac) && isUnicastMac(mac);
        const device = unicast ? byMac.get(mac) : undefined;
        if (unicast) expect(device, `no device for the inner sender ${mac}`).toBeDefined();
        const missing = new Set(d?.missingIps?.[truthMac] ?? []);
        for (const ip of [...host.ips, ...host.ipv6]) {
          if (!isHostAddress(ip)) continue;
          const held = (device?.ips.includes(ip) ?? false) || ipKeyed.has(ip);
          expect(held, `${ip} of ${mac}`).toBe(!missing.has(ip));
        }
      }
      for (const [chaddr, records] of Object.entries(truth.dhcp_clients_by_chaddr ?? {})) {
        for (const r of records) {
          if (r.hostname_opt12 !== undefined) expect(byMac.get(chaddr)?.evidence, `DHCP host name of ${chaddr}`).toContain(r.hostname_opt12);
        }
      }
    });
  }
});
