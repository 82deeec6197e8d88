import { describe, expect, it } from 'vitest';
import { LLDP_ANOMALIES, LLDP_LIMITS, decodeLldp, type LldpRecord } from '../../../../src/protocols/lldp/lldp.js';
import { readFrames } from '../../../helpers/frames.js';
import { conformancePath, describeShared } from '../../../helpers/conformance.js';


/** The LLDPDU (bytes after ethertype 0x88cc) of frame `frameNo` of a conformance capture. */
async function lldpOf(file: string, frameNo = 1): Promise<Uint8Array> {
  const frame = (await readFrames(conformancePath(file))).find((f) => f.frameNo === frameNo);
  if (frame === undefined || frame.payloadKind !== 'ethertype' || frame.ethertype !== 0x88cc) {
    throw new Error(`${file}#${frameNo}: no LLDP payload`);
  }
  return frame.payload;
}

// ---- a tiny LLDPDU builder for synthesised cases (independent of the decoder) ----

function tlv(type: number, ...body: number[]): number[] {
  return [(type << 1) | (body.length >> 8), body.length & 0xff, ...body];
}
function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0));
}
function org(oui: number, subtype: number, ...body: number[]): number[] {
  return tlv(127, (oui >> 16) & 0xff, (oui >> 8) & 0xff, oui & 0xff, subtype, ...body);
}
const CHASSIS = tlv(1, 4, 0x00, 0x09, 0xfb, 0x3a, 0x71, 0x07);
const PORT = tlv(2, 5, ...ascii('Gi1/0/1'));
const TTL = tlv(3, 0, 120);
const END = [0, 0];
function lldpdu(...tlvs: number[][]): Uint8Array {
  return Uint8Array.from(tlvs.flat());
}
function mandatory(...middle: number[][]): Uint8Array {
  return lldpdu(CHASSIS, PORT, TTL, ...middle, END);
}
function decode(bytes: Uint8Array, limits = LLDP_LIMITS): { value: LldpRecord; anomalies: string[] } {
  return decodeLldp(bytes, limits);
}

describeShared('decodeLldp on real LLDPDUs', () => {
  it('ProCurve LLDP-MED (lldpmed_civicloc): civic address with every CAtype, policy, power', async () => {
    const { value, anomalies } = decode(await lldpOf('lldp__lldpmed_civicloc.pcap'));
    expect(anomalies).toEqual([]);
    expect(value.chassisId).toEqual({ subtype: 4, subtypeName: 'mac_address', value: '00:13:21:57:ca:40', hex: '00:13:21:57:ca:40' });
    expect(value.portId).toMatchObject({ subtype: 7, subtypeName: 'local', value: '1' });
    expect(value.ttl).toBe(120);
    expect(value.shutdown).toBe(false);
    expect(value.systemName).toBe('ProCurve Switch 2600-8-PWR');
    expect(value.capabilities).toEqual({ system: 0x14, enabled: 0x04, systemNames: ['bridge', 'router'], enabledNames: ['bridge'] });
    expect(value.managementAddresses).toEqual([{ addressFamily: 1, address: '15.255.122.148', interfaceSubtype: 2, interfaceNumber: 0 }]);
    expect(value.dot3?.macPhy).toEqual({ autonegSupported: true, autonegEnabled: true, advertised: 0x6c00, mauType: 16 });
    expect(value.med?.capabilities).toEqual({
      capabilities: 0x000f,
      capabilityNames: ['capabilities', 'network_policy', 'location', 'extended_power_pse'],
      deviceClass: 4,
      deviceClassName: 'network-connectivity',
    });
    // tshark: Voice, Defined, Tagged, VLAN 50, L2 priority 6, DSCP 46.
    expect(value.med?.networkPolicies).toEqual([
      { appType: 1, appName: 'voice', unknownPolicy: false, tagged: true, vlanId: 50, priority: 6, dscp: 46 },
    ]);
    expect(value.med?.locations).toEqual([
      {
        format: 2,
        civic: {
          what: 2,
          countryCode: 'US',
          elements: [
            { caType: 1, value: 'CA' },
            { caType: 3, value: 'Roseville' },
            { caType: 6, value: 'Foothills' },
            { caType: 19, value: '8000' },
            { caType: 26, value: 'R3L' },
          ],
        },
      },
    ]);
    // tshark: PSE device, source unknown, priority low (3), 6500 mW.
    expect(value.med?.extendedPower).toEqual({ powerType: 0, powerSource: 0, powerPriority: 3, powerMilliwatts: 6500 });
    expect(value.endSeen).toBe(true);
  });

  it('3Com 4500G: LLDP-MED inventory, 802.1 and 802.3 TLVs, management OID', async () => {
    const { value, anomalies } = decode(await lldpOf('lldp__48.good.4500G.pcap'));
    expect(anomalies).toEqual([]);
    expect(value.portId).toEqual({ subtype: 3, subtypeName: 'mac_address', value: '00:1e:c1:42:42:42', hex: '00:1e:c1:42:42:42' });
    expect(value.med).toMatchObject({
      hardwareRevision: 'REV.B',
      firmwareRevision: '506',
      softwareRevision: '5.02.00s168p20',
      serialNumber: 'YEASDASDASD00',
      manufacturerName: '3Com',
      modelName: '3CR17762-91',
      assetId: 'Unknown',
    });
    // tshark: Application Type Reserved (0), Policy Unknown.
    expect(value.med?.networkPolicies[0]).toMatchObject({ appType: 0, appName: 'app-0', unknownPolicy: true });
    // tshark: Object Identifier 0.0 (itu-t.0).
    expect(value.managementAddresses).toEqual([
      { addressFamily: 1, address: '172.20.202.1', interfaceSubtype: 2, interfaceNumber: 55, oid: '0.0' },
    ]);
    expect(value.dot1).toEqual({
      portVlanId: 1,
      portProtocolVlans: [{ supported: true, enabled: false, ppvid: 1 }],
      vlanNames: [{ vid: 1, name: 'IASDASD' }],
      protocolIdentities: [],
    });
    expect(value.dot3).toMatchObject({ maxFrameSize: 9216, linkAggregation: { status: 3, capable: true, enabled: true, portId: 9 } });
  });

  it('Extreme Summit300 (42.good.big): NUL-padded strings, 802 management address, every 802.1/802.3 TLV', async () => {
    const { value, anomalies } = decode(await lldpOf('lldp__42.good.big.pcap'));
    expect(anomalies).toEqual([]);
    expect(value.portDescription).toBe('Summit300-48-Port 1001'); // trailing NUL dropped, as tshark
    expect(value.systemName).toBe('Summit300-48');
    expect(value.managementAddresses).toEqual([{ addressFamily: 6, address: '000130f9ada0', interfaceSubtype: 2, interfaceNumber: 1001 }]);
    expect(value.dot3).toEqual({
      power: { support: 7, pse: true, supported: true, enabled: true, pairsControl: false, powerPair: 1, powerClass: 0 },
      macPhy: { autonegSupported: true, autonegEnabled: true, advertised: 0x6c00, mauType: 16 },
      linkAggregation: { status: 1, capable: true, enabled: false, portId: 0 },
      maxFrameSize: 1522,
    });
    expect(value.dot1).toEqual({
      portVlanId: 488,
      portProtocolVlans: [{ supported: false, enabled: false, ppvid: 0 }],
      vlanNames: [{ vid: 488, name: 'v2-0488-03-0505' }],
      protocolIdentities: [''],
    });
  });

  it('chassis id subtypes: chassis component as text, network address with a non-IP family', async () => {
    const a = decode(await lldpOf('lldp__51.good.chassis.pcap'));
    expect(a.value.chassisId).toEqual({ subtype: 1, subtypeName: 'chassis_component', value: 'foobar', hex: '66:6f:6f:62:61:72' });
    const b = decode(await lldpOf('lldp__52.good.chassis.pcap'));
    // tshark: Network Address family HDLC (4), Chassis Id 6f6f6261.
    expect(b.value.chassisId).toEqual({
      subtype: 5,
      subtypeName: 'network_address',
      value: '6f:6f:62:61',
      hex: '04:6f:6f:62:61',
      addressFamily: 4,
    });
    expect(b.anomalies).toEqual([]);
  });

  it('IPv6 management address (53.good.ipv6) as tshark prints it', async () => {
    const { value } = decode(await lldpOf('lldp__53.good.ipv6.pcap'));
    expect(value.managementAddresses).toEqual([{ addressFamily: 2, address: '2ac:1f00:8000::', interfaceSubtype: 3, interfaceNumber: 0 }]);
  });

  it('shutdown LLDPDU (TTL 0) is flagged in the record', async () => {
    const { value, anomalies } = decode(await lldpOf('lldp__50.good.shutdown.pcap'));
    expect(anomalies).toEqual([]);
    expect(value.ttl).toBe(0);
    expect(value.shutdown).toBe(true);
    expect(value.systemName).toBe('test');
  });

  it('unknown organisational TLVs are kept raw: MUD URL (IANA 00-00-5e/1), 802.1 application priority', async () => {
    const mud = decode(await lldpOf('lldp_mudurl.pcap'));
    expect(mud.anomalies).toEqual([]);
    expect(mud.value.orgTlvs).toHaveLength(1);
    expect(mud.value.orgTlvs[0]?.oui).toBe(0x00005e);
    expect(new TextDecoder().decode(mud.value.orgTlvs[0]?.bytes)).toBe('https://imright.mud.example.com/.well-known/mud/v1/vomitv2.0');
    const app = decode(await lldpOf('lldp-app-priority.pcap'));
    expect(app.value.orgTlvs.find((o) => o.oui === 0x0080c2 && o.subtype === 12)?.bytes).toEqual(Uint8Array.from([0x00, 0x84, 0x0c, 0xbc]));
  });

  it('lldp.minimal: repeated TTL TLVs keep the first and are flagged as duplicates', async () => {
    const { value, anomalies } = decode(await lldpOf('lldp__lldp.minimal.pcap'));
    expect(value.ttl).toBe(120);
    expect(anomalies).toEqual(['lldp.duplicate_tlv']); // each code once per LLDPDU
  });

  it('Cisco (LLDP_and_CDP): multi-line system description and interface alias port id', async () => {
    const frames = (await readFrames(conformancePath('LLDP_and_CDP.pcap'))).filter((f) => f.ethertype === 0x88cc);
    const s2 = frames.map((f) => decode(f.payload).value).find((r) => r.systemName === 'S2.cisco.com');
    expect(s2?.portId).toMatchObject({ subtype: 1, subtypeName: 'interface_alias', value: 'Uplink to S1' });
    expect(s2?.systemDescription?.split('\n')).toHaveLength(3);
  });
});

describe('decodeLldp synthesised cases', () => {
  it('a clean minimal LLDPDU has no anomalies', () => {
    const { value, anomalies } = decode(mandatory());
    expect(anomalies).toEqual([]);
    expect(value.chassisId?.value).toBe('00:09:fb:3a:71:07');
    expect(value.portId?.value).toBe('Gi1/0/1');
    expect(value.tlvCount).toBe(3);
  });

  it('every id subtype is formatted', () => {
    const ids = (subtype: number, ...body: number[]) => decode(lldpdu(tlv(1, subtype, ...body), tlv(2, subtype, ...body), TTL, END)).value;
    expect(ids(5, 1, 192, 0, 2, 1).chassisId?.value).toBe('192.0.2.1');
    expect(ids(4, 1, 192, 0, 2, 1).portId?.value).toBe('192.0.2.1');
    const v6 = [2, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    expect(ids(5, ...v6).chassisId?.value).toBe('2001:db8::1');
    expect(ids(7, ...ascii('local-7')).chassisId?.value).toBe('local-7');
    expect(ids(2, ...ascii('alias')).chassisId?.value).toBe('alias');
    expect(ids(6, ...ascii('eth0')).chassisId?.value).toBe('eth0');
    expect(ids(3, ...ascii('Port 1')).chassisId?.value).toBe('Port 1');
    expect(ids(6, 0xde, 0xad).portId).toEqual({ subtype: 6, subtypeName: 'agent_circuit_id', value: 'de:ad', hex: 'de:ad' });
    expect(ids(1, ...ascii('ifAlias')).portId?.subtypeName).toBe('interface_alias');
  });

  it('management address with an OID', () => {
    // 1.3.6.1.4.1.9 = 2b 06 01 04 01 09; an arc above 127 (311 = 82 37).
    const mgmt = tlv(8, 5, 1, 10, 0, 0, 1, 2, 0, 0, 0, 7, 8, 0x2b, 6, 1, 4, 1, 0x82, 0x37, 9);
    const { value, anomalies } = decode(mandatory(mgmt));
    expect(anomalies).toEqual([]);
    expect(value.managementAddresses).toEqual([{ addressFamily: 1, address: '10.0.0.1', interfaceSubtype: 2, interfaceNumber: 7, oid: '1.3.6.1.4.1.311.9' }]);
  });

  it('LLDP-MED: ELIN, coordinate LCI, every network-policy flag, inventory', () => {
    // Coordinate LCI (RFC 3825): LaRes 34, lat 1.5, LoRes 34, lon -2.25, AT 1, AltRes 30, alt 10.5, datum 1.
    const bits: number[] = [];
    const put = (v: number, n: number) => {
      for (let i = n - 1; i >= 0; i--) bits.push(Math.floor(v / 2 ** i) % 2);
    };
    put(34, 6); put(1.5 * 2 ** 25, 34); put(34, 6); put(2 ** 34 - 2.25 * 2 ** 25, 34);
    put(1, 4); put(30, 6); put(10.5 * 2 ** 8, 30); put(1, 8);
    const lci = Array.from({ length: 16 }, (_, i) => bits.slice(i * 8, i * 8 + 8).reduce((a, b) => a * 2 + b, 0));
    const { value, anomalies } = decode(
      mandatory(
        org(0x0012bb, 1, 0x00, 0x21, 3),
        org(0x0012bb, 2, 2, 0x80 | 0x40 | (100 >> 7), ((100 << 1) & 0xfe) | (5 >> 2), ((5 & 3) << 6) | 46),
        org(0x0012bb, 3, 3, ...ascii('4085551212')),
        org(0x0012bb, 3, 1, ...lci),
        org(0x0012bb, 8, ...ascii('SN-123')),
        org(0x0012bb, 9, ...ascii('ExampleMed')),
        org(0x0012bb, 10, ...ascii('VV300')),
        org(0x0012bb, 4, 0x51, 0x00, 0x82),
      ),
    );
    expect(anomalies).toEqual([]);
    expect(value.med?.capabilities).toMatchObject({ capabilityNames: ['capabilities', 'inventory'], deviceClassName: 'endpoint-class-3' });
    expect(value.med?.networkPolicies).toEqual([
      { appType: 2, appName: 'voice-signaling', unknownPolicy: true, tagged: true, vlanId: 100, priority: 5, dscp: 46 },
    ]);
    expect(value.med?.locations[0]).toEqual({ format: 3, elin: '4085551212' });
    expect(value.med?.locations[1]?.coordinate).toMatchObject({
      latitude: 1.5, latitudeResolution: 34, longitude: -2.25, longitudeResolution: 34,
      altitudeType: 1, altitudeResolution: 30, altitude: 10.5, datum: 1,
    });
    expect(value.med).toMatchObject({ serialNumber: 'SN-123', manufacturerName: 'ExampleMed', modelName: 'VV300' });
    expect(value.med?.extendedPower).toEqual({ powerType: 1, powerSource: 1, powerPriority: 1, powerMilliwatts: 13000 });
  });

  it('zero-length TLVs still advance (the tcpdump LLDP infinite-loop reproducers)', () => {
    const zeros = Array.from({ length: 300 }, () => tlv(9)).flat();
    const { value, anomalies } = decode(lldpdu(CHASSIS, PORT, TTL, zeros, END));
    expect(value.unknownTlvs).toHaveLength(300);
    expect(value.endSeen).toBe(true);
    expect(anomalies).toEqual([]);
  });
});

describe('decodeLldp: one test per anomaly code', () => {
  const cases: Record<(typeof LLDP_ANOMALIES)[number], () => { anomalies: string[] }> = {
    'lldp.tlv_truncated': () => decode(lldpdu(CHASSIS, PORT, TTL, [0x0a, 0x20, 0x41])), // system name claims 32 bytes
    'lldp.too_many_tlvs': () => decode(mandatory(...Array.from({ length: 7 }, () => tlv(5, 0x41))), { ...LLDP_LIMITS, maxTlvs: 4 }),
    'lldp.tlv_out_of_order': () => decode(lldpdu(PORT, CHASSIS, TTL, END)),
    'lldp.missing_mandatory': () => decode(lldpdu(CHASSIS, TTL, END)),
    'lldp.bad_tlv_length': () => decode(lldpdu(CHASSIS, PORT, tlv(3, 0, 120, 0), END)),
    'lldp.no_end_tlv': () => decode(lldpdu(CHASSIS, PORT, TTL)),
    'lldp.duplicate_tlv': () => decode(mandatory(tlv(5, 0x41), tlv(5, 0x42))),
    'lldp.text_truncated': () => decode(mandatory(tlv(6, ...ascii('a long system description'))), { ...LLDP_LIMITS, maxText: 6 }),
    'lldp.reserved_subtype': () => decode(lldpdu(tlv(1, 9, 1, 2, 3), PORT, TTL, END)),
  };
  for (const code of LLDP_ANOMALIES) {
    it(code, () => {
      const run = cases[code];
      expect(run().anomalies).toContain(code);
    });
  }

  it('lowering maxTlvs stops after that many TLVs (Zeek style: small knob, small input)', () => {
    const { value, anomalies } = decode(mandatory(...Array.from({ length: 7 }, (_, i) => tlv(5, 0x41 + i))), { ...LLDP_LIMITS, maxTlvs: 4 });
    expect(value.tlvCount).toBe(4);
    expect(value.systemName).toBe('A');
    expect(anomalies).toEqual(['lldp.too_many_tlvs']);
  });

  it('maxText cuts text at the limit', () => {
    const { value } = decode(mandatory(tlv(6, ...ascii('a long system description'))), { ...LLDP_LIMITS, maxText: 6 });
    expect(value.systemDescription).toBe('a long');
  });

  it('a truncated TLV keeps everything before it', () => {
    const { value, anomalies } = decode(lldpdu(CHASSIS, PORT, TTL, tlv(5, ...ascii('sw1')), [0x0c, 0x40, 0x41]));
    expect(value.systemName).toBe('sw1');
    expect(value.systemDescription).toBeUndefined();
    expect(anomalies).toEqual(['lldp.tlv_truncated', 'lldp.no_end_tlv']);
  });

  it('bad lengths inside known TLVs are flagged, not fatal', () => {
    expect(decode(mandatory(tlv(7, 0, 4))).anomalies).toEqual(['lldp.bad_tlv_length']); // capabilities len 2
    expect(decode(mandatory(org(0x0080c2, 1, 0))).anomalies).toEqual(['lldp.bad_tlv_length']); // PVID len 1
    expect(decode(mandatory(tlv(127, 0, 0x12))).anomalies).toEqual(['lldp.bad_tlv_length']); // org TLV < 4
    expect(decode(mandatory(tlv(8, 40, 1, 2))).anomalies).toEqual(['lldp.bad_tlv_length']); // mgmt addr length lies
    // Civic CA length past the LCI: the elements before it are kept.
    const civic = org(0x0012bb, 3, 2, 8, 2, ...ascii('US'), 3, 2, ...ascii('XY'), 26, 9, 0x41);
    const { value, anomalies } = decode(mandatory(civic));
    expect(value.med?.locations[0]?.civic?.elements).toEqual([{ caType: 3, value: 'XY' }]);
    expect(anomalies).toContain('lldp.bad_tlv_length');
    expect(decode(lldpdu(CHASSIS, PORT, TTL, [0x00, 0x02, 0, 0])).anomalies).toEqual(['lldp.bad_tlv_length']); // End with length
  });

  it('an empty payload is missing everything', () => {
    expect(decode(new Uint8Array(0)).anomalies).toEqual(['lldp.no_end_tlv', 'lldp.missing_mandatory']);
  });
});
