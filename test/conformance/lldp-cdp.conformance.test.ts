/**
 * Conformance: every LLDP and CDP frame of every LLDP/CDP capture of the shared material
 * (LLDP_CDP_CAPTURES in test/helpers/conformance.ts, read from ../shared/captures) is
 * decoded, projected onto the keys of `<capture>.truth.json` (what tshark 4.0.17 decodes), and
 * compared per sending MAC: the distinct projected records must equal the truth's list for
 * that host, every key, every record.
 *
 * Where this decoder says more than tshark (lldp_8021_linkagg.pcap: tshark rejects an LLDPDU
 * that does not start with a Chassis ID and shows nothing; we keep its TLVs and flag the order),
 * the truth's keys still agree (both empty) and a separate test pins what we report.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CDP_ANOMALIES, decodeCdp, type CdpRecord } from '../../src/protocols/cdp/cdp.js';
import { LLDP_ANOMALIES, decodeLldp, type LldpRecord } from '../../src/protocols/lldp/lldp.js';
import { ByteReader } from '../../src/decode/bytes.js';
import { CONFORMANCE_SKIP, conformancePath, LLDP_CDP_CAPTURES } from '../helpers/conformance.js';
import { readCapturedFrames, readFrames } from '../helpers/frames.js';
import { titled } from '../helpers/tools.js';

/** The project's own oracle file (tshark's CDP checksum verdicts); the captures are shared. */
const DIR = fileURLToPath(new URL('../../fixtures/conformance/lldp-cdp/', import.meta.url));
const CAPTURES = LLDP_CDP_CAPTURES;

type Truth = Record<string, unknown>;
interface TruthFile {
  target_protocol_frames: Record<string, number>;
  hosts: Record<string, { lldp?: Truth[]; cdp?: Truth[] }>;
}

/** One LLDP or CDP payload found in a capture, with who sent it. */
interface Found {
  kind: 'lldp' | 'cdp';
  frameNo: number;
  /** Sender MAC, or tshark's `(no-l2-source)` when the link has none. */
  src: string;
  payload: Uint8Array;
}

const NO_L2_SOURCE = '(no-l2-source)';
const LINKTYPE_C_HDLC = 104;

/**
 * Test-only unwrapping for encapsulations the frame decoder does not handle (it is not asked
 * to): Cisco HDLC (address, control, protocol 0x2000 = CDP) and Ethernet → IPv4 → GRE
 * (RFC 2784/2890, protocol type 0x2000 = CDP), as in HDLC.pcap and various_gre.pcap.
 */
function greCdpFromRaw(data: Uint8Array): Uint8Array | undefined {
  // Ethernet (+802.1Q tags) → IPv4 → GRE → CDP; only what various_gre.pcap needs.
  const r = new ByteReader(data);
  r.skip(12);
  let type = r.u16();
  while (type === 0x8100 || type === 0x88a8) {
    r.skip(2);
    type = r.u16();
  }
  if (type !== 0x0800) return undefined;
  const vihl = r.u8();
  if (vihl >> 4 !== 4) return undefined;
  r.skip(8);
  const proto = r.u8();
  r.skip((vihl & 0x0f) * 4 - 10);
  if (proto !== 47) return undefined;
  const flags = r.u16();
  const greProto = r.u16();
  if (greProto !== 0x2000) return undefined;
  if (flags & 0x8000) r.skip(4); // checksum + reserved
  if (flags & 0x2000) r.skip(4); // key
  if (flags & 0x1000) r.skip(4); // sequence number
  return r.failed ? undefined : r.rest();
}

async function findPayloads(file: string): Promise<Found[]> {
  const path = conformancePath(file);
  const found: Found[] = [];
  const records = await readFrames(path);
  const raw = await readCapturedFrames(path);
  records.forEach((f, i) => {
    const captured = raw[i];
    if (f.payloadKind === 'ethertype' && f.ethertype === 0x88cc && f.srcMac !== undefined) {
      found.push({ kind: 'lldp', frameNo: f.frameNo, src: f.srcMac, payload: f.payload });
    } else if (f.payloadKind === 'llc' && f.llc?.snapOui === 0x00000c && f.llc.snapPid === 0x2000 && f.srcMac !== undefined) {
      found.push({ kind: 'cdp', frameNo: f.frameNo, src: f.srcMac, payload: f.payload });
    } else if (captured !== undefined && captured.linkType === LINKTYPE_C_HDLC) {
      const d = captured.data;
      if (d.length > 4 && d[2] === 0x20 && d[3] === 0x00) {
        found.push({ kind: 'cdp', frameNo: f.frameNo, src: NO_L2_SOURCE, payload: d.subarray(4) });
      }
    } else if (captured !== undefined && f.ip?.protocol === 47) {
      const inner = greCdpFromRaw(captured.data);
      if (inner !== undefined && f.srcMac !== undefined) found.push({ kind: 'cdp', frameNo: f.frameNo, src: f.srcMac, payload: inner });
    }
  });
  return found;
}

/** An LLDP record in truth.json's shape (only the keys tshark reported). */
function lldpTruthShape(r: LldpRecord): Truth {
  const t: Truth = {};
  if (r.chassisId !== undefined) {
    t['chassis_subtype'] = String(r.chassisId.subtype);
    if (r.chassisId.subtype === 4) t['chassis_id_mac'] = r.chassisId.value;
    // tshark prints the bytes (after the address family for subtype 5) as colon hex.
    else t['chassis_id'] = r.chassisId.hex.split(':').slice(r.chassisId.subtype === 5 ? 1 : 0).join(':');
  }
  if (r.portId !== undefined) {
    t['port_subtype'] = String(r.portId.subtype);
    if (r.portId.subtype === 3) t['port_id_mac'] = r.portId.value;
    else t['port_id'] = r.portId.value;
  }
  if (r.portDescription !== undefined) t['port_description'] = r.portDescription;
  if (r.systemName !== undefined) t['system_name'] = r.systemName;
  if (r.systemDescription !== undefined) t['system_description'] = r.systemDescription;
  if (r.capabilities !== undefined) {
    t['system_capabilities'] = `0x${r.capabilities.system.toString(16).padStart(4, '0')}`;
    t['enabled_capabilities'] = `0x${r.capabilities.enabled.toString(16).padStart(4, '0')}`;
  }
  if (r.dot1?.portVlanId !== undefined) t['port_vlan_id'] = String(r.dot1.portVlanId);
  const med = r.med;
  if (med !== undefined) {
    if (med.hardwareRevision !== undefined) t['med_hardware_revision'] = med.hardwareRevision;
    if (med.firmwareRevision !== undefined) t['med_firmware_revision'] = med.firmwareRevision;
    if (med.softwareRevision !== undefined) t['med_software_revision'] = med.softwareRevision;
    if (med.serialNumber !== undefined) t['med_serial_number'] = med.serialNumber;
    if (med.manufacturerName !== undefined) t['med_manufacturer'] = med.manufacturerName;
    if (med.modelName !== undefined) t['med_model'] = med.modelName;
    if (med.assetId !== undefined) t['med_asset_id'] = med.assetId;
  }
  if (r.managementAddresses.length > 0) t['management_addresses'] = r.managementAddresses.map((m) => m.address);
  if (r.dot1 !== undefined && r.dot1.vlanNames.length > 0) t['vlan_names'] = r.dot1.vlanNames.map((v) => [String(v.vid), v.name]);
  return t;
}

/** A CDP record in truth.json's shape. */
function cdpTruthShape(r: CdpRecord): Truth {
  const t: Truth = {};
  if (r.deviceId !== undefined) t['device_id'] = r.deviceId;
  if (r.platform !== undefined) t['platform'] = r.platform;
  if (r.softwareVersion !== undefined) t['software_version'] = r.softwareVersion.length === 1 ? r.softwareVersion[0] : r.softwareVersion;
  if (r.portId !== undefined) t['port_id'] = r.portId;
  if (r.nativeVlan !== undefined) t['native_vlan'] = String(r.nativeVlan);
  if (r.voipVlanReply !== undefined) t['voice_vlan'] = String(r.voipVlanReply.vlan);
  if (r.vtpDomain !== undefined) t['vtp_domain'] = r.vtpDomain;
  if (r.capabilities !== undefined) t['capabilities'] = `0x${r.capabilities.toString(16).padStart(8, '0')}`;
  t['version'] = String(r.version);
  const addresses = [...r.addresses, ...r.managementAddresses].map((a) => a.address);
  if (addresses.length > 0) t['addresses'] = addresses;
  return t;
}

/** Key order and list order do not matter to the comparison; list contents do. */
function canonical(records: Truth[]): string[] {
  const norm = (t: Truth): string =>
    JSON.stringify(
      Object.fromEntries(
        Object.entries(t)
          .map(([k, v]): [string, unknown] => [k, k === 'addresses' && Array.isArray(v) ? [...(v as string[])].sort() : v])
          .sort(([a], [b]) => a.localeCompare(b)),
      ),
    );
  return [...new Set(records.map(norm))].sort();
}

describe.skipIf(CONFORMANCE_SKIP !== null)(titled('LLDP/CDP conformance against tshark 4.0.17 (truth.json)', CONFORMANCE_SKIP), () => {
  it('has the captures', () => {
    expect(CAPTURES.length).toBeGreaterThanOrEqual(39);
  });

  for (const file of CAPTURES) {
    it(file, async () => {
      const truth = JSON.parse(readFileSync(conformancePath(`${file}.truth.json`), 'utf8')) as TruthFile;
      const found = await findPayloads(file);
      // Every frame tshark counted as LLDP/CDP was found and decoded.
      expect(found.filter((f) => f.kind === 'lldp').length).toBe(truth.target_protocol_frames['lldp'] ?? 0);
      expect(found.filter((f) => f.kind === 'cdp').length).toBe(truth.target_protocol_frames['cdp'] ?? 0);

      const got: Record<string, { lldp: Truth[]; cdp: Truth[] }> = {};
      for (const f of found) {
        const host = (got[f.src] ??= { lldp: [], cdp: [] });
        if (f.kind === 'lldp') {
          const { value, anomalies } = decodeLldp(f.payload);
          for (const a of anomalies) expect(LLDP_ANOMALIES).toContain(a);
          host.lldp.push(lldpTruthShape(value));
        } else {
          const { value, anomalies } = decodeCdp(f.payload);
          for (const a of anomalies) expect(CDP_ANOMALIES).toContain(a);
          host.cdp.push(cdpTruthShape(value));
        }
      }
      for (const [mac, host] of Object.entries(truth.hosts)) {
        for (const kind of ['lldp', 'cdp'] as const) {
          const want = host[kind];
          if (want === undefined) continue;
          const mine = got[mac]?.[kind] ?? [];
          expect({ mac, kind, records: canonical(mine) }).toEqual({ mac, kind, records: canonical(want) });
        }
      }
      // No host sent LLDP/CDP that tshark did not see.
      for (const [mac, host] of Object.entries(got)) {
        if (host.lldp.length > 0) expect(truth.hosts[mac]?.lldp, `${mac} lldp`).toBeDefined();
        if (host.cdp.length > 0) expect(truth.hosts[mac]?.cdp, `${mac} cdp`).toBeDefined();
      }
    });
  }

  it('lldp_8021_linkagg.pcap: keeps the 802.1 link aggregation TLV that tshark rejects, and flags the order', async () => {
    const found = await findPayloads('lldp_8021_linkagg.pcap');
    expect(found.map((f) => f.kind)).toEqual(['lldp', 'lldp']);
    const [first, second] = found.map((f) => decodeLldp(f.payload));
    expect(first?.value.dot1?.linkAggregation).toEqual({ status: 3, capable: true, enabled: true, portId: 100 });
    expect(second?.value.dot1?.linkAggregation).toEqual({ status: 1, capable: true, enabled: false, portId: 0 });
    expect(first?.anomalies).toEqual(['lldp.tlv_out_of_order', 'lldp.no_end_tlv', 'lldp.missing_mandatory']);
  });

  it('CDP checksum verdicts equal tshark\'s cdp.checksum.status for every CDP frame (odd lengths included)', async () => {
    const rows = readFileSync(`${DIR}cdp-checksum.tshark.tsv`, 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split('\t'));
    expect(rows.length).toBe(26);
    let odd = 0;
    for (const [file = '', frameNo = '', checksum = '', status = ''] of rows) {
      const f = (await findPayloads(file)).find((x) => x.kind === 'cdp' && x.frameNo === Number(frameNo));
      expect(f, `${file}#${frameNo}`).toBeDefined();
      if (f === undefined) continue;
      if (f.payload.length % 2 === 1) odd++;
      const { value, anomalies } = decodeCdp(f.payload);
      expect(`0x${value.checksum.toString(16).padStart(4, '0')}`).toBe(checksum);
      expect({ file, frameNo, valid: value.checksumValid }).toEqual({ file, frameNo, valid: status === '1' });
      expect(anomalies.includes('cdp.bad_checksum')).toBe(status !== '1');
    }
    expect(odd).toBeGreaterThan(0);
  });
});
