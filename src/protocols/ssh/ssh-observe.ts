/**
 * \summary SSH version banners → observations about the sender (issue 20): `ssh.banner`
 * (`SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.11`) and `ssh.software` (`OpenSSH_8.2p1`).
 */
import { printable } from '../../decode/bytes.js';
import type { FrameRecord } from '../../decode/frame-record.js';
import type { Observation } from '../../observe/observation.js';
import { factOf } from '../../observe/observe-context.js';
import type { SshRecord } from './ssh.js';

export function observeSsh(r: SshRecord | undefined, frame: FrameRecord): Observation[] {
  if (r === undefined) return [];
  return [factOf(frame, 'ssh', 'ssh.banner', printable(r.banner)), factOf(frame, 'ssh', 'ssh.software', printable(r.software))];
}
