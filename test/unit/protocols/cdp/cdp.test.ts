import { describe, expect, it } from 'vitest';
import { CDP_ANOMALIES, CDP_LIMITS, cdpChecksumValid, decodeCdp, type CdpLimits } from '../../../../src/protocols/cdp/cdp.js';
import { readFrames } from '../../../helpers/frames.js';
import { conformancePath, describeShared } from '../../../helpers/conformance.js';


/** The CDP payload (after LLC/SNAP 00000c/0x2000) of frame `frameNo` of a conformance capture. */
async function cdpOf(file: string, frameNo = 1): Promise<Uint8Array> {
  const frame = (await readFrames(conformancePath(file))).find((f) => f.frameNo === frameNo);
  if (frame === undefined || frame.payloadKind !== 'llc' || frame.llc?.snapOui !== 0x00000c || frame.llc.snapPid !== 0x2000) {
    throw new Error(`${file}#${frameNo}: no CDP payload`);
  }
  return frame.payload;
}

// ---- a tiny CDP builder for synthesised cases (its checksum is plain RFC 1071 on even lengths) ----

function tlv(type: number, ...value: number[]): number[] {
  const len = value.length + 4;
  return [type >> 8, type & 0xff, len >> 8, len & 0xff, ...value];
}
function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0));
}
/** RFC 1071 checksum of an even-length buffer (independent of the decoder's Cisco variant). */
function rfc1071(b: number[]): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
/** A CDP v2 packet with a correct checksum (synthesised packets are kept even-length). */
function packet(...tlvs: number[][]): Uint8Array {
  const body = [2, 180, 0, 0, ...tlvs.flat()];
  if (body.length % 2 === 1) throw new Error('builder: keep synthesised packets even-length');
  const sum = rfc1071(body);
  body[2] = sum >> 8;
  body[3] = sum & 0xff;
  return Uint8Array.from(body);
}
function decode(bytes: Uint8Array, limits: CdpLimits = CDP_LIMITS) {
  return decodeCdp(bytes, limits);
}

describeShared('decodeCdp on real CDP packets', () => {
  it('Catalyst 3560 (3560_CDP): every TLV it sends', async () => {
    const { value, anomalies } = decode(await cdpOf('3560_CDP.pcap'));
    expect(anomalies).toEqual([]);
    expect(value).toMatchObject({
      version: 2,
      ttl: 180,
      checksum: 0xb0bd,
      checksumValid: true,
      deviceId: 'Switch',
      platform: 'cisco WS-C3560G-24PS',
      portId: 'GigabitEthernet0/5',
      capabilities: 0x28,
      capabilityNames: ['switch', 'igmp'],
      vtpDomain: 'Lab',
      nativeVlan: 1,
      duplex: 'full',
      trustBitmap: 0,
      untrustedCos: 0,
    });
    expect(value.softwareVersion).toEqual([
      'Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M), Version 12.2(25)SEB4, RELEASE SOFTWARE (fc1)',
      'Copyright (c) 1986-2005 by Cisco Systems, Inc.',
      'Compiled Tue 30-Aug-05 17:56 by yenanh',
    ]);
    expect(value.addresses).toEqual([{ protocolType: 1, protocol: 'cc', family: 'ipv4', address: '192.168.0.1' }]);
    expect(value.managementAddresses).toEqual([{ protocolType: 1, protocol: 'cc', family: 'ipv4', address: '192.168.0.1' }]);
    // Protocol hello (8) and power available (0x1a) are kept raw.
    expect(value.unknownTlvs.map((t) => t.type)).toEqual([8, 0x1a]);
  });

  it('Cisco 2811 (46.good.2811): IPv6 addresses through 802.2 protocol ids; tshark also says the checksum is bad', async () => {
    const { value, anomalies } = decode(await cdpOf('cdp__46.good.2811.pcap'));
    expect(value.addresses.map((a) => `${a.family}:${a.address}`)).toEqual([
      'ipv4:94.142.240.17',
      'ipv6:fe80::21a:6dff:fef5:d50',
      'ipv6:2a02:898:0:30::50:1',
    ]);
    expect(value.addresses[1]?.protocol).toBe('aaaa0300000086dd');
    expect(anomalies).toEqual(['cdp.bad_checksum']);
  });

  it('BCM1100 (44.good.bcm): VoIP VLAN reply and power', async () => {
    const { value, anomalies } = decode(await cdpOf('cdp__44.good.bcm.pcap'));
    expect(anomalies).toEqual([]);
    expect(value.voipVlanReply).toEqual({ data: 1, vlan: 4095 });
    expect(value.powerMilliwatts).toBe(6400);
    expect(value.softwareVersion).toEqual(['BCM1100']);
  });

  it('IP phones (49.good.phone): odd-length packets whose last byte has the top bit set verify (Cisco quirk)', async () => {
    for (const frameNo of [1, 2]) {
      const p = await cdpOf('cdp__49.good.phone.pcap', frameNo);
      expect(p.length % 2).toBe(1);
      expect((p[p.length - 1] ?? 0) & 0x80).toBe(0x80);
      expect(decode(p).anomalies).toEqual([]);
      // Plain RFC 1071 (pad with a trailing zero byte) would call these bad.
      expect(rfc1071([...p, 0])).not.toBe(0);
    }
    const { value } = decode(await cdpOf('cdp__49.good.phone.pcap', 2));
    expect(value).toMatchObject({ deviceId: 'SEP0012DADBD34E', platform: 'Cisco IP Phone 7970', capabilityNames: ['host', 'phone', 'two_port_mac_relay'] });
  });

  it('CDP v1 (42.good.medium): the platform TLV is cut by the capture; the rest is kept', async () => {
    const { value, anomalies } = decode(await cdpOf('cdp__42.good.medium.pcap'));
    expect(value.version).toBe(1);
    expect(value.deviceId).toBe('R2D2');
    expect(value.softwareVersion?.[0]).toBe('Cisco Internetwork Operating System Software ');
    expect(value.platform).toBeUndefined();
    expect(anomalies).toEqual(['cdp.bad_checksum', 'cdp.tlv_truncated']);
  });
});

describe('decodeCdp synthesised cases', () => {
  it('the remaining TLV types', () => {
    const { value, anomalies } = decode(
      packet(
        tlv(0x07, 10, 1, 0, 0, 24, 10, 2, 0, 0, 16),
        tlv(0x0f, 1, 0x00, 0x64),
        tlv(0x11, 0, 0, 0x05, 0xdc),
        tlv(0x14, ...ascii('core-sw')),
        tlv(0x15, 0x06, 0x03, 0x2b, 0x06, 0x01),
        tlv(0x17, 0x00, ...ascii('ICU West')),
        tlv(0x0b, 0),
        tlv(0x99, 1, 2, 3),
      ),
    );
    expect(anomalies).toEqual([]);
    expect(value.ipPrefixes).toEqual([{ network: '10.1.0.0', length: 24 }, { network: '10.2.0.0', length: 16 }]);
    expect(value.voipVlanQuery).toEqual({ data: 1, vlan: 100 });
    expect(value.mtu).toBe(1500);
    expect(value.systemName).toBe('core-sw');
    expect(value.systemOid).toBe('06032b0601');
    expect(value.location).toBe('ICU West');
    expect(value.duplex).toBe('half');
    expect(value.unknownTlvs).toEqual([{ type: 0x99, bytes: Uint8Array.from([1, 2, 3]) }]);
  });

  it('IP prefix TLV with one address is the ODR default gateway', () => {
    expect(decode(packet(tlv(0x07, 10, 0, 0, 1))).value.odrDefaultGateway).toBe('10.0.0.1');
  });

  it('software version lines split on CRLF, LF and CR, without a trailing empty line', () => {
    const { value } = decode(packet(tlv(0x05, ...ascii('ab\r\nb\nc\rd\n'))));
    expect(value.softwareVersion).toEqual(['ab', 'b', 'c', 'd']);
  });

  it('checksum: a one-bit change is detected', () => {
    const p = packet(tlv(0x01, ...ascii('R1')));
    expect(cdpChecksumValid(p)).toBe(true);
    p[p.length - 1] = (p[p.length - 1] ?? 0) ^ 1;
    expect(cdpChecksumValid(p)).toBe(false);
  });
});

describe('decodeCdp: one test per anomaly code', () => {
  const cases: Record<(typeof CDP_ANOMALIES)[number], () => { anomalies: string[] }> = {
    'cdp.truncated': () => decode(Uint8Array.from([2, 180, 0])),
    'cdp.unknown_version': () => decode(Uint8Array.from([3, 180, 0xfc, 0x4b])),
    'cdp.bad_checksum': () => decode(Uint8Array.from([2, 180, 0x12, 0x34, ...tlv(1, 0x41, 0x42)])),
    'cdp.bad_tlv_length': () => decode(packet(tlv(1, 0x41, 0x42), [0, 1, 0, 2])),
    'cdp.tlv_truncated': () => decode(packet(tlv(1, 0x41, 0x42), [0, 6, 0, 40, 0x41, 0x42])),
    'cdp.too_many_tlvs': () => decode(packet(...Array.from({ length: 5 }, () => tlv(0x99))), { ...CDP_LIMITS, maxTlvs: 3 }),
    'cdp.bad_value_length': () => decode(packet(tlv(0x0a, 0, 1, 0, 0))),
    'cdp.bad_address': () => decode(packet(tlv(0x02, 0, 0, 0, 2, 1, 1, 0xcc, 0, 4, 10, 0, 0, 1, 0xff))),
    'cdp.too_many_addresses': () =>
      decode(packet(tlv(0x02, 0, 0, 0, 4, ...[0, 1, 2, 3].flatMap((i) => [1, 1, 0xcc, 0, 4, 10, 0, 0, i]))), { ...CDP_LIMITS, maxAddresses: 2 }),
    'cdp.duplicate_tlv': () => decode(packet(tlv(1, 0x41, 0x42), tlv(1, 0x43, 0x44))),
    'cdp.text_truncated': () => decode(packet(tlv(6, ...ascii('platform'))), { ...CDP_LIMITS, maxText: 4 }),
  };
  for (const code of CDP_ANOMALIES) {
    it(code, () => {
      expect(cases[code]().anomalies).toContain(code);
    });
  }

  it('a TLV length below 4 stops the walk (it cannot advance past its own header)', () => {
    const { value, anomalies } = decode(packet(tlv(1, 0x41, 0x42), [0, 6, 0, 0], tlv(3, 0x50, 0x31)));
    expect(value.deviceId).toBe('AB');
    expect(value.portId).toBeUndefined();
    expect(anomalies).toEqual(['cdp.bad_tlv_length']);
  });

  it('lowering maxTlvs stops after that many TLVs', () => {
    const { value, anomalies } = decode(packet(...Array.from({ length: 5 }, () => tlv(0x99))), { ...CDP_LIMITS, maxTlvs: 3 });
    expect(value.tlvCount).toBe(3);
    expect(value.unknownTlvs).toHaveLength(3);
    expect(anomalies).toEqual(['cdp.too_many_tlvs']);
  });

  it('maxAddresses keeps the first addresses', () => {
    const many = tlv(0x02, 0, 0, 0, 4, ...[0, 1, 2, 3].flatMap((i) => [1, 1, 0xcc, 0, 4, 10, 0, 0, i]));
    const { value } = decode(packet(many), { ...CDP_LIMITS, maxAddresses: 2 });
    expect(value.addresses.map((a) => a.address)).toEqual(['10.0.0.0', '10.0.0.1']);
  });

  it('an address count larger than the entries present keeps the entries', () => {
    const { value, anomalies } = decode(packet(tlv(0x02, 0, 0, 0, 2, 1, 1, 0xcc, 0, 4, 10, 0, 0, 1, 0xff)));
    expect(value.addresses.map((a) => a.address)).toEqual(['10.0.0.1']);
    expect(anomalies).toEqual(['cdp.bad_address']);
  });
});
