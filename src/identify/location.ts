/**
 * \summary Passive switch-port location: which switch and port each device is plugged into, its
 * room or civic location, and infrastructure recognition, from what switches and relays say.
 *
 * - Switches are learnt from their own LLDP and CDP frames: chassis id, system name, management
 *   addresses, the MACs they send from, and per port (LLDP Port ID / CDP Port-ID, as the switch
 *   names it) the port description, port VLAN id and LLDP-MED civic location.
 * - A device is tied to a port by DHCP option 82 (RFC 3046): the relay adds the circuit-id of the
 *   client's port. The relay is tied to a switch by the relayed frame's source MAC or IP, or the
 *   giaddr, matching the switch's MACs or management addresses. The circuit-id is normalised to
 *   the switch's own port naming where a port of that switch matches ("gi1-0-3", "Gi1/0/3" and
 *   "GigabitEthernet1/0/3" are one port); the raw value is always kept as evidence.
 * - A device seen on a new port is a move: the port candidate from the same source is newer, so
 *   the merge writes a history row with the old and new port.
 * - Senders whose enabled LLDP/CDP capabilities include bridge, router, access point or telephone
 *   are infrastructure.
 *
 * Relay facts seen before the switch has spoken are kept (bounded) and resolved when it does.
 */
import type { Observation } from '../observe/observation.js';
import type { FieldCandidate } from './field-candidate.js';
import type { Counters } from '../counters.js';
import { makeRoom } from '../device/bounded-map.js';

export interface LocationLimits {
  /** Switches tracked. */
  maxSwitches: number;
  /** Ports tracked per switch; also the MACs and the addresses a switch is known by. */
  maxPortsPerSwitch: number;
  /** Clients whose option 82 facts wait for their switch to be heard. */
  maxPendingClients: number;
}

export const LOCATION_LIMITS: LocationLimits = { maxSwitches: 4096, maxPortsPerSwitch: 1024, maxPendingClients: 65536 };

/** A MAC that is part of a switch: merge it into the switch's chassis device. */
export interface AliasFact {
  mac: string;
  into: string;
  /** Why: `lldp.chassis_id` (a port MAC), `dhcp.relay.source_mac` (the MAC relaying DHCP from the
   * switch's management address), `arp.management_address` (the MAC answering ARP for it). */
  source: string;
}

/** A configured subnet and the VLAN it is on (config `network.subnet_vlans`). */
export interface SubnetVlan {
  /** IPv4 CIDR, e.g. `10.20.30.0/24`. */
  subnet: string;
  vlan: number;
}

interface ParsedSubnet {
  base: number;
  mask: number;
  vlan: number;
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isInteger(v) || v < 0 || v > 255 || p === '') return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** Parses `a.b.c.d/len`; undefined when it is not an IPv4 CIDR. */
export function parseSubnet(cidr: string): { base: number; mask: number } | undefined {
  const [addr, lenText] = cidr.split('/');
  const len = Number(lenText);
  const ip = addr === undefined ? undefined : ipv4ToInt(addr);
  if (ip === undefined || !Number.isInteger(len) || len < 0 || len > 32) return undefined;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return { base: (ip & mask) >>> 0, mask };
}

const prefix24 = (ip: string) => ip.slice(0, ip.lastIndexOf('.'));

/** The keys findSwitch looks a relay up by. */
function relayKeys(f: { sourceMac?: string | undefined; sourceIp?: string | undefined; agentIp?: string | undefined }): string[] {
  const keys: string[] = [];
  if (f.sourceMac !== undefined) keys.push(f.sourceMac);
  if (f.sourceIp !== undefined) keys.push(f.sourceIp);
  if (f.agentIp !== undefined) keys.push(f.agentIp);
  return keys;
}

/** A derived fact: candidates to apply to the device an observation names. */
export interface DerivedCandidates {
  observation: Observation;
  candidates: FieldCandidate[];
}

interface PortInfo {
  id: string;
  description?: string;
  civic?: string;
  vlan?: number;
}

interface SwitchInfo {
  name: string;
  /** The LLDP chassis id when it is a MAC: the device the switch's port MACs merge into. */
  chassisMac?: string;
  macs: Set<string>;
  addresses: Set<string>;
  ports: Map<string, PortInfo>;
}

interface RelayFacts {
  observation: Observation;
  /** Order in which pending clients were last heard (re-resolution keeps it). */
  seq?: number;
  /** What the last resolution derived, so a re-resolution that changes nothing adds nothing. */
  resolvedAs?: string;
  circuitId?: string;
  ciscoPort?: { vlan?: number; module?: number; port?: number };
  agentIp?: string;
  sourceMac?: string;
  sourceIp?: string;
}

const INFRASTRUCTURE_CAPABILITIES = /\b(bridge|router|switch|wlan_access_point|telephone|phone|repeater|docsis_cable_device|trans_bridge|source_route_bridge)\b/;

const normalisedCache = new Map<string, string>();

/** Short, separator-free form of an interface name: "GigabitEthernet1/0/3" → "gi103". */
export function normalisePortName(name: string): string {
  let n = normalisedCache.get(name);
  if (n === undefined) {
    n = normaliseUncached(name);
    if (normalisedCache.size >= 50_000) normalisedCache.clear();
    normalisedCache.set(name, n);
  }
  return n;
}

function normaliseUncached(name: string): string {
  let s = name.trim().toLowerCase();
  const longNames: [RegExp, string][] = [
    [/^hundredgig(abit)?e(thernet)?/, 'hu'],
    [/^fortygig(abit)?e(thernet)?/, 'fo'],
    [/^twentyfivegig(abit)?e(thernet)?/, 'twe'],
    [/^tengig(abit)?e(thernet)?/, 'te'],
    [/^gigabite(thernet)?/, 'gi'],
    [/^fastethernet/, 'fa'],
    [/^ethernet/, 'eth'],
    [/^port-?channel/, 'po'],
  ];
  for (const [re, short] of longNames) {
    if (re.test(s)) {
      s = s.replace(re, short);
      break;
    }
  }
  s = s.replace(/^gig(?=\d)/, 'gi').replace(/^(e|et)(?=\d)/, 'eth');
  return s.replace(/[\s\-/:._]+/g, '');
}

export class LocationResolver {
  private readonly switches = new Map<string, SwitchInfo>();
  private readonly switchByMac = new Map<string, SwitchInfo>();
  private readonly switchByAddress = new Map<string, SwitchInfo>();
  private readonly switchByName = new Map<string, SwitchInfo>();
  private readonly pending = new Map<string, RelayFacts>();
  /** Relay MAC or address → the pending clients relayed by it (what findSwitch looks up). */
  private readonly pendingByRelay = new Map<string, Set<string>>();
  private pendingSeq = 0;
  private readonly aliased = new Set<string>();
  private pendingAliases: AliasFact[] = [];
  /** Address → the MAC that answered ARP for it, for addresses a switch announces later. */
  private readonly arpOwners = new Map<string, string>();

  /** MACs learnt to belong to a switch chassis since the last call (merge them into it). */
  drainAliases(): AliasFact[] {
    const out = this.pendingAliases;
    this.pendingAliases = [];
    return out;
  }

  private readonly subnets: ParsedSubnet[];
  /** /24 → VLAN, learnt from tagged frames whose sender has an address there. */
  private readonly learntSubnetVlans = new Map<string, number>();
  private readonly subnetVlanDerived = new Set<string>();

  constructor(
    private readonly limits: LocationLimits = LOCATION_LIMITS,
    subnetVlans: readonly SubnetVlan[] = [],
    /** Where evictions are counted (every bounded table here counts what it lets go). */
    private readonly counters?: Counters,
  ) {
    this.subnets = subnetVlans.flatMap((s) => {
      const p = parseSubnet(s.subnet);
      return p ? [{ ...p, vlan: s.vlan }] : [];
    });
    // Most specific subnet first.
    this.subnets.sort((a, b) => b.mask - a.mask);
  }

  /** The configured VLAN of an IPv4 address, if a configured subnet holds it. */
  configuredVlan(ip: string): number | undefined {
    const n = ipv4ToInt(ip);
    if (n === undefined) return undefined;
    for (const s of this.subnets) if (((n & s.mask) >>> 0) === s.base) return s.vlan;
    return undefined;
  }

  /** The VLAN of a subnet: learnt from tagged frames, else configured. */
  private subnetVlan(ip: string): { vlan: number; source: string; confidence: number } | undefined {
    if (!ip.includes('.')) return undefined;
    const learnt = this.learntSubnetVlans.get(prefix24(ip));
    if (learnt !== undefined) return { vlan: learnt, source: 'eth.vlan_of_subnet', confidence: 0.6 };
    const configured = this.configuredVlan(ip);
    return configured !== undefined ? { vlan: configured, source: 'config.subnet_vlans', confidence: 0.4 } : undefined;
  }

  /** Untagged addresses in a configured subnet get that subnet's VLAN; tagged ones teach it. */
  private observeAddress(o: Observation, derived: DerivedCandidates[]): void {
    if (o.protocol === 'arp' && o.mac !== undefined) this.observeArpOwner(o.value, o.mac);
    if (!o.value.includes('.')) return;
    if (o.vlan !== undefined) {
      const p = prefix24(o.value);
      if (!this.learntSubnetVlans.has(p)) {
        if (this.learntSubnetVlans.size < this.limits.maxPendingClients) this.learntSubnetVlans.set(p, o.vlan);
        else this.counters?.inc('location.subnet_vlans_dropped');
      }
      return;
    }
    if (this.subnets.length === 0 || o.mac === undefined) return;
    const key = `${o.mac}|${o.value}`;
    if (this.subnetVlanDerived.has(key)) return;
    const vlan = this.configuredVlan(o.value);
    if (vlan === undefined) return;
    if (this.subnetVlanDerived.size >= this.limits.maxPendingClients) {
      this.counters?.inc('location.subnet_vlan_memo_cleared');
      this.subnetVlanDerived.clear();
    }
    this.subnetVlanDerived.add(key);
    derived.push({ observation: o, candidates: [{ field: 'vlan', value: String(vlan), source: 'config.subnet_vlans', confidence: 0.4 }] });
  }

  /**
   * The MAC that answers ARP for a switch's LLDP/CDP management address is the switch (its
   * management interface). Only ARP counts: plain IP traffic from that address may have been
   * routed, and would name a router's MAC.
   */
  private observeArpOwner(ip: string, mac: string): void {
    const sw = this.switchByAddress.get(ip);
    if (sw !== undefined) {
      this.joinSwitch(sw, mac, 'arp.management_address');
      return;
    }
    if (this.arpOwners.get(ip) === mac) return;
    if (!this.arpOwners.has(ip)) makeRoom(this.arpOwners, this.limits.maxPendingClients, this.counters, 'location.arp_owners_evicted');
    this.arpOwners.set(ip, mac);
  }

  /** `mac` is part of `sw` (its management MAC): merged into the chassis device when it has one. */
  private joinSwitch(sw: SwitchInfo, mac: string, source: string): void {
    if (sw.macs.has(mac)) return;
    if (sw.macs.size >= this.limits.maxPortsPerSwitch) {
      this.counters?.inc('location.switch_macs_dropped');
      return;
    }
    sw.macs.add(mac);
    if (!this.switchByMac.has(mac)) this.switchByMac.set(mac, sw);
    if (sw.chassisMac === undefined || mac === sw.chassisMac || this.aliased.has(mac)) return;
    this.aliased.add(mac);
    this.pendingAliases.push({ mac, into: sw.chassisMac, source });
  }

  /** Takes every observation of one frame; returns candidates derived from them. */
  observeFrame(observations: readonly Observation[]): DerivedCandidates[] {
    const derived: DerivedCandidates[] = [];
    let lldp: Observation[] | undefined;
    let cdp: Observation[] | undefined;
    let relay: RelayFacts | undefined;
    for (const o of observations) {
      if (o.field === 'ip.address') this.observeAddress(o, derived);
      else if (o.protocol === 'lldp') (lldp ??= []).push(o);
      else if (o.protocol === 'cdp') (cdp ??= []).push(o);
      else if (o.protocol === 'dhcp' && o.field.startsWith('dhcp.relay.') && o.mac !== undefined) {
        relay ??= { observation: o };
        readRelayFact(relay, o);
      }
    }
    const changedLldp = lldp ? this.learnFromDiscovery(lldp, 'lldp', derived) : undefined;
    const changedCdp = cdp ? this.learnFromDiscovery(cdp, 'cdp', derived) : undefined;
    if (relay && (relay.circuitId !== undefined || relay.ciscoPort !== undefined)) {
      const client = relay.observation.mac as string;
      const previous = this.pending.get(client);
      // Replies echo option 82 without the relay's own addresses: keep what requests told us.
      if (previous) {
        if (relay.sourceMac === undefined && previous.sourceMac !== undefined) relay.sourceMac = previous.sourceMac;
        if (relay.sourceIp === undefined && previous.sourceIp !== undefined) relay.sourceIp = previous.sourceIp;
        if (relay.agentIp === undefined && previous.agentIp !== undefined) relay.agentIp = previous.agentIp;
      }
      if (!this.pending.has(client) && this.pending.size >= this.limits.maxPendingClients) {
        const oldest = this.pending.keys().next().value;
        if (oldest !== undefined) this.forgetPending(oldest);
        this.counters?.inc('location.relay_clients_evicted');
      }
      this.forgetPending(client);
      relay.seq = ++this.pendingSeq;
      this.pending.set(client, relay);
      for (const k of relayKeys(relay)) {
        let clients = this.pendingByRelay.get(k);
        if (clients === undefined) this.pendingByRelay.set(k, (clients = new Set()));
        clients.add(client);
      }
      this.resolve(relay, derived);
    }
    if (changedLldp) this.reresolve(changedLldp, derived);
    if (changedCdp && changedCdp !== changedLldp) this.reresolve(changedCdp, derived);
    return derived;
  }

  private forgetPending(client: string): void {
    const facts = this.pending.get(client);
    if (facts === undefined) return;
    this.pending.delete(client);
    for (const k of relayKeys(facts)) {
      const clients = this.pendingByRelay.get(k);
      if (clients === undefined) continue;
      clients.delete(client);
      if (clients.size === 0) this.pendingByRelay.delete(k);
    }
  }

  /**
   * A switch learnt something new (a port, a MAC, an address, a civic location): re-resolves the
   * relayed clients it can be the relay of, those whose relay MAC or address is now the switch's,
   * in the order they were last heard. Only those: re-resolving every pending client on every
   * change cost O(clients) per LLDP/CDP frame while a large network's ports were being learnt.
   */
  private reresolve(sw: SwitchInfo, derived: DerivedCandidates[]): void {
    const affected: RelayFacts[] = [];
    const seen = new Set<string>();
    const collect = (key: string) => {
      const clients = this.pendingByRelay.get(key);
      if (clients === undefined) return;
      for (const client of clients) {
        if (seen.has(client)) continue;
        seen.add(client);
        const facts = this.pending.get(client);
        if (facts !== undefined) affected.push(facts);
      }
    };
    for (const mac of sw.macs) collect(mac);
    for (const address of sw.addresses) collect(address);
    affected.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    for (const facts of affected) this.resolve(facts, derived, true);
  }

  private learnFromDiscovery(obs: Observation[], protocol: 'lldp' | 'cdp', derived: DerivedCandidates[]): SwitchInfo | undefined {
    const first = obs[0] as Observation;
    const sender = first.mac;
    if (sender === undefined) return undefined;
    const value = (field: string) => obs.find((o) => o.field === field)?.value;
    const all = (field: string) => obs.filter((o) => o.field === field).map((o) => o.value);
    const capabilities = protocol === 'lldp' ? value('lldp.enabled_capabilities') : value('cdp.capabilities');
    const isInfrastructure = capabilities !== undefined && INFRASTRUCTURE_CAPABILITIES.test(capabilities);
    const capObservation = obs.find((o) => o.field === (protocol === 'lldp' ? 'lldp.enabled_capabilities' : 'cdp.capabilities'));
    if (isInfrastructure && capObservation) {
      derived.push({
        observation: capObservation,
        candidates: [{ field: 'category', value: 'infrastructure', source: capObservation.field, confidence: 0.8 }],
      });
    }
    const civic = value('lldp.med.location.civic');
    const isSwitch = capabilities !== undefined && /\b(bridge|router|switch)\b/.test(capabilities);
    if (!isSwitch) {
      // An endpoint describing its own location (LLDP-MED configured on the device).
      const civicObs = obs.find((o) => o.field === 'lldp.med.location.civic');
      if (civicObs && civic) derived.push({ observation: civicObs, candidates: [{ field: 'location', value: civic, source: 'lldp.med.location.civic', confidence: 0.7 }] });
      return undefined;
    }
    const key = protocol === 'lldp' ? `lldp:${value('lldp.chassis_id') ?? sender}` : `cdp:${value('cdp.device_id') ?? sender}`;
    const name = protocol === 'lldp' ? value('lldp.system_name') : (value('cdp.device_id') ?? value('cdp.system_name'));
    // One switch speaking LLDP and CDP from several port MACs: found by MAC, key or its name.
    let sw = this.switchByMac.get(sender) ?? this.switches.get(key) ?? (name !== undefined ? this.switchByName.get(name) : undefined);
    let changed = false;
    if (!sw) {
      if (this.switches.size >= this.limits.maxSwitches) {
        this.counters?.inc('location.switches_dropped');
        return undefined;
      }
      sw = { name: name ?? key, macs: new Set(), addresses: new Set(), ports: new Map() };
      this.switches.set(key, sw);
      changed = true;
    }
    if (name !== undefined && sw.name !== name && sw.name.startsWith(`${protocol}:`)) sw.name = name;
    if (!this.switchByName.has(sw.name) && this.switchByName.size < this.limits.maxSwitches) this.switchByName.set(sw.name, sw);
    const addMac = (mac: string | undefined) => {
      if (mac === undefined || sw.macs.has(mac)) return;
      if (sw.macs.size >= this.limits.maxPortsPerSwitch) {
        this.counters?.inc('location.switch_macs_dropped');
        return;
      }
      sw.macs.add(mac);
      this.switchByMac.set(mac, sw);
      changed = true;
    };
    addMac(sender);
    const chassis = value('lldp.chassis_id');
    if (chassis !== undefined && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(chassis)) {
      addMac(chassis);
      sw.chassisMac ??= chassis;
    }
    // A switch sends LLDP and CDP from each port's own MAC: all are the chassis, one device.
    if (sw.chassisMac !== undefined) {
      for (const mac of sw.macs) {
        if (mac === sw.chassisMac || this.aliased.has(mac)) continue;
        this.aliased.add(mac);
        this.pendingAliases.push({ mac, into: sw.chassisMac, source: 'lldp.chassis_id' });
      }
    }
    for (const a of [...all('lldp.management_address'), ...all('cdp.management_address'), ...all('cdp.address')]) {
      if (sw.addresses.has(a)) continue;
      if (sw.addresses.size >= this.limits.maxPortsPerSwitch) {
        this.counters?.inc('location.switch_addresses_dropped');
        continue;
      }
      sw.addresses.add(a);
      this.switchByAddress.set(a, sw);
      changed = true;
      const owner = this.arpOwners.get(a);
      if (owner !== undefined) this.joinSwitch(sw, owner, 'arp.management_address');
    }
    const portId = protocol === 'lldp' ? value('lldp.port_id') : value('cdp.port_id');
    if (portId !== undefined) {
      let port = sw.ports.get(portId);
      if (!port) {
        if (sw.ports.size >= this.limits.maxPortsPerSwitch) {
          this.counters?.inc('location.ports_dropped');
          return changed ? sw : undefined;
        }
        port = { id: portId };
        sw.ports.set(portId, port);
        changed = true;
      }
      const description = value('lldp.port_description');
      const vlan = value('lldp.port_vlan_id') ?? value('cdp.native_vlan');
      const location = civic ?? value('cdp.location');
      if (description !== undefined && port.description !== description) { port.description = description; changed = true; }
      if (location !== undefined && port.civic !== location) { port.civic = location; changed = true; }
      if (vlan !== undefined && port.vlan !== Number(vlan)) { port.vlan = Number(vlan); changed = true; }
    }
    return changed ? sw : undefined;
  }

  private findSwitch(facts: RelayFacts): SwitchInfo | undefined {
    return (
      (facts.sourceMac !== undefined ? this.switchByMac.get(facts.sourceMac) : undefined) ??
      (facts.sourceIp !== undefined ? this.switchByAddress.get(facts.sourceIp) : undefined) ??
      (facts.agentIp !== undefined ? this.switchByAddress.get(facts.agentIp) : undefined)
    );
  }

  private resolve(facts: RelayFacts, derived: DerivedCandidates[], onlyIfResolved = false): void {
    const sw = this.findSwitch(facts);
    if (!sw && onlyIfResolved) return;
    // A relay sending from the switch's management address, from a MAC the switch never spoke
    // from: that MAC is the switch's management interface.
    if (sw && facts.sourceMac !== undefined && facts.sourceIp !== undefined && sw.addresses.has(facts.sourceIp)) {
      this.joinSwitch(sw, facts.sourceMac, 'dhcp.relay.source_mac');
    }
    const o = facts.observation;
    const candidates: FieldCandidate[] = [];
    if (facts.circuitId !== undefined && !onlyIfResolved) {
      candidates.push({ field: 'circuit_id', value: facts.circuitId, source: 'dhcp.relay.circuit_id', confidence: 1 });
    }
    const port = sw ? matchPort(sw, facts) : undefined;
    const resolvedAs = `${sw?.name ?? ''}\u0000${port?.id ?? ''}\u0000${port?.civic ?? ''}\u0000${port?.vlan ?? ''}`;
    if (onlyIfResolved && facts.resolvedAs === resolvedAs) return;
    facts.resolvedAs = resolvedAs;
    if (sw) candidates.push({ field: 'switch', value: sw.name, source: 'dhcp.relay', confidence: 0.9 });
    if (port) {
      candidates.push({ field: 'port', value: port.id, source: 'dhcp.relay.circuit_id', confidence: 0.9 });
      if (port.civic !== undefined) candidates.push({ field: 'location', value: port.civic, source: 'lldp.med.location.civic', confidence: 0.9 });
      if (port.vlan !== undefined) candidates.push({ field: 'vlan', value: String(port.vlan), source: 'lldp.port_vlan_id', confidence: 0.7 });
    } else if (facts.circuitId !== undefined && !onlyIfResolved) {
      // Unknown naming: the raw circuit-id is the best port name the network gave.
      candidates.push({ field: 'port', value: facts.circuitId, source: 'dhcp.relay.circuit_id_raw', confidence: 0.5 });
    }
    if (port?.vlan === undefined && facts.agentIp !== undefined) {
      // The relay's giaddr sits in the client's subnet: that subnet's VLAN is the client's.
      const v = this.subnetVlan(facts.agentIp);
      if (v) candidates.push({ field: 'vlan', value: String(v.vlan), source: `dhcp.relay.agent_ip+${v.source}`, confidence: v.confidence });
    }
    if (candidates.length > 0) derived.push({ observation: o, candidates });
  }
}

function readRelayFact(facts: RelayFacts, o: Observation): void {
  switch (o.field) {
    case 'dhcp.relay.circuit_id': facts.circuitId = o.value; break;
    case 'dhcp.relay.agent_ip': facts.agentIp = o.value; break;
    case 'dhcp.relay.source_mac': facts.sourceMac = o.value; break;
    case 'dhcp.relay.source_ip': facts.sourceIp = o.value; break;
    case 'dhcp.relay.circuit_vlan': (facts.ciscoPort ??= {}).vlan = Number(o.value); break;
    case 'dhcp.relay.circuit_module': (facts.ciscoPort ??= {}).module = Number(o.value); break;
    case 'dhcp.relay.circuit_port': (facts.ciscoPort ??= {}).port = Number(o.value); break;
    default: break;
  }
}

function matchPort(sw: SwitchInfo, facts: RelayFacts): PortInfo | undefined {
  if (facts.circuitId !== undefined) {
    const exact = sw.ports.get(facts.circuitId);
    if (exact) return exact;
    const wanted = normalisePortName(facts.circuitId);
    for (const p of sw.ports.values()) if (normalisePortName(p.id) === wanted || (p.description !== undefined && normalisePortName(p.description) === wanted)) return p;
  }
  const cisco = facts.ciscoPort;
  if (cisco?.port !== undefined) {
    // Cisco's binary circuit-id gives module and port numbers: match a port named <type><module>/.../<port>.
    const matches = [...sw.ports.values()].filter((p) => {
      const numbers = p.id.match(/\d+/g)?.map(Number) ?? [];
      return numbers.length > 0 && numbers[numbers.length - 1] === cisco.port && (cisco.module === undefined || numbers[0] === cisco.module || numbers.length === 1);
    });
    if (matches.length === 1) return matches[0];
  }
  return undefined;
}
