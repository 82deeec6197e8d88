import { describe, expect, it } from 'vitest';
import { Counters } from '../../../src/counters.js';
import { DeviceModel, MODEL_LIMITS, type DeviceState } from '../../../src/device/device-model.js';
import type { FieldCandidate } from '../../../src/identify/field-candidate.js';
import type { Observation } from '../../../src/observe/observation.js';

const mac = '00:09:fb:00:00:01';
const at = (ts: number, frame = ts): Observation => ({ ts, frame, protocol: 'x', field: 'x.y', value: '', mac });
const cand = (value: string, source: string, confidence: number): FieldCandidate => ({ field: 'firmware', value, source, confidence });

describe('DeviceModel merge', () => {
  it('a more confident source replaces a less confident one; a less confident one does not', () => {
    const m = new DeviceModel(new Counters());
    m.apply(at(1), [cand('1.0', 'generic', 0.5)]);
    m.apply(at(2), [cand('2.0', 'lldp.med.firmware_revision', 0.95)]);
    m.apply(at(3), [cand('3.0', 'generic', 0.5)]);
    const d = m.devices.get('mac-0009fb000001')!;
    expect(d.chosen.find((c) => c.field === 'firmware')?.value).toBe('2.0');
    // 0.5 was a tentative value: its refinement is not a change of the device (no history row).
    expect(m.pendingHistory).toEqual([]);
    // every candidate is kept as evidence
    expect([...d.candidates.values()].map((c) => c.value)).toEqual(['1.0', '2.0', '3.0']);
  });

  it('the same source reporting a new value later is a change (firmware upgrade) with a history row', () => {
    const m = new DeviceModel(new Counters());
    m.apply(at(10), [cand('N.00.01', 'lldp.med.firmware_revision', 0.95)]);
    m.apply(at(20), [cand('N.00.02', 'lldp.med.firmware_revision', 0.95)]);
    expect(m.devices.get('mac-0009fb000001')!.chosen.find((c) => c.field === 'firmware')?.value).toBe('N.00.02');
    expect(m.pendingHistory).toMatchObject([{ field: 'firmware', oldValue: 'N.00.01', newValue: 'N.00.02', ts: 20 }]);
  });

  it('an equally confident but different source does not flip the value', () => {
    const m = new DeviceModel(new Counters());
    m.apply(at(1), [{ field: 'hostname', value: 'SW1', source: 'lldp.system_name', confidence: 0.6 }]);
    m.apply(at(2), [{ field: 'hostname', value: 'sw1.example', source: 'cdp.device_id', confidence: 0.6 }]);
    expect(m.devices.get('mac-0009fb000001')!.chosen.find((c) => c.field === 'hostname')?.value).toBe('SW1');
    expect(m.pendingHistory).toEqual([]);
  });

  it('a known value is never replaced by nothing: observations without candidates leave fields alone', () => {
    const m = new DeviceModel(new Counters());
    m.apply(at(1), [cand('1.0', 'lldp.med.firmware_revision', 0.95)]);
    m.apply(at(2), []);
    expect(m.devices.get('mac-0009fb000001')!.chosen.find((c) => c.field === 'firmware')?.value).toBe('1.0');
  });

  it('caps distinct values per field and counts the drops (limit lowered to 3)', () => {
    const counters = new Counters();
    const m = new DeviceModel(counters, { ...MODEL_LIMITS, maxValuesPerField: 3 });
    for (let i = 0; i < 10; i++) m.apply(at(i), [{ field: 'hostname', value: `h${i}`, source: 'dhcp.hostname', confidence: 0.8 }]);
    expect(m.devices.get('mac-0009fb000001')!.candidates.length).toBe(3);
    expect(counters.get('inventory.values_dropped')).toBe(7);
  });

  it('caps devices in memory and counts the drops (limit lowered to 2): a MAC flood costs a counter', () => {
    const counters = new Counters();
    const m = new DeviceModel(counters, { ...MODEL_LIMITS, maxDevices: 2 });
    for (let i = 1; i <= 5; i++) m.apply({ ...at(i), mac: `02:00:00:00:00:0${i}` }, [{ field: 'hostname', value: `h${i}`, source: 'dhcp.hostname', confidence: 0.8 }]);
    expect([...m.devices.keys()]).toEqual(['mac-020000000001', 'mac-020000000002']);
    expect(counters.get('inventory.devices_dropped')).toBe(3);
    // Known devices still take new facts.
    m.apply({ ...at(9), mac: '02:00:00:00:00:01' }, [{ field: 'hostname', value: 'again', source: 'dhcp.hostname', confidence: 0.8 }]);
    expect(m.devices.get('mac-020000000001')!.chosen.find((c) => c.field === 'hostname')?.value).toBe('again');
  });

  it('after a MAC becomes an alias, its next facts go to the chassis device, not the merged-away one', () => {
    const m = new DeviceModel(new Counters());
    const port = '02:00:00:00:aa:01';
    const chassis = '02:00:00:00:aa:00';
    const host = (value: string): FieldCandidate[] => [{ field: 'hostname', value, source: 'lldp.system_name', confidence: 0.9 }];
    // The port MAC is the last sender the model saw when the alias is made.
    m.apply({ ...at(1), mac: port }, host('sw-1'));
    m.alias(port, chassis, { ...at(2), mac: port });
    m.apply({ ...at(3), mac: port }, host('sw-1-renamed'));
    expect([...m.devices.keys()]).toEqual(['mac-02000000aa00']);
    expect(m.devices.get('mac-02000000aa00')!.chosen.find((c) => c.field === 'hostname')?.value).toBe('sw-1-renamed');
  });

  it('a port MAC of a chassis that is merged into another device follows the chain: the merged-away chassis never comes back', () => {
    const m = new DeviceModel(new Counters());
    const port = '02:00:00:00:aa:01';
    const first = '02:00:00:00:aa:00';
    const second = '02:00:00:00:bb:00';
    const host = (value: string): FieldCandidate[] => [{ field: 'hostname', value, source: 'lldp.system_name', confidence: 0.9 }];
    m.apply({ ...at(1), mac: first }, host('sw-1'));
    m.alias(port, first, { ...at(2), mac: port });
    m.alias(first, second, { ...at(3), mac: first }); // the first chassis turns out to be a MAC of the second
    m.apply({ ...at(4), mac: port }, host('sw-1-renamed'));
    expect([...m.devices.keys()]).toEqual(['mac-02000000bb00']);
    expect(m.devices.get('mac-02000000bb00')!.chosen.find((c) => c.field === 'hostname')?.value).toBe('sw-1-renamed');
    // An alias made through the chain lands on its end too.
    m.alias('02:00:00:00:aa:02', first, { ...at(5), mac: '02:00:00:00:aa:02' });
    expect(m.pendingAliases.at(-1)).toMatchObject({ mac: '02:00:00:00:aa:02', into: 'mac-02000000bb00' });
  });

  it('an alias made for a MAC whose device was dropped (device cap) sends its next facts to the chassis', () => {
    const m = new DeviceModel(new Counters(), { ...MODEL_LIMITS, maxDevices: 1 });
    const port = '02:00:00:00:aa:01';
    const chassis = '02:00:00:00:aa:00';
    m.apply({ ...at(1), mac: chassis }, []);
    m.apply({ ...at(2), mac: port }, []); // over the cap: no device, and the model remembers that
    m.alias(port, chassis, { ...at(3), mac: port });
    m.apply({ ...at(4), mac: port }, [{ field: 'hostname', value: 'sw-1', source: 'lldp.system_name', confidence: 0.9 }]);
    expect(m.devices.get('mac-02000000aa00')!.chosen.find((c) => c.field === 'hostname')?.value).toBe('sw-1');
  });

  it('caps addresses per device and counts the drops (limit lowered to 2)', () => {
    const counters = new Counters();
    const m = new DeviceModel(counters, { ...MODEL_LIMITS, maxAddressesPerDevice: 2 });
    for (let i = 1; i <= 5; i++) m.apply({ ...at(i), protocol: 'arp', field: 'ip.address', value: `10.0.0.${i}` }, []);
    expect(m.devices.get('mac-0009fb000001')!.addresses.length).toBe(2);
    expect(counters.get('inventory.addresses_dropped')).toBe(3);
  });

  it('ip.unbind withdraws only weak (plain IP) bindings', () => {
    const m = new DeviceModel(new Counters());
    m.apply({ ...at(1), protocol: 'ip', field: 'ip.address', value: '10.0.0.1' }, []);
    m.apply({ ...at(2), protocol: 'arp', field: 'ip.address', value: '10.0.0.2' }, []);
    m.apply({ ...at(3), protocol: 'ip', field: 'ip.unbind', value: '10.0.0.1' }, []);
    m.apply({ ...at(4), protocol: 'ip', field: 'ip.unbind', value: '10.0.0.2' }, []);
    expect(m.devices.get('mac-0009fb000001')!.addresses.map((a) => a.ip)).toEqual(['10.0.0.2']);
  });
});

describe('DeviceModel history', () => {
  it('refining an OUI guess is not a change; replacing a firm value is', () => {
    const m = new DeviceModel(new Counters());
    m.apply(at(1), [{ field: 'manufacturer', value: 'Philips Patient Monitoring', source: 'oui', confidence: 0.3 }]);
    m.apply(at(2), [{ field: 'manufacturer', value: 'Philips Medical Systems', source: 'lldp.med.manufacturer', confidence: 0.95 }]);
    expect(m.pendingHistory).toEqual([]);
    m.apply(at(3), [{ field: 'hostname', value: 'A', source: 'lldp.system_name', confidence: 0.6 }]);
    m.apply(at(4), [{ field: 'hostname', value: 'B', source: 'dhcp.hostname', confidence: 0.8 }]);
    expect(m.pendingHistory).toEqual([]);
    m.apply(at(5), [{ field: 'hostname', value: 'C', source: 'dhcp.fqdn', confidence: 0.85 }]);
    expect(m.pendingHistory).toMatchObject([{ field: 'hostname', oldValue: 'B', newValue: 'C' }]);
  });
});

describe('DeviceModel classification does not flip-flop', () => {
  const type = (value: string, source: string, confidence: number): FieldCandidate => ({ field: 'device_type', value, source, confidence });

  it('a competing device type replaces the known one only after it persisted (3 observations by default)', () => {
    const counters = new Counters();
    const m = new DeviceModel(counters);
    m.apply(at(1), [type('infusion_pump', 'rule-a', 0.8)]);
    m.apply(at(2), [type('patient_monitor', 'rule-b', 0.85)]);
    m.apply(at(3), [type('patient_monitor', 'rule-b', 0.85)]);
    expect(m.devices.get('mac-0009fb000001')!.chosen.find((c) => c.field === 'device_type')?.value).toBe('infusion_pump');
    expect(counters.get('inventory.classification_held')).toBe(2);
    m.apply(at(4), [type('patient_monitor', 'rule-b', 0.85)]);
    expect(m.devices.get('mac-0009fb000001')!.chosen.find((c) => c.field === 'device_type')?.value).toBe('patient_monitor');
    expect(m.pendingHistory).toMatchObject([{ field: 'device_type', oldValue: 'infusion_pump', newValue: 'patient_monitor' }]);
  });

  it('clearly stronger evidence (self-reported) replaces at once; the persistence knob is configurable (lowered to 1)', () => {
    const m = new DeviceModel(new Counters());
    m.apply(at(1), [type('infusion_pump', 'rule-a', 0.5)]);
    m.apply(at(2), [type('patient_monitor', 'lldp.med', 0.95)]);
    expect(m.devices.get('mac-0009fb000001')!.chosen.find((c) => c.field === 'device_type')?.value).toBe('patient_monitor');
    const quick = new DeviceModel(new Counters(), { ...MODEL_LIMITS, classificationPersistCount: 1 });
    quick.apply(at(1), [type('infusion_pump', 'rule-a', 0.8)]);
    quick.apply(at(2), [type('patient_monitor', 'rule-b', 0.85)]);
    expect(quick.devices.get('mac-0009fb000001')!.chosen.find((c) => c.field === 'device_type')?.value).toBe('patient_monitor');
  });

  it('a repeated fact from another of the device\'s MACs is identified for that MAC: a switch\'s frames count its OUI whichever MAC sent first', () => {
    const m = new DeviceModel(new Counters());
    const chassis = '00:1b:8f:5a:01:00';
    const local = '02:a5:00:00:00:02'; // a locally administered MAC: no OUI
    const oui = (o: Observation): FieldCandidate[] => (o.mac === chassis ? [{ field: 'manufacturer', value: 'Cisco', source: 'oui', confidence: 0.3 }] : []);
    const seen = (ts: number, mac: string): Observation => ({ ts, frame: ts, protocol: 'eth', field: 'eth.seen', value: '', mac });
    m.applyObservation(seen(1, chassis), oui);
    m.alias(local, chassis, seen(2, local));
    // The merge forgot the memo; the local MAC's frame is the first repeat after it.
    m.applyObservation(seen(3, local), oui);
    for (let t = 4; t <= 6; t++) m.applyObservation(seen(t, chassis), oui);
    const switchDevice = m.devices.get('mac-001b8f5a0100')!;
    expect(switchDevice.candidates.find((c) => c.source === 'oui')?.count).toBe(4);
    expect(switchDevice.frames).toBe(5); // the alias itself is no frame
  });

  it('memoised repeats still promote a persisting classification', () => {
    const m = new DeviceModel(new Counters());
    const identify = (o: Observation) => [type(o.value, 'rule', o.value === 'pump' ? 0.8 : 0.85)];
    m.applyObservation({ ...at(1), value: 'pump' }, identify);
    for (let t = 2; t <= 5; t++) m.applyObservation({ ...at(t), value: 'monitor' }, identify);
    expect(m.devices.get('mac-0009fb000001')!.chosen.find((c) => c.field === 'device_type')?.value).toBe('monitor');
  });

  it('a repeated plain-IP address fact skips the identifier until the device gains a candidate, then asks again', () => {
    const m = new DeviceModel(new Counters());
    const asked: string[] = [];
    let answer: FieldCandidate[] = [];
    const identify = (o: Observation) => {
      asked.push(`${o.field}=${o.value}`);
      return o.field === 'ip.address' ? answer : [cand('9.9', 'x.fw', 0.9)];
    };
    const ipFact = (ts: number, value: string): Observation => ({ ...at(ts), protocol: 'ip', field: 'ip.address', value });
    for (let t = 1; t <= 3; t++) m.applyObservation(ipFact(t, '10.0.0.1'), identify);
    m.applyObservation(ipFact(4, '10.0.0.2'), identify);
    m.applyObservation(ipFact(5, '10.0.0.1'), identify);
    expect(asked).toEqual(['ip.address=10.0.0.1', 'ip.address=10.0.0.2']);
    const d = m.devices.get('mac-0009fb000001')!;
    expect(d.addresses.find((a) => a.ip === '10.0.0.1')?.lastSeen).toBe(5);
    // A new candidate clears the memo and the shortcut with it: the next address fact is asked
    // again, and what the identifier now says is merged.
    m.applyObservation({ ...at(6), value: 'fw' }, identify);
    answer = [{ field: 'hostname', value: 'pump-7', source: 'ip.rule', confidence: 0.6 }];
    m.applyObservation(ipFact(7, '10.0.0.1'), identify);
    expect(asked.slice(2)).toEqual(['x.y=fw', 'ip.address=10.0.0.1']);
    expect(d.chosen.find((c) => c.field === 'hostname')?.value).toBe('pump-7');
  });
});

describe('DeviceModel resident set', () => {
  const macOf = (i: number) => `00:09:fb:00:01:${i.toString(16).padStart(2, '0')}`;
  const seen = (i: number, ts: number): Observation => ({ ts, frame: ts, protocol: 'x', field: 'x.y', value: '', mac: macOf(i) });
  const clean = (m: DeviceModel) => {
    for (const d of m.devices.values()) {
      d.dirty = d.touched = false;
      for (const c of d.chosen) c.dirty = false;
    }
  };

  it('past the cap after a flood of new devices, the least recently seen are the candidates, down to a quarter of the cap', () => {
    const counters = new Counters();
    const m = new DeviceModel(counters, { ...MODEL_LIMITS, maxResidentDevices: 8 });
    for (let i = 0; i < 8; i++) m.apply(seen(i, 100 - i), []); // device 7 is the oldest
    expect(m.overResidentCap).toBe(false);
    expect(m.evictionCandidates()).toEqual([]);
    m.apply(seen(8, 200), []);
    expect(m.overResidentCap).toBe(true);
    // Nine devices created, none read back: down to floor(8 * 0.25) = 2, the two heard last.
    expect(m.evictionCandidates().map((d) => d.mac)).toEqual([7, 6, 5, 4, 3, 2, 1].map(macOf));
    expect(counters.get('inventory.deep_evictions')).toBe(1);
  });

  it('past the cap when more devices were read back than created since the last eviction, down to three quarters of the cap', () => {
    const counters = new Counters();
    const m = new DeviceModel(counters, { ...MODEL_LIMITS, maxResidentDevices: 8 });
    const stored = new Map<string, DeviceState>();
    m.attach({ loadDevice: (id) => stored.get(id), mayHold: (id) => stored.has(id), deviceCount: () => stored.size, loadAliases: () => new Map() });
    for (let i = 0; i < 9; i++) m.apply(seen(i, 10 + i), []); // device 0 is the oldest
    clean(m);
    const flood = m.evictionCandidates();
    expect(flood.map((d) => d.mac)).toEqual([0, 1, 2, 3, 4, 5, 6].map(macOf));
    for (const d of flood) stored.set(d.id, d);
    expect(m.evict(flood)).toBe(7);
    // The seven heard again, read back, and one device new: ten resident, 7 read back and 1 created.
    for (let i = 0; i < 7; i++) m.apply(seen(i, 100 + i), []);
    m.apply(seen(9, 200), []);
    expect(counters.get('inventory.devices_reloaded')).toBe(7);
    expect(m.overResidentCap).toBe(true);
    expect(m.evictionCandidates().map((d) => d.mac)).toEqual([7, 8, 0, 1].map(macOf)); // down to 6
    expect(counters.get('inventory.deep_evictions')).toBe(1);
  });

  it('evicts only devices with nothing left to write, and counts them', () => {
    const counters = new Counters();
    const m = new DeviceModel(counters, { ...MODEL_LIMITS, maxResidentDevices: 2 });
    for (let i = 0; i < 3; i++) m.apply(seen(i, 10 + i), []);
    const leaving = m.evictionCandidates();
    expect(leaving).toHaveLength(3); // three new devices over a cap of 2: down to floor(0.5) = 0
    expect(m.evict(leaving)).toBe(0); // all new: not yet written
    clean(m);
    const first = leaving[0]!;
    first.touched = true; // seen again since the write
    expect(m.evict(leaving)).toBe(2);
    expect(m.devices.has(first.id)).toBe(true);
    expect(counters.get('inventory.devices_evicted')).toBe(2);
  });

  it('a device heard again after eviction is read back from the backing store, not created anew', () => {
    const counters = new Counters();
    const m = new DeviceModel(counters, { ...MODEL_LIMITS, maxResidentDevices: 1, maxDevices: 3 });
    const stored = new Map<string, DeviceState>();
    m.attach({ loadDevice: (id) => stored.get(id), mayHold: (id) => stored.has(id), deviceCount: () => stored.size, loadAliases: () => new Map() });
    m.apply(seen(0, 1), [cand('1.0', 'x.fw', 0.9)]);
    m.apply(seen(1, 2), []);
    clean(m);
    const leaving = m.evictionCandidates();
    for (const d of leaving) stored.set(d.id, d);
    expect(m.evict(leaving)).toBe(2); // two new devices over a cap of 1: down to floor(0.25) = 0
    expect(m.devices.has('mac-0009fb000100')).toBe(false);
    m.apply(seen(0, 3), []);
    expect(counters.get('inventory.devices_reloaded')).toBe(1);
    expect(counters.get('inventory.devices_created')).toBe(2);
    expect(m.devices.get('mac-0009fb000100')?.chosen.find((c) => c.field === 'firmware')?.value).toBe('1.0');
    // max_devices counts stored devices too: two known, one more fits, the fourth is dropped.
    expect(m.knownDevices).toBe(2);
    m.apply(seen(2, 4), []);
    m.apply(seen(3, 5), []);
    expect(m.knownDevices).toBe(3);
    expect(counters.get('inventory.devices_dropped')).toBe(1);
  });
});


describe('DeviceModel: routers and merges (issue 13)', () => {
  const router = '00:00:0c:00:00:fe';
  const fact = (ts: number, protocol: string, field: string, value: string, ip?: string): Observation => ({ ts, frame: ts, protocol, field, value, mac: router, ip });

  it("a recognised router keeps its own address; a host behind it gets the HL7/DICOM identity, keyed by IP", () => {
    const counters = new Counters();
    const m = new DeviceModel(counters);
    m.applyObservation(fact(1, 'cdp', 'ip.address', '10.0.0.1'), () => []);
    m.applyObservation(fact(2, 'ip', 'ip.router', 'true'), () => []);
    m.apply(fact(3, 'hl7', 'hl7.sending_application', 'LAB^ACME', '10.9.9.9'), [{ field: 'hl7_sending_application', value: 'LAB^ACME', source: 'hl7.sending_application', confidence: 1 }]);
    m.apply(fact(4, 'hl7', 'hl7.sending_application', 'RTR', '10.0.0.1'), [{ field: 'hl7_sending_application', value: 'RTR', source: 'hl7.sending_application', confidence: 1 }]);
    const r = m.devices.get('mac-00000c0000fe')!;
    expect(r.chosen.find((c) => c.field === 'hl7_sending_application')?.value).toBe('RTR');
    const host = m.devices.get('ip-10.9.9.9')!;
    expect(host.locallyAttached).toBe(false);
    expect(host.chosen.find((c) => c.field === 'hl7_sending_application')?.value).toBe('LAB^ACME');
    expect(counters.get('inventory.facts_behind_router')).toBe(1);
  });

  it('a merge goes through the same choice as new evidence: a port MAC merged in adds no history of its own', () => {
    const counters = new Counters();
    const m = new DeviceModel(counters);
    const port = '00:1b:8f:5a:01:03';
    const o = (ts: number, m2: string, field: string, value: string, protocol = 'cdp'): Observation => ({ ts, frame: ts, protocol, field, value, mac: m2 });
    m.applyObservation(o(1, '00:1b:8f:5a:01:00', 'ip.address', '10.0.0.2'), () => []);
    m.applyObservation(o(2, port, 'ip.address', '10.0.0.2'), () => []);
    m.apply(o(2, port, 'cdp.software_version', 'x'), [cand('15.2', 'cdp.software_version', 0.6)]);
    m.alias(port, '00:1b:8f:5a:01:00', o(3, port, 'lldp.chassis_id', '00:1b:8f:5a:01:00', 'lldp'));
    const d = m.devices.get('mac-001b8f5a0100')!;
    expect(m.devices.has('mac-001b8f5a0103')).toBe(false);
    expect(d.chosen.find((c) => c.field === 'firmware')?.value).toBe('15.2');
    expect(m.pendingHistory.map((h) => [h.deviceId, h.field, h.newValue])).toEqual([['mac-001b8f5a0100', 'ip', '10.0.0.2']]);
    expect(m.pendingAliases).toMatchObject([{ mac: port, into: 'mac-001b8f5a0100', source: 'lldp.chassis_id' }]);
    // Later frames of the port MAC are the switch's.
    expect(m.deviceFor(o(4, port, 'eth.seen', '1', 'eth'))).toBe(d);
  });

  it('aliases are capped and counted', () => {
    const counters = new Counters();
    const m = new DeviceModel(counters, { ...MODEL_LIMITS, maxAliases: 1 });
    const o = (m2: string): Observation => ({ ts: 1, frame: 1, protocol: 'lldp', field: 'x', value: '', mac: m2 });
    m.alias('02:00:00:00:00:01', '02:00:00:00:00:00', o('02:00:00:00:00:01'));
    m.alias('02:00:00:00:00:02', '02:00:00:00:00:00', o('02:00:00:00:00:02'));
    expect(m.aliases.size).toBe(1);
    expect(counters.get('inventory.aliases_dropped')).toBe(1);
  });
});

describe('DeviceModel bounded per-device tables', () => {
  const fact = (ts: number, value: string): Observation => ({ ts, frame: ts, protocol: 'dhcp', field: 'dhcp.hostname', value, mac });
  const identify = (o: Observation): FieldCandidate[] => [{ field: 'hostname', value: o.value, source: 'dhcp.hostname', confidence: 0.6 }];

  it('the memo of repeated facts is capped per device and counted; a cleared memo changes no result', () => {
    const capped = new Counters();
    const small = new DeviceModel(capped, { ...MODEL_LIMITS, maxMemoEntriesPerDevice: 2 });
    const big = new DeviceModel(new Counters());
    const facts = [fact(1, 'a'), fact(2, 'b'), fact(3, 'c'), fact(4, 'a'), fact(5, 'b'), fact(6, 'c'), fact(7, 'a')];
    // A fact without candidates (eth.seen-like) fills the memo without clearing it through a new candidate.
    for (const o of facts) for (const m of [small, big]) m.applyObservation({ ...o, protocol: 'x', field: 'x.y' }, () => []);
    expect(capped.get('inventory.memo_cleared')).toBeGreaterThan(0);
    for (const o of facts) for (const m of [small, big]) m.applyObservation(o, identify);
    const view = (m: DeviceModel) => m.devices.get('mac-0009fb000001')!.candidates.map((c) => `${c.value}:${c.count}:${c.lastSeen}`);
    expect(view(small)).toEqual(view(big));
    expect(view(big)).toEqual(['a:3:7', 'b:2:5', 'c:2:6']);
  });

  it('candidate values are held once for every device, in a table that is capped and counted', () => {
    const counters = new Counters();
    const m = new DeviceModel(counters, { ...MODEL_LIMITS, maxInternedValues: 2 });
    const other = '00:09:fb:00:00:02';
    m.applyObservation(fact(1, 'pump-fw-1.2'), identify);
    m.applyObservation({ ...fact(2, 'pump-fw-1.2'), mac: other }, identify);
    expect(counters.get('inventory.interned_values_cleared')).toBe(0);
    m.applyObservation(fact(3, 'x'), identify);
    m.applyObservation(fact(4, 'y'), identify);
    expect(counters.get('inventory.interned_values_cleared')).toBe(1);
    expect(m.devices.get('mac-0009fb000002')!.candidates.map((c) => c.value)).toEqual(['pump-fw-1.2']);
  });
});
