/**
 * \summary RDP connection requests and confirms → observations (issue 20):
 * `rdp.requested_protocols` (`ssl,hybrid`) from a client, `rdp.selected_protocol` from a server.
 * Never observed: the X.224 cookie (a user name; the decoder never decodes it).
 */
import type { FrameRecord } from '../../decode/frame-record.js';
import type { Observation } from '../../observe/observation.js';
import { factOf } from '../../observe/observe-context.js';
import type { RdpRecord } from './rdp.js';

export function observeRdp(r: RdpRecord | undefined, frame: FrameRecord): Observation[] {
  if (r === undefined) return [];
  if (r.requestedProtocols !== undefined) return [factOf(frame, 'rdp', 'rdp.requested_protocols', r.requestedProtocols.join(','))];
  if (r.selectedProtocol !== undefined) return [factOf(frame, 'rdp', 'rdp.selected_protocol', r.selectedProtocol)];
  return [];
}
