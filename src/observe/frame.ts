/**
 * \summary Observations every frame gives, whatever its payload: the sender was seen (and on
 * which VLAN), ARP's IP-to-MAC bindings, and plain IP source bindings via the AddressBinder.
 *
 * Tunnelled frames: the sender is the inner frame's; the tunnel's outermost carrier (an ERSPAN
 * source switch, a VTEP, a wireless controller) is a device of its own, seen with its outer
 * address. The inner sender's facts say how they arrived (`eth.encap`, e.g. `gre:erspan2`), and
 * a Cisco TrustSec tag is `eth.sgt`. An inner IP packet with no link-layer header of its own (GRE
 * → IP, MPLS over UDP, Cisco HDLC) gives an IP-keyed device seen through the tunnel
 * (`ip.seen_via_router`, the carrier's MAC as value). An IPv4 header with a bad checksum teaches
 * no address (counted as the anomaly `ipv4.bad_checksum` by the frame decoder).
 */
import type { FrameRecord, TunnelCarrier } from '../decode/frame-record.js';
import type { AddressBinder } from './address-binder.js';
import { isHostAddress } from './address-binder.js';
import type { Observation } from './observation.js';
import { factAbout, factOf, innermostVlan } from './observe-context.js';

/** True for a unicast, globally or locally administered station address (not group). */
export function isUnicastMac(mac: string): boolean {
  // The group bit is the low bit of the first octet, so of its second hex digit.
  const low = hexDigit(mac.charCodeAt(1));
  if (low < 0 || hexDigit(mac.charCodeAt(0)) < 0) {
    return (parseInt(mac.slice(0, 2), 16) & 0x01) === 0 && mac !== '00:00:00:00:00:00'; // not the usual form
  }
  return (low & 0x01) === 0 && mac !== '00:00:00:00:00:00';
}

/** Value of an ASCII hex digit, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** What the device behind a layer-3 tunnel is seen through when no link-layer source exists. */
const NO_LINK_SOURCE = 'no-link-source';

export function observeFrame(frame: FrameRecord, binder: AddressBinder, out: Observation[]): void {
  const tunnel = frame.tunnel;
  if (tunnel !== undefined) observeCarrier(frame, tunnel, binder, out);
  const mac = frame.srcMac;
  if (mac === undefined) {
    observeLinklessIp(frame, out);
    return;
  }
  if (!isUnicastMac(mac)) return;
  const vlan = innermostVlan(frame);
  out.push(factAbout(frame, 'eth', 'eth.seen', '1', mac, undefined, vlan));
  if (vlan !== undefined) {
    out.push(factAbout(frame, 'eth', 'eth.vlan', vlan, mac, undefined, vlan));
    if (frame.vlanTags.length > 1) {
      out.push(factOf(frame, 'eth', 'eth.vlan_stack', frame.vlanTags.map((t) => t.vid).join(','), { mac, vlan }));
    }
  }
  const encap = frame.encap;
  if (encap !== undefined && encap.length > 0) out.push(factAbout(frame, 'eth', 'eth.encap', encap.join(':'), mac, undefined, vlan));
  if (frame.sgt !== undefined) out.push(factAbout(frame, 'eth', 'eth.sgt', frame.sgt, mac, undefined, vlan));
  const arp = frame.arp;
  if (arp && arp.senderMac === mac && isHostAddress(arp.senderIp)) {
    out.push(factAbout(frame, 'arp', 'ip.address', arp.senderIp, mac, undefined, vlan));
    binder.ownAddress(mac, arp.senderIp);
  }
  if (frame.ip && frame.ip.badChecksum !== true) binder.observe(frame, out);
}

/** The outermost carrier of a tunnel: seen, and its outer IP bound as any frame's would be. */
function observeCarrier(frame: FrameRecord, tunnel: TunnelCarrier, binder: AddressBinder, out: Observation[]): void {
  const mac = tunnel.srcMac;
  if (mac === undefined || !isUnicastMac(mac)) return;
  const tags = tunnel.vlanTags;
  const vlan = tags.length === 0 ? undefined : tags[tags.length - 1]?.vid;
  out.push(factAbout(frame, 'eth', 'eth.seen', '1', mac, undefined, vlan));
  if (tunnel.ip !== undefined && tunnel.ip.badChecksum !== true) {
    // The binder reads the sender's MAC, IP and tags: hand it the carrier's.
    binder.observe({ ...frame, srcMac: mac, vlanTags: tags, ip: tunnel.ip }, out);
  }
}

/** An inner IP packet without a link-layer header of its own: an IP-keyed device behind the tunnel. */
function observeLinklessIp(frame: FrameRecord, out: Observation[]): void {
  const ip = frame.ip;
  if (ip === undefined || ip.badChecksum === true || frame.encap === undefined || frame.encap.length === 0) return;
  if (!isHostAddress(ip.src)) return;
  const via = frame.tunnel?.carrierMac ?? NO_LINK_SOURCE;
  out.push(factOf(frame, 'ip', 'ip.seen_via_router', via, { ip: ip.src }));
}
