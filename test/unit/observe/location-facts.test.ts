/**
 * \summary The typed location facts (src/observe/location-facts.ts) say what the string
 * observations of the same frame say: for every LLDP, CDP and DHCP frame of the lab fixtures and
 * the conformance captures, each typed field equals the observation the old location code read
 * (after the hygiene gate), so location reads the same facts without re-parsing strings.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeApplication } from '../../../src/decode/registry.js';
import type { Capability, LocationFact } from '../../../src/observe/location-facts.js';
import { hygieneProblem } from '../../../src/observe/hygiene.js';
import type { Observation } from '../../../src/observe/observation.js';
import { locationFactOf, observeApplication } from '../../../src/observe/observe-app.js';
import { CDP_CAPABILITY_NAMES } from '../../../src/protocols/cdp/cdp.js';
import { LLDP_CAPABILITY_NAMES } from '../../../src/protocols/lldp/lldp.js';
import { CONFORMANCE_SKIP, DHCP_CAPTURES, LLDP_CDP_CAPTURES, conformancePath } from '../../helpers/conformance.js';
import { ROOT } from '../../helpers/cli.js';
import { readFrames } from '../../helpers/frames.js';

const sink = { anomaly: () => undefined, decoded: () => undefined };

/** The protocol's capability names, typed (the tables of lldp-location.ts and cdp-location.ts, checked here by name). */
const LLDP_TYPED: Record<string, Capability> = {
  other: 'other', repeater: 'repeater', bridge: 'bridge', wlan_access_point: 'accessPoint', router: 'router', telephone: 'telephone',
  docsis_cable_device: 'docsis', station: 'station', c_vlan: 'cVlan', s_vlan: 'sVlan', two_port_mac_relay: 'twoPortMacRelay',
};
const CDP_TYPED: Record<string, Capability> = {
  router: 'router', transparent_bridge: 'transparentBridge', source_route_bridge: 'sourceRouteBridge', switch: 'switch', host: 'host',
  igmp: 'igmp', repeater: 'repeater', phone: 'telephone', remotely_managed: 'remotelyManaged', cvta: 'cvta', two_port_mac_relay: 'twoPortMacRelay',
};

/** The observations of one frame as location saw them: past the hygiene gate. */
function gated(obs: readonly Observation[]): Observation[] {
  return obs.filter((o) => hygieneProblem(o) === undefined);
}

function checkAgreement(fact: LocationFact | undefined, obs: Observation[], protocol: string): number {
  const value = (field: string) => obs.find((o) => o.field === field)?.value;
  const all = (field: string) => obs.filter((o) => o.field === field).map((o) => o.value);
  if (protocol === 'dhcp') {
    const relay = obs.filter((o) => o.field.startsWith('dhcp.relay.'));
    const located = value('dhcp.relay.circuit_id') !== undefined || value('dhcp.relay.circuit_port') !== undefined;
    if (!located || relay.length === 0) {
      if (fact !== undefined && relay.length > 0) expect(fact).toBeUndefined();
      return 0;
    }
    expect(fact?.protocol).toBe('dhcp');
    if (fact?.protocol !== 'dhcp') return 0;
    expect(fact.clientMac).toBe(relay[0]?.mac);
    expect(fact.circuitId).toBe(value('dhcp.relay.circuit_id'));
    expect(fact.remoteId).toBe(value('dhcp.relay.remote_id'));
    expect(fact.agentIp).toBe(value('dhcp.relay.agent_ip'));
    expect(fact.sourceMac).toBe(value('dhcp.relay.source_mac'));
    expect(fact.sourceIp).toBe(value('dhcp.relay.source_ip'));
    expect(fact.ciscoPort?.port).toBe(value('dhcp.relay.circuit_port') === undefined ? undefined : Number(value('dhcp.relay.circuit_port')));
    expect(fact.heard).toMatchObject({ ts: relay[0]?.ts, frame: relay[0]?.frame, mac: relay[0]?.mac, vlan: relay[0]?.vlan });
    return 1;
  }
  const own = obs.filter((o) => o.protocol === protocol && o.field !== 'ip.address');
  // No sender MAC (CDP over Cisco HDLC): location never learnt from it.
  if (own.length === 0 || own[0]?.mac === undefined) return 0;
  expect(fact?.protocol).toBe(protocol);
  if (fact === undefined || fact.protocol === 'dhcp') return 0;
  expect(fact.senderMac).toBe(own[0]?.mac);
  const capabilities = protocol === 'lldp' ? value('lldp.enabled_capabilities') : value('cdp.capabilities');
  const typed = protocol === 'lldp' ? LLDP_TYPED : CDP_TYPED;
  const expected = (capabilities ?? '').split(',').flatMap((n) => (typed[n] !== undefined ? [typed[n]] : []));
  expect([...fact.capabilities].sort()).toEqual(expected.sort());
  if (protocol === 'lldp') {
    expect(fact.chassisId).toBe(value('lldp.chassis_id'));
    expect(fact.systemName).toBe(value('lldp.system_name'));
    expect(fact.civic).toBe(value('lldp.med.location.civic'));
    expect(fact.managementAddresses).toEqual(all('lldp.management_address'));
    expect(fact.port?.id).toBe(value('lldp.port_id'));
    if (fact.port !== undefined) {
      expect(fact.port.description).toBe(value('lldp.port_description'));
      expect(fact.port.vlan).toBe(value('lldp.port_vlan_id') === undefined ? undefined : Number(value('lldp.port_vlan_id')));
    }
  } else {
    expect(fact.deviceId).toBe(value('cdp.device_id'));
    expect(fact.systemName).toBe(value('cdp.system_name'));
    expect(fact.managementAddresses).toEqual([...all('cdp.management_address'), ...all('cdp.address')]);
    expect(fact.port?.id).toBe(value('cdp.port_id'));
    if (fact.port !== undefined) {
      expect(fact.port.civic).toBe(value('cdp.location'));
      expect(fact.port.vlan).toBe(value('cdp.native_vlan') === undefined ? undefined : Number(value('cdp.native_vlan')));
    }
  }
  return 1;
}

async function agreementOver(path: string): Promise<number> {
  let checked = 0;
  for (const frame of await readFrames(path)) {
    const app = decodeApplication(frame, sink);
    if (app === undefined || (app.protocol !== 'lldp' && app.protocol !== 'cdp' && app.protocol !== 'dhcp')) continue;
    checked += checkAgreement(locationFactOf(app, frame), gated(observeApplication(app, frame)), app.protocol);
  }
  return checked;
}

describe('typed location facts agree with the observations', () => {
  it('the capability tables name every LLDP and CDP capability bit', () => {
    expect(Object.keys(LLDP_TYPED)).toEqual([...LLDP_CAPABILITY_NAMES]);
    expect(Object.keys(CDP_TYPED)).toEqual([...CDP_CAPABILITY_NAMES]);
  });

  it('on the lab fixtures (LLDP switches and endpoints, option 82 relays)', async () => {
    let checked = 0;
    for (const dir of ['lldp', 'dhcp']) {
      for (const name of readdirSync(`${ROOT}fixtures/${dir}`).filter((n) => n.endsWith('.pcapng'))) {
        checked += await agreementOver(`${ROOT}fixtures/${dir}/${name}`);
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it.skipIf(CONFORMANCE_SKIP !== null)('on the LLDP/CDP and DHCP conformance captures', async () => {
    let checked = 0;
    for (const name of [...LLDP_CDP_CAPTURES, ...DHCP_CAPTURES]) checked += await agreementOver(conformancePath(name));
    expect(checked).toBeGreaterThan(20);
  });
});
