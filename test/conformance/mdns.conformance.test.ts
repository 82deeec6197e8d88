/**
 * decodeMdns against tshark 4.0.17: for each mDNS capture of the shared material
 * (MDNS_CAPTURES in test/helpers/conformance.ts, read from ../shared/captures), the mDNS facts
 * its `.truth.json` lists per source MAC are rebuilt from what decodeMdns yields, frame by frame.
 *
 * How the truth generator reads tshark (inferred from the files, and checked here both ways):
 * `hostnames` are the owners of A/AAAA records plus the targets of reverse-mapping (`*.arpa`)
 * PTRs, in any section of queries and responses; `queries` are question names; `txt` is
 * [owner, strings]; `service_instances` are TXT owners. It reads no SRV owner names (tshark 4.0
 * splits them into `dns.srv.service/proto/name`), so SRV-only instances and SRV records are
 * missing from the truth: those are listed in KNOWN_TRUTH_GAPS and asserted, not hidden.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeMdns, MDNS_TXT_KEYS } from '../../src/protocols/mdns/mdns.js';
import type { FrameRecord } from '../../src/decode/frame-record.js';
import { CONFORMANCE_SKIP, conformancePath, MDNS_CAPTURES } from '../helpers/conformance.js';
import { readFrames } from '../helpers/frames.js';
import { titled } from '../helpers/tools.js';

interface TruthMdns {
  hostnames: string[];
  service_instances: string[];
  service_types: string[];
  txt: Array<[string, string[]]>;
  srv: unknown[];
  queries: string[];
}
interface Truth {
  packets: number;
  malformed_frames: number;
  target_protocol_frames: { mdns?: number };
  hosts: Record<string, { mdns?: TruthMdns }>;
}

interface Decoded {
  hostnames: Set<string>;
  serviceInstances: Set<string>;
  serviceTypes: Set<string>;
  txt: Set<string>;
  srv: Set<string>;
  queries: Set<string>;
}

/** Differences between truth and decoder that are the truth's, by capture → MAC → kind → values. */
const KNOWN_TRUTH_GAPS: Record<string, Record<string, Partial<Record<'serviceInstances' | 'srv', string[]>>>> = {
  'wikipedia-filtered-plus-udp.pcap': {
    // Frames 2 and 3: `gemini._sftp-ssh._tcp.local SRV 0 0 22 gemini.local` (tshark shows it).
    '00:17:f2:d7:cf:65': {
      serviceInstances: ['gemini._sftp-ssh._tcp.local'],
      srv: [JSON.stringify(['gemini._sftp-ssh._tcp.local', 0, 0, 22, 'gemini.local'])],
    },
  },
};

const isMdns = (f: FrameRecord): boolean => f.udp !== undefined && (f.udp.srcPort === 5353 || f.udp.dstPort === 5353);
const SERVICE_TYPE = /^(?:_[^.]+\._sub\.)?_[^.]+\._(?:tcp|udp)\.[^_]/i;

function emptyDecoded(): Decoded {
  return {
    hostnames: new Set(),
    serviceInstances: new Set(),
    serviceTypes: new Set(),
    txt: new Set(),
    srv: new Set(),
    queries: new Set(),
  };
}

const captures = MDNS_CAPTURES;

describe.skipIf(CONFORMANCE_SKIP !== null)(titled('mDNS conformance with tshark truth files', CONFORMANCE_SKIP), () => {
  it('covers the four mDNS captures of shared/captures', () => {
    expect(captures).toEqual([
      'dns__mdns-no-assoc.pcap',
      'dns__mdns.pcap',
      'var-services-std-ports.pcap',
      'wikipedia-filtered-plus-udp.pcap',
    ]);
  });

  for (const file of captures) {
    it(`${file}: every mDNS frame decodes cleanly and every truth fact matches`, async () => {
      const truth = JSON.parse(readFileSync(conformancePath(`${file}.truth.json`), 'utf8')) as Truth;
      const frames = await readFrames(conformancePath(file));
      expect(frames).toHaveLength(truth.packets);
      const mdnsFrames = frames.filter(isMdns);
      expect(mdnsFrames).toHaveLength(truth.target_protocol_frames.mdns ?? 0);

      const byMac = new Map<string, Decoded>();
      for (const frame of mdnsFrames) {
        const { value, anomalies } = decodeMdns(frame.payload);
        expect(anomalies, `frame ${frame.frameNo}`).toEqual([]);
        const mac = frame.srcMac ?? '';
        const d = byMac.get(mac) ?? emptyDecoded();
        byMac.set(mac, d);
        for (const q of value.questions) d.queries.add(q.name);
        for (const rr of value.records) {
          const data = rr.data;
          if (data === undefined) continue;
          if (data.type === 'A' || data.type === 'AAAA') d.hostnames.add(rr.name);
          if (data.type === 'PTR') {
            if (/\.arpa$/i.test(rr.name)) d.hostnames.add(data.target);
            else if (SERVICE_TYPE.test(rr.name)) d.serviceTypes.add(rr.name);
          }
          if (data.type === 'TXT') {
            d.serviceInstances.add(rr.name);
            d.txt.add(JSON.stringify([rr.name, data.strings]));
          }
          if (data.type === 'SRV') {
            d.serviceInstances.add(rr.name);
            d.srv.add(JSON.stringify([rr.name, data.priority, data.weight, data.port, data.target]));
          }
        }
      }

      const truthMacs = Object.entries(truth.hosts).filter(([, h]) => h.mdns !== undefined);
      expect(truthMacs.length).toBeGreaterThan(0);
      // Every host that sent mDNS is in the truth, and the other way round.
      expect([...byMac.keys()].sort()).toEqual(truthMacs.map(([mac]) => mac).sort());
      for (const [mac, host] of truthMacs) {
        const t = host.mdns as TruthMdns;
        const d = byMac.get(mac) ?? emptyDecoded();
        const gaps = KNOWN_TRUTH_GAPS[file]?.[mac] ?? {};
        const minus = (s: Set<string>, drop: string[] = []): string[] => [...s].filter((x) => !drop.includes(x)).sort();
        expect(minus(d.hostnames), `${mac} hostnames`).toEqual([...t.hostnames].sort());
        expect(minus(d.queries), `${mac} queries`).toEqual([...t.queries].sort());
        expect(minus(d.serviceTypes), `${mac} service types`).toEqual([...t.service_types].sort());
        // The decoder keeps only TXT strings whose key describes a device (MDNS_TXT_KEYS).
        const allowed = (str: string) => MDNS_TXT_KEYS.has((str.includes('=') ? str.slice(0, str.indexOf('=')) : str).toLowerCase());
        expect(minus(d.txt), `${mac} txt`).toEqual(t.txt.map(([name, strings]) => JSON.stringify([name, strings.filter(allowed)])).sort());
        expect(minus(d.serviceInstances, gaps.serviceInstances), `${mac} service instances`).toEqual(
          [...t.service_instances].sort(),
        );
        expect(minus(d.srv, gaps.srv), `${mac} srv`).toEqual(t.srv.map((x) => JSON.stringify(x)).sort());
        // A listed gap must really be in the decode (so a stale gap fails the test).
        for (const g of gaps.serviceInstances ?? []) expect(d.serviceInstances.has(g)).toBe(true);
        for (const g of gaps.srv ?? []) expect(d.srv.has(g)).toBe(true);
      }
    });
  }
});
