/**
 * \summary The unit every capture source produces: one link-layer frame with its timestamp.
 *
 * Sources (pcap file, pcapng file, live libpcap) hand frames on in batches, because an await
 * per packet costs more than decoding a DHCP packet.
 */

/** libpcap LINKTYPE_* values auscult decodes (https://www.tcpdump.org/linktypes.html). */
export const LINKTYPE = {
  NULL: 0, // BSD loopback: 4-byte host-order address family
  ETHERNET: 1,
  RAW: 101, // raw IPv4/IPv6, version from the first nibble
  LINUX_SLL: 113,
  LOOP: 108, // OpenBSD loopback: 4-byte network-order address family
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export interface CapturedFrame {
  /** 1-based frame number within the source, as tshark numbers frames (`frame.number`). */
  frameNo: number;
  /** Capture time in microseconds since the Unix epoch (integer; exact below 2^53). */
  tsMicros: number;
  /** libpcap LINKTYPE of the interface this frame was captured on. */
  linkType: number;
  /** Bytes on the wire (may exceed `data.length` when the snaplen cut the frame). */
  originalLength: number;
  /** The captured bytes (`data.length` is the captured length). May be a view into a larger buffer: copy before keeping. */
  data: Uint8Array;
}

/** A non-fatal problem in a capture file: the frames before it were delivered. */
export interface CaptureWarning {
  /** Stable code, e.g. `capture.truncated_record`, `pcapng.bad_block_length`. */
  code: string;
  /** Byte offset in the (decompressed) file where the problem was found. */
  offset: number;
  /** One human sentence; never contains payload bytes. */
  message: string;
}

/** A capture source: async batches of frames, plus warnings collected along the way. */
export interface FrameSource {
  /** Yields frames in batches (arrays are not reused by the source after being yielded). */
  batches(): AsyncIterable<CapturedFrame[]>;
  /** Warnings met so far (truncation, bad blocks, unknown link types...). */
  readonly warnings: CaptureWarning[];
}
