import { describe, expect, it } from 'vitest';
import { decodeCdp } from '../../../../src/protocols/cdp/cdp.js';
import { decodeLldp } from '../../../../src/protocols/lldp/lldp.js';
import type { FrameRecord } from '../../../../src/decode/frame-record.js';
import type { Observation } from '../../../../src/observe/observation.js';
import { observeCdp } from '../../../../src/protocols/cdp/cdp-observe.js';
import { civicLine, observeLldp } from '../../../../src/protocols/lldp/lldp-observe.js';
import { readFrames } from '../../../helpers/frames.js';
import { conformancePath, itShared } from '../../../helpers/conformance.js';


const isLldp = (f: FrameRecord) => f.payloadKind === 'ethertype' && f.ethertype === 0x88cc;
const isCdp = (f: FrameRecord) => f.payloadKind === 'llc' && f.llc?.snapOui === 0x00000c && f.llc.snapPid === 0x2000;

async function observe(file: string, frameNo = 1): Promise<Observation[]> {
  const frame = (await readFrames(conformancePath(file))).find((f) => f.frameNo === frameNo);
  if (frame === undefined) throw new Error(`${file}#${frameNo}: no frame`);
  if (isLldp(frame)) return observeLldp(decodeLldp(frame.payload).value, frame);
  if (isCdp(frame)) return observeCdp(decodeCdp(frame.payload).value, frame);
  throw new Error(`${file}#${frameNo}: neither LLDP nor CDP`);
}

/** field → values, in order. */
function fields(obs: Observation[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const o of obs) (out[o.field] ??= []).push(o.value);
  return out;
}

describe('observeLldp', () => {
  itShared('ProCurve LLDP-MED: every field, about the sender', async () => {
    const obs = await observe('lldp__lldpmed_civicloc.pcap');
    expect(fields(obs)).toEqual({
      'lldp.chassis_id': ['00:13:21:57:ca:40'],
      'lldp.chassis_id_subtype': ['mac_address'],
      'lldp.port_id': ['1'],
      'lldp.port_id_subtype': ['local'],
      'lldp.ttl': ['120'],
      'lldp.port_description': ['1'],
      'lldp.system_name': ['ProCurve Switch 2600-8-PWR'],
      'lldp.system_description': ['ProCurve J8762A Switch 2600-8-PWR, revision H.08.89, ROM H.08.5X (/sw/code/build/fish(ts_08_5))'],
      'lldp.capabilities': ['bridge,router'],
      'lldp.enabled_capabilities': ['bridge'],
      'lldp.management_address': ['15.255.122.148'],
      'ip.address': ['15.255.122.148'],
      'lldp.med.device_class': ['network-connectivity'],
      'lldp.med.capabilities': ['capabilities,network_policy,location,extended_power_pse'],
      'lldp.med.network_policy': ['voice:vlan=50,prio=6,dscp=46,tagged'],
      'lldp.med.location.civic': ['US, CA, Roseville, Foothills, 8000, R3L'],
      'lldp.med.location.country': ['US'],
      'lldp.med.location.civic.1': ['CA'],
      'lldp.med.location.civic.3': ['Roseville'],
      'lldp.med.location.civic.6': ['Foothills'],
      'lldp.med.location.civic.19': ['8000'],
      'lldp.med.location.civic.26': ['R3L'],
    });
    for (const o of obs) {
      expect(o).toMatchObject({ mac: '00:13:21:57:ca:7f', protocol: 'lldp', frame: 1 });
      expect(o.vlan).toBeUndefined();
    }
    expect(obs.find((o) => o.field === 'ip.address')?.ip).toBe('15.255.122.148');
  });

  itShared('3Com 4500G: LLDP-MED inventory, port VLAN, VLAN names', async () => {
    const f = fields(await observe('lldp__48.good.4500G.pcap'));
    expect(f).toMatchObject({
      'lldp.port_id': ['00:1e:c1:42:42:42'],
      'lldp.port_id_subtype': ['mac_address'],
      'lldp.port_vlan_id': ['1'],
      'lldp.vlan_name': ['1:IASDASD'],
      'lldp.med.hardware_revision': ['REV.B'],
      'lldp.med.firmware_revision': ['506'],
      'lldp.med.software_revision': ['5.02.00s168p20'],
      'lldp.med.serial_number': ['YEASDASDASD00'],
      'lldp.med.manufacturer': ['3Com'],
      'lldp.med.model': ['3CR17762-91'],
      'lldp.med.asset_id': ['Unknown'],
      'lldp.med.network_policy': ['app-0:vlan=0,prio=0,dscp=0,untagged,unknown'],
    });
  });

  itShared('shutdown (TTL 0) says so', async () => {
    const f = fields(await observe('lldp__50.good.shutdown.pcap'));
    expect(f['lldp.ttl']).toEqual(['0']);
    expect(f['lldp.shutdown']).toEqual(['true']);
    expect(fields(await observe('lldp__41.good.small.pcap'))['lldp.shutdown']).toBeUndefined();
  });

  itShared('IPv4 and IPv6 management addresses are ip.address; an 802 address is not', async () => {
    const mud = await observe('lldp_mudurl.pcap');
    expect(fields(mud)['ip.address']).toEqual(['62.12.173.114', '2001:8a8:1006:4:223:54ff:fec2:5702']);
    const big = fields(await observe('lldp__42.good.big.pcap'));
    expect(big['lldp.management_address']).toEqual(['000130f9ada0']);
    expect(big['ip.address']).toBeUndefined();
  });

  itShared('the outer VLAN of a tagged frame is on every observation', async () => {
    const frames = (await readFrames(conformancePath('lldp__45.good.vlan.pcap'))).filter(isLldp);
    const frame = frames[0];
    expect(frame?.vlanTags.length).toBeGreaterThan(0);
    if (frame === undefined) return;
    const obs = observeLldp(decodeLldp(frame.payload).value, frame);
    expect(obs.length).toBeGreaterThan(5);
    for (const o of obs) expect(o.vlan).toBe(frame.vlanTags[0]?.vid);
  });

  it('civicLine orders values by CAtype after the country and leaves out language and script', () => {
    expect(
      civicLine('US', [
        { caType: 28, value: 'Room 12' },
        { caType: 0, value: 'en' },
        { caType: 3, value: 'Santa Clara' },
        { caType: 1, value: 'CA' },
        { caType: 128, value: 'Latn' },
      ]),
    ).toBe('US, CA, Santa Clara, Room 12');
  });
});

describe('observeCdp', () => {
  itShared('Catalyst 3560: every field, about the sender', async () => {
    const obs = await observe('3560_CDP.pcap');
    expect(fields(obs)).toEqual({
      'cdp.version': ['2'],
      'cdp.device_id': ['Switch'],
      'cdp.platform': ['cisco WS-C3560G-24PS'],
      'cdp.software_version': [
        'Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M), Version 12.2(25)SEB4, RELEASE SOFTWARE (fc1)\n' +
          'Copyright (c) 1986-2005 by Cisco Systems, Inc.\nCompiled Tue 30-Aug-05 17:56 by yenanh',
      ],
      'cdp.port_id': ['GigabitEthernet0/5'],
      'cdp.capabilities': ['switch,igmp'],
      'cdp.address': ['192.168.0.1'],
      'cdp.management_address': ['192.168.0.1'],
      'cdp.native_vlan': ['1'],
      'cdp.vtp_domain': ['Lab'],
      'cdp.duplex': ['full'],
      'ip.address': ['192.168.0.1'],
    });
    for (const o of obs) expect(o).toMatchObject({ mac: '00:19:06:ea:b8:85', protocol: 'cdp', frame: 1 });
  });

  itShared('voice VLAN and power from a BCM1100', async () => {
    const f = fields(await observe('cdp__44.good.bcm.pcap'));
    expect(f['cdp.voice_vlan']).toEqual(['4095']);
    expect(f['cdp.power_mw']).toEqual(['6400']);
  });

  itShared('0.0.0.0 is an address but not ip.address; an empty VTP domain gives nothing', async () => {
    const f = fields(await observe('LLDP_and_CDP.pcap', 1));
    expect(f['cdp.address']).toEqual(['0.0.0.0']);
    expect(f['ip.address']).toBeUndefined();
    expect(f['cdp.vtp_domain']).toBeUndefined();
  });

  itShared('IPv6 addresses become ip.address too', async () => {
    const f = fields(await observe('cdp__46.good.2811.pcap'));
    expect(f['ip.address']).toEqual(['94.142.240.17', 'fe80::21a:6dff:fef5:d50', '2a02:898:0:30::50:1']);
  });
});
