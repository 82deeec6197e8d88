/**
 * \summary DHCPv4 record → RelayFact (src/observe/location-facts.ts): the port option 82
 * (RFC 3046) names for the client, and the relay that named it (giaddr; for a relayed request,
 * the frame's source MAC and IP, which are the relay's own). Built from the decoded record,
 * never from the flattened `dhcp.relay.*` observations, which stay for evidence and rules.
 *
 * Only messages dhcp-observe.ts gives facts for count, and only those with a circuit id
 * (printable text, else hex) or a Cisco binary circuit id: nothing else locates a port.
 */
import type { DhcpAgentId, DhcpRecord } from './dhcp.js';
import { dhcpMessageFrom, isRelayed } from './dhcp-observe.js';
import type { FrameRecord } from '../../decode/frame-record.js';
import { innermostVlan } from '../../observe/observe-context.js';
import type { RelayFact } from '../../observe/location-facts.js';

/** The agent id as its observation gives it: text when printable, else hex. */
function idText(id: DhcpAgentId | undefined): string | undefined {
  if (id === undefined || id.raw.length === 0) return undefined;
  const text = id.text ?? id.hex;
  return text === '' ? undefined : text;
}

export function dhcpRelayFact(record: DhcpRecord, frame: FrameRecord): RelayFact | undefined {
  const info = record.relayAgentInfo;
  if (info === undefined || dhcpMessageFrom(record) === undefined) return undefined;
  const circuitId = idText(info.circuitId);
  const cisco = info.circuitId?.cisco;
  if (circuitId === undefined && cisco === undefined) return undefined;
  const relayed = isRelayed(record);
  const fact: RelayFact = {
    protocol: 'dhcp',
    clientMac: record.chaddr,
    heard: { ts: frame.tsMicros, frame: frame.frameNo, mac: record.chaddr, ip: undefined, vlan: relayed ? undefined : innermostVlan(frame) },
  };
  if (circuitId !== undefined) fact.circuitId = circuitId;
  const remoteId = idText(info.remoteId);
  if (remoteId !== undefined) fact.remoteId = remoteId;
  if (cisco !== undefined) fact.ciscoPort = { vlan: cisco.vlan, module: cisco.module, port: cisco.port };
  if (relayed) {
    fact.agentIp = record.giaddr;
    // A relayed request travels relay → server: the frame's sender is the relay itself.
    if (record.op === 1) {
      if (frame.srcMac !== undefined && frame.srcMac !== '') fact.sourceMac = frame.srcMac;
      const src = frame.ip?.src;
      if (src !== undefined && src !== '') fact.sourceIp = src;
    }
  }
  return fact;
}
