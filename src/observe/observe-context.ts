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
  return factAbout(frame, protocol, field, value, subject.mac, subject.ip, subject.vlan);
}

/** factOf with the subject given as its parts: no subject object for the per-frame facts. */
export function factAbout(
  frame: FrameRecord,
  protocol: string,
  field: string,
  value: string | number,
  mac: string | undefined,
  ip: string | undefined,
  vlan: number | undefined,
): Observation {
  // Always the same properties in the same order (absent ones undefined): one hidden class for
  // every observation keeps the model's and identifier's property reads monomorphic.
  return {
    ts: frame.tsMicros, frame: frame.frameNo, protocol, field, value: typeof value === 'string' ? value : String(value),
    mac, ip, vlan,
  };
}

/**
 * The VLAN a device sits on: the innermost tag (the customer C-tag under an 802.1ad S-tag);
 * the whole stack is kept separately as `eth.vlan_stack`.
 */
export function innermostVlan(frame: FrameRecord): number | undefined {
  const tags = frame.vlanTags;
  // No out-of-bounds read on untagged frames: V8 handles those on a slow path.
  return tags.length === 0 ? undefined : tags[tags.length - 1]?.vid;
}

/**
 * A collector of one frame's facts: `fact(field, value, subject?)` skips empty values and
 * repeats of the same field and value (a TLV sent twice is one fact); `out` holds the facts.
 */
export function factCollector(frame: FrameRecord, protocol: string, defaultSubject: Subject = senderOf(frame)) {
  const out: Observation[] = [];
  const fact = (field: string, value: string | number | undefined, subject: Subject = defaultSubject): void => {
    if (value === undefined || value === '') return;
    const text = String(value);
    // A frame gives a few dozen facts at most: a scan is cheaper than a set of built key strings.
    for (let i = 0; i < out.length; i++) {
      const o = out[i] as Observation;
      if (o.field === field && o.value === text) return;
    }
    out.push(factOf(frame, protocol, field, text, subject));
  };
  return { out, fact };
}
