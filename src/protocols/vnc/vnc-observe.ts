/**
 * \summary VNC/RFB banners → observations about the sender (issue 20): `vnc.rfb_version` (`3.8`).
 */
import type { FrameRecord } from '../../decode/frame-record.js';
import type { Observation } from '../../observe/observation.js';
import { factOf } from '../../observe/observe-context.js';
import type { VncRecord } from './vnc.js';

export function observeVnc(r: VncRecord | undefined, frame: FrameRecord): Observation[] {
  return r === undefined ? [] : [factOf(frame, 'vnc', 'vnc.rfb_version', r.version)];
}
