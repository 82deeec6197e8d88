/**
 * Network operating system descriptions (issue 15): the rules give model and firmware, and beat
 * the vendor-string splitter, which without them made the model "IOS Software [Gibraltar], ..."
 * of a Cisco IOS-XE switch (a Cisco OUI makes the splitter know the vendor).
 */
import { describe, expect, it } from 'vitest';
import type { FieldCandidate } from '../../../src/identify/field-candidate.js';
import { createIdentifier } from '../../../src/identify/rules-identifier.js';
import type { Observation } from '../../../src/observe/observation.js';

const CISCO_MAC = '00:1b:d5:ff:54:d9'; // a Cisco OUI

function best(candidates: FieldCandidate[], field: string): FieldCandidate | undefined {
  return candidates.filter((c) => c.field === field).sort((a, b) => b.confidence - a.confidence)[0];
}

function identify(field: string, value: string, mac = CISCO_MAC): FieldCandidate[] {
  const id = createIdentifier();
  const o = (f: string, v: string): Observation => ({ ts: 1, frame: 1, protocol: f.split('.')[0] ?? '', field: f, value: v, mac, ip: undefined, vlan: undefined });
  id.candidates(o('eth.seen', '1'));
  return id.candidates(o(field, value));
}

describe('NOS system descriptions', () => {
  it('Cisco IOS-XE: model and firmware from the rule, not the splitter', () => {
    const c = identify('lldp.system_description', 'Cisco IOS Software [Gibraltar], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 16.12.1, RELEASE SOFTWARE (fc4)\nTechnical Support: http://www.cisco.com/techsupport');
    expect(best(c, 'model')?.value).toBe('Catalyst 9000 series');
    expect(best(c, 'firmware')?.value).toBe('IOS-XE 16.12.1');
    // The splitter's reading stays a weaker candidate (src/identify, not this rule's to remove).
    for (const x of c.filter((y) => y.field === 'model' && y.value.startsWith('IOS Software'))) expect(x.confidence).toBeLessThan(0.9);
  });

  it.each([
    ['Juniper Networks, Inc. ex4300-48p Ethernet Switch, kernel JUNOS 18.4R2-S3.2, Build date: 2020-01-14 23:21:45 UTC', 'ex4300-48p', 'Junos 18.4R2-S3.2'],
    ['Aruba JL258A 2930F-8G-PoE+-2SFP+ Switch, revision WC.16.10.0009, ROM WC.16.01.0008 (/ws/swbuildm)', '2930F-8G-PoE+-2SFP+ (JL258A)', 'WC.16.10.0009'],
    ['MikroTik RouterOS 6.45.9 (long-term) CRS326-24G-2S+', 'CRS326-24G-2S+', 'RouterOS 6.45.9'],
    ['EdgeSwitch 24-Port 250W, 1.9.3.5317584, Linux 3.6.5-f4a26ed5', 'EdgeSwitch 24-Port 250W', '1.9.3.5317584'],
    ['Dell Networking N1548P, 6.3.3.10, Linux 3.6.5-e8f1e1d6', 'N1548P', '6.3.3.10'],
    ['ExtremeXOS (X440G2-48p-10G4) version 22.5.1.7 22.5.1.7-patch1-3 by release-manager', 'X440G2-48p-10G4', 'EXOS 22.5.1.7'],
  ])('%s', (text, model, firmware) => {
    const c = identify('lldp.system_description', text, '02:00:00:00:00:01');
    expect(best(c, 'model')?.value).toBe(model);
    expect(best(c, 'firmware')?.value).toBe(firmware);
  });
});
