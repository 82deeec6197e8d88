/**
 * \summary DHCP option-82 relay resolver, on top of the switch/port table (switch-table.ts):
 * which switch and port a relayed client is on, from typed RelayFacts (src/observe/location-facts.ts).
 *
 * - The relay is tied to a switch by the relayed request's source MAC or IP, or the giaddr,
 *   matching the switch's MACs or management addresses. A relay sending from the switch's
 *   management address from a MAC the switch never spoke from: that MAC is the switch's
 *   management interface (an alias, `dhcp.relay.source_mac`).
 * - The circuit-id is normalised to the switch's own port naming where a port of that switch
 *   matches ("gi1-0-3", "Gi1/0/3" and "GigabitEthernet1/0/3" are one port); a Cisco binary
 *   circuit-id matches by module and port number. The raw value is always kept as evidence.
 * - Relay facts heard before their switch has spoken wait (bounded, oldest forgotten:
 *   `location.relay_clients_evicted`) and are re-resolved, in the order they were last heard,
 *   when the switch that can be their relay learns something new.
 */
import type { Counters } from '../counters.js';
import type { Observation } from '../observe/observation.js';
import type { HeardAt, RelayFact } from '../observe/location-facts.js';
import type { FieldCandidate } from './field-candidate.js';
import type { PortInfo, SwitchInfo, SwitchTable } from './switch-table.js';

/** A derived fact: candidates to apply to the device an observation names. */
export interface DerivedCandidates {
  observation: Observation;
  candidates: FieldCandidate[];
}

/** The VLAN a subnet holding `ip` is on, and how that is known. */
export type SubnetVlanOf = (ip: string) => { vlan: number; source: string; confidence: number } | undefined;

/** A client's option 82 facts, as last heard (merged with what earlier requests said of the relay). */
interface PendingClient {
  /** Evidence of what is derived: the client, at the frame the facts were last heard in. */
  observation: Observation;
  /** Order in which pending clients were last heard (re-resolution keeps it). */
  seq: number;
  /** What the last resolution derived, so a re-resolution that changes nothing adds nothing. */
  resolvedAs?: string;
  circuitId?: string | undefined;
  ciscoPort?: RelayFact['ciscoPort'];
  agentIp?: string | undefined;
  sourceMac?: string | undefined;
  sourceIp?: string | undefined;
}

/** An observation standing for a typed fact: the device and the frame it was heard in. */
export function evidenceOf(heard: HeardAt, protocol: string, field: string, value: string): Observation {
  return { ts: heard.ts, frame: heard.frame, protocol, field, value, mac: heard.mac, ip: heard.ip, vlan: heard.vlan };
}

/** The keys a relay is looked up by. */
function relayKeys(f: PendingClient): string[] {
  const keys: string[] = [];
  if (f.sourceMac !== undefined) keys.push(f.sourceMac);
  if (f.sourceIp !== undefined) keys.push(f.sourceIp);
  if (f.agentIp !== undefined) keys.push(f.agentIp);
  return keys;
}

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

export class RelayResolver {
  private readonly pending = new Map<string, PendingClient>();
  /** Relay MAC or address → the pending clients relayed by it (what findSwitch looks up). */
  private readonly pendingByRelay = new Map<string, Set<string>>();
  private pendingSeq = 0;

  constructor(
    private readonly table: SwitchTable,
    private readonly maxPendingClients: number,
    private readonly subnetVlan: SubnetVlanOf,
    private readonly counters?: Counters,
  ) {}

  /** One frame's relay fact: kept for its client and resolved now (candidates into `derived`). */
  observe(fact: RelayFact, derived: DerivedCandidates[]): void {
    const client = fact.clientMac;
    const relay: PendingClient = {
      observation: evidenceOf(fact.heard, 'dhcp', 'dhcp.relay.circuit_id', fact.circuitId ?? ''),
      seq: 0,
      circuitId: fact.circuitId,
      ciscoPort: fact.ciscoPort,
      agentIp: fact.agentIp,
      sourceMac: fact.sourceMac,
      sourceIp: fact.sourceIp,
    };
    const previous = this.pending.get(client);
    // Replies echo option 82 without the relay's own addresses: keep what requests told us.
    if (previous) {
      if (relay.sourceMac === undefined && previous.sourceMac !== undefined) relay.sourceMac = previous.sourceMac;
      if (relay.sourceIp === undefined && previous.sourceIp !== undefined) relay.sourceIp = previous.sourceIp;
      if (relay.agentIp === undefined && previous.agentIp !== undefined) relay.agentIp = previous.agentIp;
    }
    if (!this.pending.has(client) && this.pending.size >= this.maxPendingClients) {
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
  reresolve(sw: SwitchInfo, derived: DerivedCandidates[]): void {
    const affected: PendingClient[] = [];
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
    affected.sort((a, b) => a.seq - b.seq);
    for (const facts of affected) this.resolve(facts, derived, true);
  }

  private findSwitch(facts: PendingClient): SwitchInfo | undefined {
    return (
      (facts.sourceMac !== undefined ? this.table.byMac(facts.sourceMac) : undefined) ??
      (facts.sourceIp !== undefined ? this.table.byAddress(facts.sourceIp) : undefined) ??
      (facts.agentIp !== undefined ? this.table.byAddress(facts.agentIp) : undefined)
    );
  }

  private resolve(facts: PendingClient, derived: DerivedCandidates[], onlyIfResolved = false): void {
    const sw = this.findSwitch(facts);
    if (!sw && onlyIfResolved) return;
    // A relay sending from the switch's management address, from a MAC the switch never spoke
    // from: that MAC is the switch's management interface.
    if (sw && facts.sourceMac !== undefined && facts.sourceIp !== undefined && sw.addresses.has(facts.sourceIp)) {
      this.table.joinSwitch(sw, facts.sourceMac, 'dhcp.relay.source_mac');
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

function matchPort(sw: SwitchInfo, facts: PendingClient): PortInfo | undefined {
  if (facts.circuitId !== undefined) {
    const exact = sw.ports.get(facts.circuitId);
    if (exact) return exact;
    const wanted = normalisePortName(facts.circuitId);
    for (const p of sw.ports.values()) if (normalisePortName(p.id) === wanted || (p.description !== undefined && normalisePortName(p.description) === wanted)) return p;
  }
  const cisco = facts.ciscoPort;
  if (cisco !== undefined) {
    // Cisco's binary circuit-id gives module and port numbers: match a port named <type><module>/.../<port>.
    const matches = [...sw.ports.values()].filter((p) => {
      const numbers = p.id.match(/\d+/g)?.map(Number) ?? [];
      return numbers.length > 0 && numbers[numbers.length - 1] === cisco.port && (numbers[0] === cisco.module || numbers.length === 1);
    });
    if (matches.length === 1) return matches[0];
  }
  return undefined;
}
