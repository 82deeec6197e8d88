/**
 * \summary Passive switch-port location: which switch and port each device is plugged into, its
 * room or civic location, its VLAN where no tag says it, and infrastructure recognition, from
 * what switches and relays say. Two parts, fed by typed location facts (src/observe/location-facts.ts),
 * never by re-parsing observation strings:
 *
 * - the switch/port table (switch-table.ts), fed by the LLDP/CDP SwitchAdvertisements of
 *   senders whose enabled capabilities include bridge, router or switch: chassis, name,
 *   management addresses, the MACs they send from, and per port (LLDP Port ID / CDP Port-ID,
 *   as the switch names it) the description, port VLAN id and civic location;
 * - the option-82 relay resolver on top of it (relay-resolver.ts), fed by DHCP RelayFacts:
 *   the circuit-id of the client's port, normalised to the switch's own naming.
 *
 * A device seen on a new port is a move: the port candidate from the same source is newer, so
 * the merge writes a history row with the old and new port. Senders whose enabled LLDP/CDP
 * capabilities include bridge, router, switch, access point, telephone, repeater, DOCSIS or
 * source-route bridge are infrastructure; an LLDP sender that is not a switch and gives an
 * LLDP-MED civic location gives its own location.
 *
 * The frame's `ip.address` observations still come here as observations: a tagged one teaches
 * its /24's VLAN, an untagged one in a configured subnet gets that subnet's VLAN, and an ARP one
 * may name a switch's management MAC.
 */
import type { Observation } from '../observe/observation.js';
import type { Counters } from '../counters.js';
import { INFRASTRUCTURE_CAPABILITIES, SWITCHING_CAPABILITIES, hasAny, type LocationFact, type SwitchAdvertisement } from '../observe/location-facts.js';
import { isUnicastMac } from '../observe/frame.js';
import { RelayResolver, evidenceOf, type DerivedCandidates } from './relay-resolver.js';
import { SwitchTable, type AliasFact } from './switch-table.js';
import { StateVersion, type Versioned } from '../state-version.js';

export { normalisePortName, type DerivedCandidates } from './relay-resolver.js';
export type { AliasFact } from './switch-table.js';

export interface LocationLimits {
  /** Switches tracked. */
  maxSwitches: number;
  /** Ports tracked per switch; also the MACs and the addresses a switch is known by. */
  maxPortsPerSwitch: number;
  /** Clients whose option 82 facts wait for their switch to be heard. */
  maxPendingClients: number;
}

export const LOCATION_LIMITS: LocationLimits = { maxSwitches: 4096, maxPortsPerSwitch: 1024, maxPendingClients: 65536 };

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

export class LocationResolver {
  /** The switch/port table, fed by LLDP/CDP advertisements. */
  readonly switches: SwitchTable;
  /** The option-82 relay resolver on top of it. */
  readonly relays: RelayResolver;

  private readonly subnets: ParsedSubnet[];
  /** /24 → VLAN, learnt from tagged frames whose sender has an address there. */
  private readonly learntSubnetVlans = new Map<string, number>();
  private readonly subnetVlanDerived = new Set<string>();
  /** The two above, as one state: what an IPv4 address's lookup reads. */
  private readonly subnetState: Versioned = { version: 0 };

  constructor(
    private readonly limits: LocationLimits = LOCATION_LIMITS,
    subnetVlans: readonly SubnetVlan[] = [],
    /** Where evictions are counted (every bounded table here counts what it lets go). */
    private readonly counters?: Counters,
    /** Bumped by every change a later frame's addresses could read (src/state-version.ts); the
     * relay resolver's pending clients are read only by DHCP relay facts and switch changes. */
    private readonly version: StateVersion = new StateVersion(),
  ) {
    this.subnets = subnetVlans.flatMap((s) => {
      const p = parseSubnet(s.subnet);
      return p ? [{ ...p, vlan: s.vlan }] : [];
    });
    // Most specific subnet first.
    this.subnets.sort((a, b) => b.mask - a.mask);
    this.switches = new SwitchTable(limits, counters, version);
    this.relays = new RelayResolver(this.switches, limits.maxPendingClients, (ip) => this.subnetVlan(ip), counters);
  }

  /** MACs learnt to belong to a switch chassis since the last call (merge them into it). */
  drainAliases(): AliasFact[] {
    return this.switches.drainAliases();
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
    if (o.protocol === 'arp' && o.mac !== undefined) this.switches.observeArpOwner(o.value, o.mac);
    if (!o.value.includes('.')) return;
    this.version.read(this.subnetState);
    if (o.vlan !== undefined) {
      const p = prefix24(o.value);
      if (!this.learntSubnetVlans.has(p)) {
        if (this.learntSubnetVlans.size < this.limits.maxPendingClients) {
          this.learntSubnetVlans.set(p, o.vlan);
          this.version.bump(this.subnetState);
        }
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
    this.version.bump(this.subnetState);
    derived.push({ observation: o, candidates: [{ field: 'vlan', value: String(vlan), source: 'config.subnet_vlans', confidence: 0.4 }] });
  }

  /**
   * Takes every observation of one frame and the frame's typed location fact (an LLDP/CDP
   * advertisement or a DHCP relay fact, if any); returns candidates derived from them.
   */
  observeFrame(observations: readonly Observation[], fact?: LocationFact): DerivedCandidates[] {
    const derived: DerivedCandidates[] = [];
    for (const o of observations) if (o.field === 'ip.address') this.observeAddress(o, derived);
    if (fact === undefined) return derived;
    if (fact.protocol === 'dhcp') {
      // A group-MAC client never reaches the device model (the hygiene gate): nothing to locate.
      if (isUnicastMac(fact.clientMac)) this.relays.observe(fact, derived);
      return derived;
    }
    if (!isUnicastMac(fact.senderMac)) return derived;
    this.recogniseInfrastructure(fact, derived);
    const changed = this.switches.learn(fact);
    if (changed) this.relays.reresolve(changed, derived);
    return derived;
  }

  /** Infrastructure by its enabled capabilities; an endpoint's own LLDP-MED civic location. */
  private recogniseInfrastructure(adv: SwitchAdvertisement, derived: DerivedCandidates[]): void {
    const capabilitiesField = adv.protocol === 'lldp' ? 'lldp.enabled_capabilities' : 'cdp.capabilities';
    if (hasAny(adv.capabilities, INFRASTRUCTURE_CAPABILITIES)) {
      derived.push({
        observation: evidenceOf(adv.heard, adv.protocol, capabilitiesField, [...adv.capabilities].join(',')),
        candidates: [{ field: 'category', value: 'infrastructure', source: capabilitiesField, confidence: 0.8 }],
      });
    }
    // An endpoint describing its own location (LLDP-MED configured on the device).
    if (adv.protocol === 'lldp' && adv.civic !== undefined && !hasAny(adv.capabilities, SWITCHING_CAPABILITIES)) {
      derived.push({
        observation: evidenceOf(adv.heard, 'lldp', 'lldp.med.location.civic', adv.civic),
        candidates: [{ field: 'location', value: adv.civic, source: 'lldp.med.location.civic', confidence: 0.7 }],
      });
    }
  }
}
