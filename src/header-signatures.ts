/**
 * \summary Header signatures (issue 14): the known-frame replay for plain TCP and UDP frames,
 * which the known-frame table never looks up (a TCP segment's sequence numbers make every frame
 * new). What the address binder, hygiene, the device model and location do with such a frame
 * depends only on its sender's fields: source MAC, source address, TTL, VLAN tags, the class of
 * its destination address (src/observe/address-binder.ts `destinationClass`) and a bad IPv4
 * header checksum (src/observe/frame.ts reads no more of a frame without a tunnel, ARP or SGT,
 * and the observations it makes name only the sender). So the moves a frame's full processing
 * recorded (src/device/touch-log.ts) are those of the next frame with the same signature, while
 * nothing they read has changed (src/state-version.ts): the pipeline replays them and skips the
 * binder, hygiene, the model and location. The flow stages (remote sessions, TCP streams, the
 * communication profile) run on every frame first; a frame the stream decoders made
 * observations of takes the full path.
 *
 * Bounded: at most `maxSignatures` signatures (past it the table is emptied,
 * `Pipeline.knownFrameStats.signaturesCleared`) and `PER_SENDER` per sender MAC (the oldest
 * replaced). Hand-written: a table of a few fields per sender, no library does this.
 */
import type { FrameRecord } from './decode/frame-record.js';
import type { RecordedTouches } from './device/touch-log.js';
import { destinationClass } from './observe/address-binder.js';

/** Signatures kept per sender MAC (a router forwards for many addresses: the oldest go first). */
export const PER_SENDER = 16;

export interface HeaderSignature {
  readonly ip: string;
  readonly ttl: number;
  readonly vlans: number;
  readonly dst: 0 | 1 | 2;
  readonly badChecksum: boolean;
  /** What the last full processing of a frame with this signature moved and read. */
  touches: RecordedTouches | undefined;
}

/** True for a frame whose binder, model and location moves its signature determines. */
export function isPlain(frame: FrameRecord): boolean {
  return frame.ip !== undefined && frame.srcMac !== undefined && (frame.payloadKind === 'tcp' || frame.payloadKind === 'udp') &&
    frame.tunnel === undefined && frame.arp === undefined && frame.sgt === undefined && frame.wlanProtected !== true &&
    (frame.encap === undefined || frame.encap.length === 0) && frame.vlanTags.length <= 2;
}

/** The VLAN ids of at most two tags as one number (the tag count in the high bits). */
function vlanKey(frame: FrameRecord): number {
  const tags = frame.vlanTags;
  if (tags.length === 0) return 0;
  if (tags.length === 1) return 0x1000000 + (tags[0]?.vid ?? 0);
  return 0x2000000 + (tags[0]?.vid ?? 0) * 4096 + (tags[1]?.vid ?? 0);
}

export class HeaderSignatures {
  private readonly bySender = new Map<string, HeaderSignature[]>();
  private count = 0;
  /** Frames whose recorded moves were replayed, and times the table was emptied at its cap. */
  replayed = 0;
  cleared = 0;

  constructor(private readonly maxSignatures: number) {}

  get size(): number {
    return this.count;
  }

  /** The signature of a plain frame (`isPlain`), found or added. */
  entryFor(frame: FrameRecord): HeaderSignature {
    const mac = frame.srcMac as string;
    const ip = frame.ip as NonNullable<FrameRecord['ip']>;
    const vlans = vlanKey(frame);
    const dst = destinationClass(ip.dst);
    const badChecksum = ip.badChecksum === true;
    let list = this.bySender.get(mac);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const e = list[i] as HeaderSignature;
        if (e.ip === ip.src && e.ttl === ip.ttl && e.vlans === vlans && e.dst === dst && e.badChecksum === badChecksum) return e;
      }
    }
    if (this.count >= this.maxSignatures) {
      this.bySender.clear();
      this.count = 0;
      this.cleared++;
      list = undefined;
    }
    const entry: HeaderSignature = { ip: ip.src, ttl: ip.ttl, vlans, dst, badChecksum, touches: undefined };
    if (list === undefined) {
      list = [];
      this.bySender.set(mac, list);
    }
    if (list.length >= PER_SENDER) {
      list.shift();
      this.count--;
    }
    list.push(entry);
    this.count++;
    return entry;
  }
}
