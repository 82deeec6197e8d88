/**
 * \summary Typed location facts: what a switch says about itself and the port a frame left by
 * (LLDP, CDP), and what a DHCP relay says about the port a client is on (option 82, RFC 3046).
 *
 * The protocol folders build these from their decoded records (src/protocols/lldp/lldp-location.ts,
 * cdp/cdp-location.ts, dhcp/dhcp-location.ts); the pipeline hands them, beside the frame's
 * observations, to the location stage (src/identify/location.ts) and the address binder. The
 * string observations stay as they are for evidence and rules; only location and router
 * recognition read these, so neither re-parses a flattened string.
 *
 * Identity strings here passed the same gate the observations pass (src/observe/hygiene.ts):
 * a junk string (only zeros, spaces or control characters) or a group-MAC chassis id is absent.
 */
import { isJunkIdentity } from './hygiene.js';
import { isUnicastMac } from './frame.js';

/**
 * A system capability an LLDP (802.1AB-2016 Table 8-4, enabled bits) or CDP (capabilities TLV)
 * sender announces. LLDP's "bridge" (a MAC bridge) and CDP's "transparent bridge" stay apart:
 * location treated CDP's as neither a switch nor infrastructure, and still does.
 */
export type Capability =
  | 'other' | 'repeater' | 'bridge' | 'accessPoint' | 'router' | 'telephone' | 'docsis' | 'station'
  | 'cVlan' | 'sVlan' | 'twoPortMacRelay'
  | 'transparentBridge' | 'sourceRouteBridge' | 'switch' | 'host' | 'igmp' | 'remotelyManaged' | 'cvta';

/** Capabilities that make a sender infrastructure (category `infrastructure`). */
export const INFRASTRUCTURE_CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>([
  'bridge', 'router', 'switch', 'accessPoint', 'telephone', 'repeater', 'docsis', 'sourceRouteBridge',
]);

/** Capabilities that make a sender a switch whose ports devices are located on. */
export const SWITCHING_CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>(['bridge', 'router', 'switch']);

/** Where a fact was heard and which device it is about: what evidence of a derived value needs. */
export interface HeardAt {
  /** Capture time, microseconds since the Unix epoch. */
  ts: number;
  /** Frame number in the capture source. */
  frame: number;
  /** The device the fact is about (the LLDP/CDP sender, the DHCP client). */
  mac: string;
  /** Its IP, as the frame's observations carry it. */
  ip: string | undefined;
  /** Its VLAN, as the frame's observations carry it. */
  vlan: number | undefined;
}

/** One port of a switch, as the switch names and describes it. */
export interface AdvertisedPort {
  /** LLDP Port ID / CDP Port-ID: the port's name as the switch calls it. */
  id: string;
  /** LLDP Port Description. */
  description?: string;
  /** LLDP port VLAN id (802.1 Port VLAN ID TLV) / CDP native VLAN. */
  vlan?: number;
  /** LLDP-MED civic location (one line) / CDP Location TLV text. */
  civic?: string;
}

/** What one LLDP or CDP frame says about its sender and the port it left by. */
export interface SwitchAdvertisement {
  protocol: 'lldp' | 'cdp';
  /** The frame's source MAC (a switch sends from each port's own MAC). */
  senderMac: string;
  heard: HeardAt;
  /** LLDP chassis id as text (CDP: absent). */
  chassisId?: string;
  /** The chassis id when it is a MAC: the device the switch's port MACs merge into. */
  chassisMac?: string;
  /** CDP Device-ID (LLDP: absent). */
  deviceId?: string;
  /** LLDP System Name / CDP System Name. */
  systemName?: string;
  /** LLDP enabled capabilities / CDP capabilities. Unknown bits are left out. */
  capabilities: ReadonlySet<Capability>;
  /** Management addresses (LLDP; CDP: the Management Addresses TLV, then the Addresses TLV), wire order. */
  managementAddresses: string[];
  /** The port the frame left by, when the frame names it. */
  port?: AdvertisedPort;
  /** LLDP-MED civic location, or the CDP Location TLV: the port's when a switch sends it, the
   * sender's own when an endpoint does. */
  civic?: string;
}

/** What one DHCP message's relay agent information (option 82) and giaddr say about its client. */
export interface RelayFact {
  protocol: 'dhcp';
  /** The client (chaddr). */
  clientMac: string;
  heard: HeardAt;
  /** Circuit id (sub-option 1) as text, or hex when not printable. */
  circuitId?: string;
  /** Remote id (sub-option 2) as text, or hex when not printable. */
  remoteId?: string;
  /** Cisco binary circuit id: VLAN, module and port numbers. */
  ciscoPort?: { vlan: number; module: number; port: number };
  /** giaddr, when the message was relayed. */
  agentIp?: string;
  /** The relayed request's source MAC and IP: the relay itself (requests only; replies echo option 82 without them). */
  sourceMac?: string;
  sourceIp?: string;
}

/** A typed location fact of one frame. */
export type LocationFact = SwitchAdvertisement | RelayFact;

/** An identity string as the observation gate lets it through, else undefined. */
export function identityText(value: string | undefined): string | undefined {
  return value === undefined || isJunkIdentity(value) ? undefined : value;
}

const MAC_TEXT = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;

/** A chassis id as the observation gate lets it through: not junk, not a group MAC. */
export function chassisIdText(value: string | undefined): string | undefined {
  const text = identityText(value);
  return text !== undefined && MAC_TEXT.test(text) && !isUnicastMac(text.toLowerCase()) ? undefined : text;
}

/** The capabilities whose bits are set in `bits`, `table[i]` naming bit i (undefined: unknown). */
export function capabilitiesOf(bits: number, table: readonly (Capability | undefined)[]): ReadonlySet<Capability> {
  const out = new Set<Capability>();
  for (let i = 0; i < table.length; i++) {
    const c = table[i];
    if (c !== undefined && ((bits >>> i) & 1) === 1) out.add(c);
  }
  return out;
}

/** True when any capability of `caps` is in `wanted`. */
export function hasAny(caps: ReadonlySet<Capability>, wanted: ReadonlySet<Capability>): boolean {
  for (const c of caps) if (wanted.has(c)) return true;
  return false;
}
