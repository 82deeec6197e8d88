/**
 * \summary Kernel drops of a live capture: the PACKET_STATISTICS of the AF_PACKET socket libpcap
 * opened for it (packet(7)), read with getsockopt(2) and added up here.
 *
 * Hand-written: cap 0.2.1 does not expose pcap_stats, and no npm package reads the statistics of
 * a socket another library opened. The socket is found by what is new after cap's open(): the
 * file descriptors of /proc/self/fd whose link is `socket:[INODE]`, matched against the Inode
 * column of /proc/net/packet (the packet sockets of this network namespace) whose Iface column is
 * the capture interface's ifindex (/sys/class/net/<if>/ifindex; 0 for `any`). getsockopt is
 * called through koffi (an optional dependency: a C FFI with prebuilt binaries), loaded only here
 * and only when a live capture opens, so a replay never loads it.
 *
 * The kernel zeroes the counters on every read (net/packet/af_packet.c, packet_getsockopt), so
 * each read is a delta and the totals are kept here. libpcap reads them only in pcap_stats, which
 * cap never calls, so nothing else takes deltas from this socket. tp_packets already includes
 * tp_drops (the kernel adds them before answering), as libpcap's ps_recv does. With TPACKET_V3
 * the answer is struct tpacket_stats_v3 (12 bytes, a freeze count after the two u32); with V1/V2
 * (libpcap in immediate mode, as cap opens it) struct tpacket_stats (8 bytes): the buffer passed
 * holds either and the first two u32 mean the same.
 *
 * Anything missing (not Linux, koffi not installed, no matching socket, getsockopt failing)
 * leaves the figure unknown (null) with a reason, never a throw.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';

/** getsockopt level and option (linux/socket.h SOL_PACKET, linux/if_packet.h PACKET_STATISTICS). */
export const SOL_PACKET = 263;
export const PACKET_STATISTICS = 6;
/** sizeof(struct tpacket_stats_v3): u32 tp_packets, u32 tp_drops, u32 tp_freeze_q_cnt. */
const STATS_BYTES = 12;
/** sizeof(struct tpacket_stats): the least a successful read returns. */
const STATS_MIN_BYTES = 8;

/** One line of /proc/net/packet. */
export interface PacketSocketRow {
  /** Socket inode (the INODE of a `socket:[INODE]` fd link). */
  inode: number;
  /** ifindex the socket is bound to; 0 when unbound (libpcap's `any`). */
  ifindex: number;
  /** SOCK_RAW (3) or SOCK_DGRAM (2). */
  type: number;
}

/**
 * Parses /proc/net/packet (net/packet/af_packet.c, packet_seq_show):
 * `sk RefCnt Type Proto Iface R Rmem User Inode`, the header first. Lines that do not parse are
 * skipped; columns are found by the header's names, so an added column does not break it.
 */
export function parseProcNetPacket(text: string): PacketSocketRow[] {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').trim().split(/\s+/);
  const col = (name: string) => header.indexOf(name);
  const [iInode, iIface, iType] = [col('Inode'), col('Iface'), col('Type')];
  if (iInode < 0 || iIface < 0 || iType < 0) return [];
  const rows: PacketSocketRow[] = [];
  for (const line of lines.slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < header.length) continue;
    const inode = Number(f[iInode]), ifindex = Number(f[iIface]), type = Number(f[iType]);
    if (!Number.isSafeInteger(inode) || !Number.isSafeInteger(ifindex) || !Number.isSafeInteger(type)) continue;
    rows.push({ inode, ifindex, type });
  }
  return rows;
}

/** The inode of a `socket:[INODE]` fd link; null for anything else (files, pipes, anon inodes). */
export function socketInodeOfLink(link: string): number | null {
  const m = /^socket:\[(\d+)\]$/.exec(link);
  return m?.[1] !== undefined ? Number(m[1]) : null;
}

/** This process's socket fds, fd → socket inode (from /proc/self/fd); empty where /proc is absent. */
export function socketFds(): Map<number, number> {
  const out = new Map<number, number>();
  let names: string[];
  try {
    names = readdirSync('/proc/self/fd');
  } catch {
    return out;
  }
  for (const name of names) {
    try {
      const inode = socketInodeOfLink(readlinkSync(`/proc/self/fd/${name}`));
      if (inode !== null) out.set(Number(name), inode);
    } catch {
      // closed between the listing and the readlink (the listing's own fd, for one)
    }
  }
  return out;
}

/**
 * The fd of the packet socket bound to `ifindex` that appeared between `before` and `after`
 * (fd → inode), or why there is none. Several (not expected: libpcap opens one): the highest fd,
 * the one opened last.
 */
export function findCaptureSocket(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>,
  packetSockets: readonly PacketSocketRow[], ifindex: number): { fd: number } | { reason: string } {
  const bound = new Set(packetSockets.filter((r) => r.ifindex === ifindex).map((r) => r.inode));
  let found: number | null = null;
  for (const [fd, inode] of after) {
    if (before.get(fd) === inode || !bound.has(inode)) continue;
    if (found === null || fd > found) found = fd;
  }
  if (found !== null) return { fd: found };
  return { reason: `no packet socket on ifindex ${ifindex} appeared when the interface was opened (/proc/net/packet lists ${packetSockets.length})` };
}

/** One getsockopt(PACKET_STATISTICS) answer: counts since the previous read. */
export interface PacketStatsDelta {
  /** Frames that reached the socket after its filter, drops included (tp_packets). */
  packets: number;
  /** Frames the socket had no room for (tp_drops). */
  drops: number;
}

/** Reads one delta; a string says why it could not. */
export type PacketStatsReader = () => PacketStatsDelta | string;

/**
 * Kernel drop counts of one capture socket. `poll()` reads a delta and adds it; after a failed
 * read or `close()` it reads no more (the fd may be reused by then), and `dropped` is null after a
 * failure, the figures being incomplete from then on.
 */
export class KernelDrops {
  /** tp_packets summed: frames the socket saw, dropped ones included (libpcap's ps_recv). */
  private packetTotal = 0;
  /** tp_drops summed (libpcap's ps_drop). */
  private dropTotal = 0;
  private failed: string | null = null;
  private closed = false;

  constructor(private readonly read: PacketStatsReader) {}

  /** Reads the kernel's counters once and adds them to the totals. */
  poll(): void {
    if (this.closed || this.failed !== null) return;
    const delta = this.read();
    if (typeof delta === 'string') this.failed = delta;
    else {
      this.packetTotal += delta.packets;
      this.dropTotal += delta.drops;
    }
  }

  /** Final read, then no more (call before the socket closes). */
  close(): void {
    this.poll();
    this.closed = true;
  }

  /** Frames the kernel dropped for the capture socket since open; null once a read failed. */
  get dropped(): number | null { return this.failed === null ? this.dropTotal : null; }
  /** Frames that reached the socket (drops included) since open; null once a read failed. */
  get packets(): number | null { return this.failed === null ? this.packetTotal : null; }
  /** Why the figures are unknown, null while they are known. */
  get unavailable(): string | null { return this.failed; }
}

/** The part of koffi used here. */
interface KoffiModule {
  load(path: string): { func(signature: string): (...args: unknown[]) => unknown };
  errno(): number;
}

type GetSockOpt = (fd: number, level: number, name: number, value: Buffer, length: Buffer) => number;

let getsockoptFn: { fn: GetSockOpt; errno: () => number } | string | undefined;

/** getsockopt(2) from the C library through koffi, loaded once; a string says why not. */
function loadGetSockOpt(): { fn: GetSockOpt; errno: () => number } | string {
  if (getsockoptFn !== undefined) return getsockoptFn;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as KoffiModule;
    const libc = koffi.load('libc.so.6');
    const fn = libc.func('int getsockopt(int sockfd, int level, int optname, void *optval, void *optlen)') as GetSockOpt;
    getsockoptFn = { fn, errno: () => koffi.errno() };
  } catch (err) {
    getsockoptFn = `koffi (the C FFI that reads the kernel's socket statistics) is not installed or does not load here: ${(err as Error).message.split('\n')[0] ?? ''}`;
  }
  return getsockoptFn;
}

/** A reader of PACKET_STATISTICS on `fd`. */
function packetStatsReader(fd: number, getsockopt: { fn: GetSockOpt; errno: () => number }): PacketStatsReader {
  const value = Buffer.alloc(STATS_BYTES);
  const length = Buffer.alloc(4);
  return () => {
    length.writeUInt32LE(STATS_BYTES, 0);
    if (getsockopt.fn(fd, SOL_PACKET, PACKET_STATISTICS, value, length) !== 0) {
      return `getsockopt(PACKET_STATISTICS) on fd ${fd} failed (errno ${getsockopt.errno()})`;
    }
    if (length.readUInt32LE(0) < STATS_MIN_BYTES) return `getsockopt(PACKET_STATISTICS) returned ${length.readUInt32LE(0)} bytes`;
    return { packets: value.readUInt32LE(0), drops: value.readUInt32LE(4) };
  };
}

/** The interface's ifindex (/sys/class/net/<if>/ifindex; 0 for libpcap's `any`); null when unreadable. */
export function interfaceIndex(ifname: string): number | null {
  if (ifname === 'any') return 0;
  if (!/^[\w.:@-]{1,15}$/.test(ifname)) return null;
  try {
    const n = Number(readFileSync(`/sys/class/net/${ifname}/ifindex`, 'utf8').trim());
    return Number.isSafeInteger(n) ? n : null;
  } catch {
    return null;
  }
}

/**
 * Kernel drop counting for the capture on `ifname`, given this process's socket fds before the
 * capture opened (`socketFds()`); a string says why it is not available. Reads once here, so a
 * getsockopt that fails is known at open; what that read finds (counted since libpcap made the
 * socket, moments before) is part of the totals.
 */
export function openKernelDrops(ifname: string, before: ReadonlyMap<number, number>): KernelDrops | string {
  if (process.platform !== 'linux') return `kernel drops are read from Linux packet sockets; this is ${process.platform}`;
  const ifindex = interfaceIndex(ifname);
  if (ifindex === null) return `cannot read the ifindex of ${ifname} (/sys/class/net/${ifname}/ifindex)`;
  let table: string;
  try {
    table = readFileSync('/proc/net/packet', 'utf8');
  } catch (err) {
    return `cannot read /proc/net/packet: ${(err as Error).message}`;
  }
  const found = findCaptureSocket(before, socketFds(), parseProcNetPacket(table), ifindex);
  if ('reason' in found) return found.reason;
  const getsockopt = loadGetSockOpt();
  if (typeof getsockopt === 'string') return getsockopt;
  const drops = new KernelDrops(packetStatsReader(found.fd, getsockopt));
  drops.poll();
  return drops.unavailable ?? drops;
}
