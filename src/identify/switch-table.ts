/**
 * \summary The switch/port table: every switch the sensor has heard describe itself in LLDP or
 * CDP, found by chassis (its key), by any MAC it sent from, by any management address it
 * announced and by name, with its ports as the switch names them (LLDP Port ID / CDP Port-ID)
 * and each port's description, VLAN and civic location.
 *
 * Fed by typed SwitchAdvertisements (src/observe/location-facts.ts), never by observation
 * strings. A switch sends LLDP and CDP from each port's own MAC: all of them, the chassis MAC,
 * the MAC that relays DHCP from its management address and the MAC answering ARP for that
 * address are one device, reported as aliases of the chassis MAC (`drainAliases`).
 *
 * Bounded: switches (`location.switches_dropped`), ports, MACs and addresses per switch
 * (`location.ports_dropped`, `location.switch_macs_dropped`, `location.switch_addresses_dropped`),
 * ARP owners waiting for their switch (`location.arp_owners_evicted`).
 */
import type { Counters } from '../counters.js';
import { makeRoom } from '../device/bounded-map.js';
import { StateVersion, type Versioned } from '../state-version.js';
import { SWITCHING_CAPABILITIES, hasAny, type SwitchAdvertisement } from '../observe/location-facts.js';
import type { LocationLimits } from './location.js';

/** One port of a switch, as last described. */
export interface PortInfo {
  /** The port's name as the switch calls it. */
  id: string;
  description?: string;
  civic?: string;
  vlan?: number;
}

/** One switch. */
export interface SwitchInfo {
  /** LLDP System Name / CDP Device-ID, else its key (`lldp:<chassis id>`, `cdp:<sender MAC>`). */
  name: string;
  /** The LLDP chassis id when it is a MAC: the device the switch's port MACs merge into. */
  chassisMac?: string;
  /** MACs the switch is known by (port MACs, chassis MAC, management MACs). */
  macs: Set<string>;
  /** Management addresses it announced. */
  addresses: Set<string>;
  ports: Map<string, PortInfo>;
}

/** A MAC that is part of a switch: merge it into the switch's chassis device. */
export interface AliasFact {
  mac: string;
  into: string;
  /** Why: `lldp.chassis_id` (a port MAC), `dhcp.relay.source_mac` (the MAC relaying DHCP from the
   * switch's management address), `arp.management_address` (the MAC answering ARP for it). */
  source: string;
}

export class SwitchTable {
  private readonly switches = new Map<string, SwitchInfo>();
  private readonly switchByMac = new Map<string, SwitchInfo>();
  private readonly switchByAddress = new Map<string, SwitchInfo>();
  private readonly switchByName = new Map<string, SwitchInfo>();
  private readonly aliased = new Set<string>();
  private pendingAliases: AliasFact[] = [];
  /** Address → the MAC that answered ARP for it, for addresses a switch announces later. */
  private readonly arpOwners = new Map<string, string>();

  constructor(
    private readonly limits: LocationLimits,
    /** Where drops and evictions are counted. */
    private readonly counters?: Counters,
    /** Where changes are counted (src/state-version.ts). */
    private readonly version: StateVersion = new StateVersion(),
  ) {}

  /** The switches and the ARP owners, as one state: what an ARP sender's lookup reads. */
  readonly state: Versioned = { version: 0 };

  /** MACs learnt to belong to a switch chassis since the last call (merge them into it). */
  drainAliases(): AliasFact[] {
    const out = this.pendingAliases;
    this.pendingAliases = [];
    return out;
  }

  /** The switch that sent from `mac`, or that it was joined to. */
  byMac(mac: string): SwitchInfo | undefined {
    return this.switchByMac.get(mac);
  }

  /** The switch that announced `address` as a management address. */
  byAddress(address: string): SwitchInfo | undefined {
    return this.switchByAddress.get(address);
  }

  /**
   * The MAC that answers ARP for a switch's LLDP/CDP management address is the switch (its
   * management interface). Only ARP counts: plain IP traffic from that address may have been
   * routed, and would name a router's MAC.
   */
  observeArpOwner(ip: string, mac: string): void {
    this.version.read(this.state);
    const sw = this.switchByAddress.get(ip);
    if (sw !== undefined) {
      this.joinSwitch(sw, mac, 'arp.management_address');
      return;
    }
    if (this.arpOwners.get(ip) === mac) return;
    if (!this.arpOwners.has(ip)) makeRoom(this.arpOwners, this.limits.maxPendingClients, this.counters, 'location.arp_owners_evicted');
    this.arpOwners.set(ip, mac);
    this.version.bump(this.state);
  }

  /**
   * Adds `mac` to the MACs `sw` is known by, within the cap (counted past it); true when it is
   * new. `sentFrom`: the switch sent from it, so the MAC is found as this switch's even if
   * another switch was joined to it before; a MAC only joined to a switch does not displace one.
   */
  private addMac(sw: SwitchInfo, mac: string, sentFrom: boolean): boolean {
    if (sw.macs.has(mac)) return false;
    if (sw.macs.size >= this.limits.maxPortsPerSwitch) {
      this.counters?.inc('location.switch_macs_dropped');
      return false;
    }
    sw.macs.add(mac);
    this.version.bump(this.state);
    if (sentFrom || !this.switchByMac.has(mac)) this.switchByMac.set(mac, sw);
    return true;
  }

  /** `mac` is part of `sw` (its management MAC): merged into the chassis device when it has one. */
  joinSwitch(sw: SwitchInfo, mac: string, source: string): void {
    if (!this.addMac(sw, mac, false)) return;
    if (sw.chassisMac === undefined || mac === sw.chassisMac || this.aliased.has(mac)) return;
    this.aliased.add(mac);
    this.pendingAliases.push({ mac, into: sw.chassisMac, source });
  }

  /**
   * Learns from one advertisement of a sender whose enabled capabilities include bridge, router
   * or switch (others are not switches: undefined). Returns the switch when it learnt something
   * new about it (a port, a MAC, an address, a port's description, VLAN or civic location).
   */
  learn(adv: SwitchAdvertisement): SwitchInfo | undefined {
    if (!hasAny(adv.capabilities, SWITCHING_CAPABILITIES)) return undefined;
    const sender = adv.senderMac;
    const protocol = adv.protocol;
    const key = protocol === 'lldp' ? `lldp:${adv.chassisId ?? sender}` : `cdp:${adv.deviceId ?? sender}`;
    const name = protocol === 'lldp' ? adv.systemName : (adv.deviceId ?? adv.systemName);
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
    if (this.addMac(sw, sender, true)) changed = true;
    if (adv.chassisMac !== undefined) {
      if (this.addMac(sw, adv.chassisMac, true)) changed = true;
      sw.chassisMac ??= adv.chassisMac;
    }
    // A switch sends LLDP and CDP from each port's own MAC: all are the chassis, one device.
    if (sw.chassisMac !== undefined) {
      for (const mac of sw.macs) {
        if (mac === sw.chassisMac || this.aliased.has(mac)) continue;
        this.aliased.add(mac);
        this.pendingAliases.push({ mac, into: sw.chassisMac, source: 'lldp.chassis_id' });
      }
    }
    for (const a of adv.managementAddresses) {
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
    const advertised = adv.port;
    if (advertised !== undefined) {
      let port = sw.ports.get(advertised.id);
      if (!port) {
        if (sw.ports.size >= this.limits.maxPortsPerSwitch) {
          this.counters?.inc('location.ports_dropped');
          return changed ? sw : undefined;
        }
        port = { id: advertised.id };
        sw.ports.set(advertised.id, port);
        changed = true;
      }
      const { description, civic, vlan } = advertised;
      if (description !== undefined && port.description !== description) { port.description = description; changed = true; }
      if (civic !== undefined && port.civic !== civic) { port.civic = civic; changed = true; }
      if (vlan !== undefined && port.vlan !== vlan) { port.vlan = vlan; changed = true; }
    }
    if (changed) this.version.bump(this.state);
    return changed ? sw : undefined;
  }
}
