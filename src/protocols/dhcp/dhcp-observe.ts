/**
 * \summary DHCPv4 record → observations about the client named by `chaddr`.
 *
 * Field names are a contract with the fingerprint rules (`dhcp.*`, snake_case). Rules:
 * - Every observation is about the client (`mac` = chaddr), never about the frame's sender: a
 *   relay or server sent the frame of a relayed or server message.
 * - VLAN is the frame's outer VLAN only when the message was not relayed (giaddr 0.0.0.0); a
 *   relayed message crossed a router, so the frame's VLAN says nothing about the client's.
 * - Client fingerprint fields (host name, vendor class, PRL, option order, ...) come only from
 *   client messages: op=1 and a client message type (DISCOVER, REQUEST, DECLINE, RELEASE,
 *   INFORM) or plain BOOTP (no option 53). Lease-query messages (RFC 4388/6926/7724) come from
 *   a relay or requestor, not the client, and give nothing.
 * - Server replies give `dhcp.server_id`, and from ACK (or a plain BOOTP reply, which is the
 *   BOOTP binding) `dhcp.assigned_ip` plus the `ip.address` binding. A client REQUEST/INFORM
 *   with a non-zero ciaddr also binds `ip.address`. The frame's source IP is never bound.
 * - Relay agent facts (giaddr, option 82) come from both directions: the relay adds option 82
 *   to requests and the server echoes it in replies (RFC 3046 §2.2).
 * - Messages whose chaddr is not an Ethernet MAC (htype≠1 or hlen≠6), is all zeros, or whose
 *   header is incomplete give nothing: there is no device key to attach facts to.
 */
import type { DhcpAgentId, DhcpRecord } from './dhcp.js';
import { toHex } from '../../decode/bytes.js';
import type { FrameRecord } from '../../decode/frame-record.js';
import type { Observation } from '../../observe/observation.js';
import { factOf, innermostVlan, type Subject } from '../../observe/observe-context.js';

const PROTOCOL = 'dhcp';
const ZERO_IP = '0.0.0.0';
const ZERO_MAC = '00:00:00:00:00:00';

/** Option 53 values a client sends (RFC 2132 §9.6). */
const CLIENT_MESSAGE_TYPES = new Set([1, 3, 4, 7, 8]); // DISCOVER REQUEST DECLINE RELEASE INFORM
/** Option 53 values a server sends to a client. */
const SERVER_MESSAGE_TYPES = new Set([2, 5, 6, 9]); // OFFER ACK NAK FORCERENEW
const DHCPREQUEST = 3;
const DHCPACK = 5;
const DHCPINFORM = 8;

/**
 * Who sent a message this observer gives facts for: `client`, `server`, or undefined for one it
 * gives nothing (incomplete header, no Ethernet chaddr, lease query, ...). Shared with
 * dhcp-location.ts, so the typed relay fact and the observations agree on which messages count.
 */
export function dhcpMessageFrom(record: DhcpRecord): 'client' | 'server' | undefined {
  if (!record.headerComplete || !record.chaddrIsMac || record.chaddr === ZERO_MAC) return undefined;
  const type = record.messageType;
  if (record.op === 1 && (type === undefined || CLIENT_MESSAGE_TYPES.has(type))) return 'client';
  if (record.op === 2 && (type === undefined || SERVER_MESSAGE_TYPES.has(type))) return 'server';
  return undefined;
}

/** True when the message was relayed (giaddr set). */
export const isRelayed = (record: DhcpRecord): boolean => record.giaddr !== ZERO_IP;

export function observeDhcp(record: DhcpRecord, frame: FrameRecord): Observation[] {
  const from = dhcpMessageFrom(record);
  if (from === undefined) return [];
  const relayed = isRelayed(record);
  const client: Subject = { mac: record.chaddr, vlan: relayed ? undefined : innermostVlan(frame) };
  const out: Observation[] = [];
  const fact = (field: string, value: string | number | undefined, subject: Subject = client): void => {
    if (value === undefined || value === '') return;
    out.push(factOf(frame, PROTOCOL, field, value, subject));
  };
  const type = record.messageType;

  if (from === 'client') {
    if (type !== undefined) fact('dhcp.message_type', record.messageTypeName ?? String(type));
    fact('dhcp.hostname', record.hostname);
    fact('dhcp.requested_ip', record.requestedIp);
    fact('dhcp.vendor_class', record.vendorClass);
    fact('dhcp.client_id', record.clientId?.hex);
    fact('dhcp.prl', record.parameterRequestList?.join(','));
    fact('dhcp.options', record.options.map((o) => o.code).join(','));
    fact('dhcp.max_message_size', record.maxMessageSize);
    fact('dhcp.fqdn', record.clientFqdn?.name);
    if (record.vendorSpecific !== undefined) fact('dhcp.vendor_specific', toHex(record.vendorSpecific.data));
    const bindsCiaddr = type === DHCPREQUEST || type === DHCPINFORM;
    if (bindsCiaddr && record.ciaddr !== ZERO_IP) fact('ip.address', record.ciaddr, { ...client, ip: record.ciaddr });
  } else {
    fact('dhcp.server_id', record.serverId);
    // Plain BOOTP (no option 53): the reply is the binding, as an ACK is for DHCP.
    if ((type === DHCPACK || type === undefined) && record.yiaddr !== ZERO_IP) {
      fact('dhcp.assigned_ip', record.yiaddr);
      fact('ip.address', record.yiaddr, { ...client, ip: record.yiaddr });
    }
  }

  if (relayed) {
    fact('dhcp.relay.agent_ip', record.giaddr);
    // A relayed request travels relay → server: the frame's sender is the relay itself, which
    // ties the client's option 82 port to the switch that relays (matched by MAC or address).
    if (record.op === 1) {
      fact('dhcp.relay.source_mac', frame.srcMac);
      fact('dhcp.relay.source_ip', frame.ip?.src);
    }
  }
  const relay = record.relayAgentInfo;
  if (relay !== undefined) {
    agentIdFacts('dhcp.relay.circuit_id', relay.circuitId, fact);
    agentIdFacts('dhcp.relay.remote_id', relay.remoteId, fact);
    const cisco = relay.circuitId?.cisco;
    if (cisco !== undefined) {
      fact('dhcp.relay.circuit_vlan', cisco.vlan);
      fact('dhcp.relay.circuit_module', cisco.module);
      fact('dhcp.relay.circuit_port', cisco.port);
    }
    fact('dhcp.relay.remote_id_mac', relay.remoteId?.mac);
    fact('dhcp.relay.link_selection', relay.linkSelection);
    fact('dhcp.relay.subscriber_id', relay.subscriberId);
    fact('dhcp.relay.server_id_override', relay.serverIdOverride);
  }
  return out;
}

/** `<field>` as printable text (hex when not printable) and `<field>_hex` always. */
function agentIdFacts(
  field: string,
  id: DhcpAgentId | undefined,
  fact: (field: string, value: string | undefined) => void,
): void {
  if (id === undefined || id.raw.length === 0) return;
  fact(field, id.text ?? id.hex);
  fact(`${field}_hex`, id.hex);
}
