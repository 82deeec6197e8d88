/**
 * \summary Helper for observers: build an observation tied to the frame a record came from.
 */
import type { FrameRecord } from '../decode/frame-record.js';
import type { Observation } from './observation.js';

/** Which device a fact is about. Default: the frame's sender (source MAC, source IP, outer VLAN). */
export interface Subject {
  mac?: string | undefined;
  ip?: string | undefined;
  vlan?: number | undefined;
}

export function senderOf(frame: FrameRecord): Subject {
  return { mac: frame.srcMac, ip: frame.ip?.src, vlan: innermostVlan(frame) };
}

/** One observation `field = value` about `subject` (default: the frame's sender). */
export function factOf(
  frame: FrameRecord,
  protocol: string,
  field: string,
  value: string | number,
  subject: Subject = senderOf(frame),
): Observation {
  const o: Observation = { ts: frame.tsMicros, frame: frame.frameNo, protocol, field, value: String(value) };
  if (subject.mac !== undefined) o.mac = subject.mac;
  if (subject.ip !== undefined) o.ip = subject.ip;
  if (subject.vlan !== undefined) o.vlan = subject.vlan;
  return o;
}

/**
 * The VLAN a device sits on: the innermost tag (the customer C-tag under an 802.1ad S-tag);
 * the whole stack is kept separately as `eth.vlan_stack`.
 */
export function innermostVlan(frame: FrameRecord): number | undefined {
  return frame.vlanTags[frame.vlanTags.length - 1]?.vid;
}

/**
 * A collector of one frame's facts: `fact(field, value, subject?)` skips empty values and
 * repeats of the same field and value (a TLV sent twice is one fact); `out` holds the facts.
 */
export function factCollector(frame: FrameRecord, protocol: string, defaultSubject: Subject = senderOf(frame)) {
  const out: Observation[] = [];
  const seen = new Set<string>();
  const fact = (field: string, value: string | number | undefined, subject: Subject = defaultSubject): void => {
    if (value === undefined || value === '') return;
    const key = `${field}\u0000${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(factOf(frame, protocol, field, value, subject));
  };
  return { out, fact };
}
