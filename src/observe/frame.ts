/**
 * \summary Observations every frame gives, whatever its payload: the sender was seen (and on
 * which VLAN), ARP's IP-to-MAC bindings, and plain IP source bindings via the AddressBinder.
 */
import type { FrameRecord } from '../decode/frame-record.js';
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

export function observeFrame(frame: FrameRecord, binder: AddressBinder, out: Observation[]): void {
  const mac = frame.srcMac;
  if (mac === undefined || !isUnicastMac(mac)) return;
  const vlan = innermostVlan(frame);
  out.push(factAbout(frame, 'eth', 'eth.seen', '1', mac, undefined, vlan));
  if (vlan !== undefined) {
    out.push(factAbout(frame, 'eth', 'eth.vlan', vlan, mac, undefined, vlan));
    if (frame.vlanTags.length > 1) {
      out.push(factOf(frame, 'eth', 'eth.vlan_stack', frame.vlanTags.map((t) => t.vid).join(','), { mac, vlan }));
    }
  }
  const arp = frame.arp;
  if (arp && arp.senderMac === mac && isHostAddress(arp.senderIp)) {
    out.push(factAbout(frame, 'arp', 'ip.address', arp.senderIp, mac, undefined, vlan));
    binder.ownAddress(mac, arp.senderIp);
  }
  if (frame.ip) binder.observe(frame, out);
}
