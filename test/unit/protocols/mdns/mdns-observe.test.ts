import { beforeAll, describe, expect, it } from 'vitest';
import { decodeMdns } from '../../../../src/protocols/mdns/mdns.js';
import type { FrameRecord } from '../../../../src/decode/frame-record.js';
import { observeMdns } from '../../../../src/protocols/mdns/mdns-observe.js';
import type { Observation } from '../../../../src/observe/observation.js';
import { readFrames } from '../../../helpers/frames.js';
import { conformancePath, describeShared } from '../../../helpers/conformance.js';

const AVAHI = 'fixtures/mdns/avahi-hinfo-txt.pcapng';
const ZEEK_MDNS = conformancePath('dns__mdns.pcap');
const ZEEK_NO_ASSOC = conformancePath('dns__mdns-no-assoc.pcap');
const WIKIPEDIA = conformancePath('wikipedia-filtered-plus-udp.pcap');

const isMdns = (f: FrameRecord): boolean => f.udp !== undefined && (f.udp.srcPort === 5353 || f.udp.dstPort === 5353);

async function mdnsFrames(path: string): Promise<Map<number, FrameRecord>> {
  return new Map((await readFrames(path)).filter(isMdns).map((f) => [f.frameNo, f]));
}

function observe(frames: Map<number, FrameRecord>, n: number): Observation[] {
  const frame = frames.get(n);
  if (frame === undefined) throw new Error(`frame ${n} missing`);
  const { value, anomalies } = decodeMdns(frame.payload);
  expect(anomalies.filter((a) => a !== 'mdns.txt_key_not_allowed')).toEqual([]); // `path=/`, `secure`: dropped by the TXT key allowlist
  return observeMdns(value, frame);
}

/** `field=value` lines, sorted: what a fingerprint rule sees. */
function facts(obs: Observation[]): string[] {
  return obs.map((o) => `${o.field}=${o.value}`).sort();
}

describe('observeMdns on the avahi capture (publisher 02:00:00:00:0a:01 / 192.0.2.1)', () => {
  let frames = new Map<number, FrameRecord>();
  beforeAll(async () => {
    frames = await mdnsFrames(AVAHI);
  });

  it('a service announcement yields hostname, services, instances, ports, TXT keys and the address', () => {
    expect(facts(observe(frames, 8))).toEqual(
      [
        'ip.address=192.0.2.1',
        'mdns.hostname=vv300-icu-07',
        'mdns.instance=ExampleMed VV300 Report Printer',
        'mdns.instance=ExampleMed VitalView VV300 (ICU-07)',
        'mdns.service=_http._tcp',
        'mdns.service=_ipp._tcp',
        'mdns.srv_port=_http._tcp:8080',
        'mdns.srv_port=_ipp._tcp:631',
        'mdns.txt.fw=4.2.1',
        'mdns.txt.manufacturer=ExampleMed',
        'mdns.txt.model=VV300',
        'mdns.txt.product=(VV300 Strip Printer)',
        'mdns.txt.rp=ipp/print',
        'mdns.txt.sn=EM300-0007',
        'mdns.txt.txtvers=1',
        'mdns.txt.ty=ExampleMed VV300 Strip Printer',
        'mdns.txt.usb_mdl=VV300-SP',
        'mdns.txt.usb_mfg=ExampleMed',
      ].sort(),
    );
  });

  it('every fact is about the sender, tied to its frame, with protocol mdns', () => {
    const frame = frames.get(8);
    for (const o of observe(frames, 8)) {
      expect(o).toMatchObject({ mac: '02:00:00:00:0a:01', ip: '192.0.2.1', protocol: 'mdns', frame: 8 });
      expect(o.ts).toBe(frame?.tsMicros);
      expect(o.vlan).toBeUndefined();
    }
  });

  it('a host-name probe (query) describes the sender through its authority section', () => {
    expect(facts(observe(frames, 1))).toEqual([
      'ip.address=192.0.2.1',
      'mdns.hinfo.cpu=X86_64',
      'mdns.hinfo.os=LINUX',
      'mdns.hostname=vv300-icu-07',
    ]);
  });

  it('a host announcement (response) yields HINFO, hostname and address', () => {
    expect(facts(observe(frames, 4))).toEqual([
      'ip.address=192.0.2.1',
      'mdns.hinfo.cpu=X86_64',
      'mdns.hinfo.os=LINUX',
      'mdns.hostname=vv300-icu-07',
    ]);
  });

  it("the other host's browse query says nothing about it", () => {
    expect(observe(frames, 13)).toEqual([]);
  });

  it('the duplicate model key and the boolean key yield no fact of their own', () => {
    const all = facts(observe(frames, 8));
    expect(all).not.toContain('mdns.txt.model=ignored-duplicate');
    expect(all.some((f) => f.startsWith('mdns.txt.secure'))).toBe(false);
  });
});

describeShared('observeMdns on zeek captures', () => {
  it('IPv6-sourced announcement: hostname from the AAAA equal to the source, every own AAAA as ip.address', async () => {
    const frames = await mdnsFrames(ZEEK_MDNS);
    expect(facts(observe(frames, 3))).toEqual([
      'ip.address=fd52:429e:c03c:8235:5968:5bc6:1563:f82f',
      'ip.address=fd52:429e:c03c:8235:883c:d6ff:fee1:4dc4',
      'mdns.hostname=johanna-QEMU-Virtual-Machine',
    ]);
    expect(facts(observe(frames, 4))).toEqual([
      'ip.address=10.0.2.7',
      'ip.address=fd52:429e:c03c:8235:5968:5bc6:1563:f82f',
      'ip.address=fd52:429e:c03c:8235:883c:d6ff:fee1:4dc4',
      'mdns.hostname=johanna-QEMU-Virtual-Machine',
    ]);
    // Frame 11 is a probe (3 questions, 4 proposed records in the authority section): the
    // proposed AAAA records are the sender's own.
    expect(facts(observe(frames, 11))).toEqual([
      'ip.address=fd52:429e:c03c:8235:5968:5bc6:1563:f82f',
      'ip.address=fd52:429e:c03c:8235:883c:d6ff:fee1:4dc4',
      'mdns.hostname=johanna-QEMU-Virtual-Machine',
    ]);
    // Plain queries (frame 1: _ipp._tcp and _ipps._tcp PTR) describe nothing.
    expect(observe(frames, 1)).toEqual([]);
  });

  it('responses about addresses that are not the sender give no hostname and no address', async () => {
    const frames = await mdnsFrames(ZEEK_NO_ASSOC);
    for (const [n, frame] of frames) {
      const { value } = decodeMdns(frame.payload);
      const own = value.records.some(
        (r) => (r.data?.type === 'A' || r.data?.type === 'AAAA') && r.data.address === frame.ip?.src,
      );
      if (!own) expect(observe(frames, n), `frame ${n}`).toEqual([]);
    }
  });

  it('an SRV answer names the host through its target; a known-answer TXT in a query is ignored', async () => {
    const frames = await mdnsFrames(WIKIPEDIA);
    expect(facts(observe(frames, 2))).toEqual([
      'ip.address=141.142.220.50',
      'ip.address=fe80::217:f2ff:fed7:cf65',
      'mdns.hostname=gemini',
      'mdns.instance=gemini',
      'mdns.service=_sftp-ssh._tcp',
      'mdns.srv_port=_sftp-ssh._tcp:22',
    ]);
    expect(observe(frames, 49)).toEqual([]);
  });
});
