/**
 * \summary The in-repo libpcap capture addon (native/pcap-capture/capture.c, built into
 * `dist/native/` by `npm run build`): its loader, its record format and the helpers live.ts
 * needs to turn its output into CapturedFrames.
 *
 * Why an addon and not `cap` (issue 14, live capture): cap 0.2.1 opens libpcap in immediate mode,
 * which on Linux is TPACKET_V2 with one 64 KiB slot per frame, so the default 32 MiB kernel
 * buffer holds 512 frames (3 ms of 1 Gb/s) and a cold start lost hundreds of frames; it also has
 * a fixed snaplen, no pcap_stats, no kernel timestamp or wire length, and calls JavaScript once
 * per frame. The addon opens libpcap without immediate mode (TPACKET_V3: frames packed into
 * blocks by their real length, tens of thousands in the same buffer), with the snaplen and buffer
 * size from the config, and copies a whole batch into a caller's Buffer per call. It needs what
 * `cap` needed to build (a compiler, make, libpcap-dev), so `cap` and koffi (which read cap's
 * kernel drops with getsockopt) were removed with it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { LINKTYPE } from './captured-frame.js';
import { PACKAGE_ROOT } from '../package-root.js';

/** An open capture (an N-API external). */
export type PcapHandle = { readonly __pcapHandle: unique symbol };

/** The addon's functions (native/pcap-capture/capture.c documents each). */
export interface PcapAddon {
  /** Opens and activates; `onReadable(status, message)` runs when the kernel has frames (status < 0: polling failed, and libuv says why). Returns [handle, DLT, activation warning or '']. Throws libpcap's message. */
  open(iface: string, snaplen: number, bufferSize: number, timeoutMs: number, promiscuous: boolean, filter: string, onReadable: (status: number, message: string) => void): [PcapHandle, number, string];
  /** Copies frames as records into `buffer` from `offset`; returns the end offset (== offset when nothing was read). */
  dispatch(handle: PcapHandle, buffer: Buffer, offset: number, maxFrames: number): number;
  /** pcap_stats: [received, kernel drops, interface drops, frames lost in the copy] (u32, wrapping), null once closed. */
  stats(handle: PcapHandle): [number, number, number, number] | null;
  close(handle: PcapHandle): void;
  libVersion(): string;
}

/** Bytes before each frame in the dispatch buffer: u32le caplen, u32le wire length, f64le µs. */
export const RECORD_HEADER_BYTES = 16;

/**
 * TPACKET_V3 block timeout: a block that is not full is handed over after this long, so it bounds
 * the latency of a quiet network (and what a close can leave behind), not the throughput.
 */
export const BLOCK_TIMEOUT_MS = 25;

/** Where `npm run build` puts the addon. */
export function pcapAddonPath(): string {
  return join(PACKAGE_ROOT, 'dist', 'native', 'auscult_pcap.node');
}

let addon: PcapAddon | null | undefined;
let addonError = '';

/** Loads the addon once; null (and `pcapAddonUnavailable()` says why) when it is absent or does not load. */
export function loadPcapAddon(): PcapAddon | null {
  if (addon !== undefined) return addon;
  const path = pcapAddonPath();
  if (!existsSync(path)) {
    addonError = `${path} is not built (npm run build needs gcc, make and libpcap-dev)`;
    addon = null;
    return addon;
  }
  try {
    addon = createRequire(import.meta.url)(path) as PcapAddon;
  } catch (err) {
    addonError = `${path} does not load: ${(err as Error).message}`;
    addon = null;
  }
  return addon;
}

/** Why loadPcapAddon() returned null ('' when it loaded or was not tried). */
export function pcapAddonUnavailable(): string {
  return addonError;
}

/** One frame record of a dispatch buffer: where its bytes are, and what libpcap said of it. */
export interface CaptureRecord {
  /** Offset of the frame's first byte in the buffer. */
  dataStart: number;
  capturedLength: number;
  wireLength: number;
  tsMicros: number;
}

/**
 * Walks the records dispatch() wrote between `start` and `end` of `buffer`, calling `onRecord`
 * for each whole one; returns the offset after the last whole record. A record whose header or
 * bytes would pass `end` stops the walk (the addon never writes one, and nothing past `end` is
 * read, whatever a header claims).
 */
export function walkCaptureRecords(buffer: Buffer, start: number, end: number, onRecord: (record: CaptureRecord) => void): number {
  const limit = Math.min(end, buffer.length);
  let at = Math.max(0, start);
  while (at + RECORD_HEADER_BYTES <= limit) {
    const capturedLength = buffer.readUInt32LE(at);
    const dataStart = at + RECORD_HEADER_BYTES;
    if (capturedLength > limit - dataStart) break;
    onRecord({ dataStart, capturedLength, wireLength: buffer.readUInt32LE(at + 4), tsMicros: Math.round(buffer.readDoubleLE(at + 8)) });
    at = dataStart + capturedLength;
  }
  return at;
}

/**
 * libpcap DLT values to the LINKTYPE auscult decodes (they agree except DLT_RAW, which is 12 on
 * Linux and 14 on OpenBSD); undefined for a link type auscult does not decode.
 */
const LINKTYPE_BY_DLT: ReadonlyMap<number, number> = new Map([
  [1, LINKTYPE.ETHERNET],
  [113, LINKTYPE.LINUX_SLL],
  [12, LINKTYPE.RAW],
  [14, LINKTYPE.RAW],
  [0, LINKTYPE.NULL],
  [127, 127], // IEEE802_11_RADIO (monitor mode)
  [9, 9], // PPP
  [104, 104], // Cisco HDLC
  [105, 105], // plain 802.11
  [276, 276], // LINUX_SLL2
]);

export function linkTypeOfDlt(dlt: number): number | undefined {
  return LINKTYPE_BY_DLT.get(dlt);
}

/**
 * A running total of a u32 counter that wraps (libpcap keeps pcap_stats in `u_int`): each read
 * adds what the counter moved since the last, modulo 2^32.
 */
export class WrappingTotal {
  private last = 0;
  total = 0;

  update(current: number): number {
    this.total += (current - this.last) >>> 0;
    this.last = current >>> 0;
    return this.total;
  }
}
