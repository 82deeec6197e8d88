/**
 * \summary Application records → observations: one observer per protocol.
 */
import type { AppRecord } from '../decode/registry.js';
import type { FrameRecord } from '../decode/frame-record.js';
import { observeCdp } from './cdp.js';
import { observeDhcp } from './dhcp.js';
import { observeLldp } from './lldp.js';
import { observeMdns } from './mdns.js';
import type { Observation } from './observation.js';
import { observeRdp, observeSsh, observeTls, observeVnc } from './remote-access.js';

export function observeApplication(app: AppRecord, frame: FrameRecord): Observation[] {
  switch (app.protocol) {
    case 'dhcp':
      return observeDhcp(app.record, frame);
    case 'lldp':
      return observeLldp(app.record, frame);
    case 'cdp':
      return observeCdp(app.record, frame);
    case 'mdns':
      return observeMdns(app.record, frame);
    // Issue 20: DNS and TeamViewer feed the session tracker only (no device facts).
    case 'tls':
      return observeTls(app.record, frame);
    case 'ssh':
      return observeSsh(app.record, frame);
    case 'rdp':
      return observeRdp(app.record, frame);
    case 'vnc':
      return observeVnc(app.record, frame);
    case 'dns':
    case 'dns_tcp':
    case 'teamviewer':
    case 'teamviewer_udp':
    case 'telnet':
    case 'citrix':
      return [];
  }
}
