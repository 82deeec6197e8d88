import { describe, expect, it } from 'vitest';
import { Counters } from '../../../src/counters.js';
import { LOCATION_LIMITS } from '../../../src/identify/location.js';
import { RelayResolver, type DerivedCandidates } from '../../../src/identify/relay-resolver.js';
import { SwitchTable } from '../../../src/identify/switch-table.js';
import type { Capability, RelayFact, SwitchAdvertisement } from '../../../src/observe/location-facts.js';

const heard = (mac: string, frame = 1) => ({ ts: frame, frame, mac, ip: undefined, vlan: undefined });
const sw = (port: string, extra: Partial<SwitchAdvertisement> = {}): SwitchAdvertisement => ({
  protocol: 'lldp', senderMac: '00:1b:8f:5a:01:01', heard: heard('00:1b:8f:5a:01:01'), chassisId: '00:1b:8f:5a:01:00',
  chassisMac: '00:1b:8f:5a:01:00', systemName: 'ICU-SW01', capabilities: new Set<Capability>(['bridge']), managementAddresses: ['10.0.0.2'],
  port: { id: port, vlan: 20, civic: 'US, MA, Room 12' }, ...extra,
});
const fact = (client: string, extra: Partial<RelayFact> = {}): RelayFact => ({ protocol: 'dhcp', clientMac: client, heard: heard(client), ...extra });
const fields = (derived: DerivedCandidates[]) => Object.fromEntries(derived.flatMap((d) => d.candidates.map((c) => [c.field, c.value])));

function setup(maxPending = 100, counters?: Counters) {
  const table = new SwitchTable(LOCATION_LIMITS, counters);
  const relays = new RelayResolver(table, maxPending, (ip) => (ip.startsWith('10.20.') ? { vlan: 120, source: 'config.subnet_vlans', confidence: 0.4 } : undefined), counters);
  /** What the pipeline does with an advertisement: learn, and re-resolve if the switch changed. */
  const hear = (adv: SwitchAdvertisement) => {
    const derived: DerivedCandidates[] = [];
    const changed = table.learn(adv);
    if (changed) relays.reresolve(changed, derived);
    return derived;
  };
  const relay = (f: RelayFact) => {
    const derived: DerivedCandidates[] = [];
    relays.observe(f, derived);
    return derived;
  };
  return { table, relays, hear, relay };
}

describe('RelayResolver, fed by typed relay facts', () => {
  it('a relay fact heard before its switch resolves when the switch speaks', () => {
    const { hear, relay } = setup();
    const early = relay(fact('00:09:fb:00:00:01', { circuitId: 'Gi1/0/3', sourceIp: '10.0.0.2', agentIp: '10.20.3.1' }));
    expect(fields(early)).toEqual({ circuit_id: 'Gi1/0/3', port: 'Gi1/0/3', vlan: '120' });
    const later = hear(sw('GigabitEthernet1/0/3'));
    expect(later.map((d) => d.observation.mac)).toEqual(['00:09:fb:00:00:01']);
    expect(fields(later)).toEqual({ switch: 'ICU-SW01', port: 'GigabitEthernet1/0/3', location: 'US, MA, Room 12', vlan: '20' });
    // The evidence is the client at the frame its relay fact was heard in.
    expect(later[0]?.observation).toMatchObject({ mac: '00:09:fb:00:00:01', frame: 1, protocol: 'dhcp' });
    // Heard again, nothing new: nothing derived again.
    expect(hear(sw('GigabitEthernet1/0/3'))).toEqual([]);
  });

  it('a reply echoing option 82 without the relay addresses keeps the relay the request named', () => {
    const { hear, relay } = setup();
    hear(sw('gi1-0-3'));
    relay(fact('00:09:fb:00:00:02', { circuitId: 'gi1-0-9', sourceMac: '00:1b:8f:5a:0f:ff', sourceIp: '10.0.0.2', agentIp: '10.20.3.1' }));
    const reply = relay(fact('00:09:fb:00:00:02', { circuitId: 'gi1-0-3', agentIp: '10.20.3.1' }));
    expect(fields(reply)).toMatchObject({ switch: 'ICU-SW01', port: 'gi1-0-3' });
  });

  it('matches a Cisco binary circuit-id by module and port, and only one port', () => {
    const { hear, relay } = setup();
    hear(sw('Gi1/0/7'));
    hear(sw('Gi1/0/17'));
    expect(fields(relay(fact('00:09:fb:00:00:03', { sourceIp: '10.0.0.2', ciscoPort: { vlan: 20, module: 1, port: 7 } })))['port']).toBe('Gi1/0/7');
    expect(fields(relay(fact('00:09:fb:00:00:04', { sourceIp: '10.0.0.2', ciscoPort: { vlan: 20, module: 2, port: 7 } })))['port']).toBeUndefined();
  });

  it('caps pending clients and counts what it forgets (limit lowered to 2)', () => {
    const counters = new Counters();
    const { hear, relay } = setup(2, counters);
    for (let i = 1; i <= 5; i++) relay(fact(`00:09:fb:00:00:0${i}`, { circuitId: 'gi1-0-3', sourceIp: '10.0.0.2' }));
    expect(counters.get('location.relay_clients_evicted')).toBe(3);
    expect(hear(sw('gi1-0-3')).map((d) => d.observation.mac)).toEqual(['00:09:fb:00:00:04', '00:09:fb:00:00:05']);
  });
});
