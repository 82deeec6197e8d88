/**
 * Kernel drops of a live capture (src/capture/kernel-drops.ts): /proc/net/packet is parsed by its
 * header, the capture's packet socket is the one new since open on the interface's ifindex, and
 * the kernel's counters (zeroed on every read) are added up across reads.
 */
import { describe, expect, it } from 'vitest';
import {
  findCaptureSocket, interfaceIndex, KernelDrops, openKernelDrops, parseProcNetPacket, socketInodeOfLink, socketFds,
  type PacketStatsDelta,
} from '../../../src/capture/kernel-drops.js';

// The kernel's layout (header and a socket line as a 6.18 kernel prints them, hashed sk), with
// made-up sockets: a capture on ifindex 2, an unbound `any` capture, the sensor's on ifindex 7.
const PROC_NET_PACKET = `sk               RefCnt Type Proto  Iface R Rmem   User   Inode
00000000d8076325 3      3    0003   2     1 0      0      48213
000000004f1c2a90 3      2    0003   0     1 0      0      48377
00000000a1e7b3c2 3      3    0003   7     1 212992 0      51822
`;

describe('parseProcNetPacket', () => {
  it('reads inode, ifindex and type of every socket', () => {
    expect(parseProcNetPacket(PROC_NET_PACKET)).toEqual([
      { inode: 48213, ifindex: 2, type: 3 },
      { inode: 48377, ifindex: 0, type: 2 },
      { inode: 51822, ifindex: 7, type: 3 },
    ]);
  });

  it('finds columns by name (a kernel that adds one still parses) and skips lines that do not parse', () => {
    const text = 'sk RefCnt Type Proto Iface R Rmem User Extra Inode\nffff 3 3 0003 4 1 0 0 x 99\ngarbage\nffff 3 3 0003 zz 1 0 0 x 5\n';
    expect(parseProcNetPacket(text)).toEqual([{ inode: 99, ifindex: 4, type: 3 }]);
  });

  it('gives nothing for an empty table or a header it does not know', () => {
    expect(parseProcNetPacket('sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n')).toEqual([]);
    expect(parseProcNetPacket('')).toEqual([]);
    expect(parseProcNetPacket('a b c\n1 2 3\n')).toEqual([]);
  });
});

describe('socketInodeOfLink', () => {
  it('takes the inode of socket links only', () => {
    expect(socketInodeOfLink('socket:[51822]')).toBe(51822);
    expect(socketInodeOfLink('pipe:[51822]')).toBeNull();
    expect(socketInodeOfLink('anon_inode:[eventpoll]')).toBeNull();
    expect(socketInodeOfLink('/dev/null')).toBeNull();
  });

  it('socketFds lists this process\'s sockets where /proc exists', () => {
    const fds = socketFds();
    if (process.platform === 'linux') for (const inode of fds.values()) expect(inode).toBeGreaterThan(0);
    else expect(fds.size).toBe(0);
  });
});

describe('findCaptureSocket', () => {
  const rows = parseProcNetPacket(PROC_NET_PACKET);
  it('picks the packet socket on the interface that appeared when the capture opened', () => {
    const before = new Map([[3, 48213], [5, 11111]]);
    const after = new Map([[3, 48213], [5, 11111], [21, 51822], [22, 60000]]);
    expect(findCaptureSocket(before, after, rows, 7)).toEqual({ fd: 21 });
  });

  it('ignores a packet socket on the interface that was open before (another capture of this process)', () => {
    const before = new Map([[19, 51822]]);
    expect(findCaptureSocket(before, new Map([[19, 51822]]), rows, 7)).toEqual({ reason: expect.stringContaining('ifindex 7') as unknown });
  });

  it('takes a reused fd number whose socket changed', () => {
    expect(findCaptureSocket(new Map([[21, 40000]]), new Map([[21, 51822]]), rows, 7)).toEqual({ fd: 21 });
  });

  it('ignores new packet sockets on other interfaces; `any` is ifindex 0', () => {
    const after = new Map([[30, 48213], [31, 48377]]);
    expect('reason' in findCaptureSocket(new Map(), after, rows, 7)).toBe(true);
    expect(findCaptureSocket(new Map(), after, rows, 0)).toEqual({ fd: 31 });
  });

  it('of several, takes the highest fd (the last opened)', () => {
    const two = [...rows, { inode: 70000, ifindex: 7, type: 3 }];
    expect(findCaptureSocket(new Map(), new Map([[21, 51822], [24, 70000]]), two, 7)).toEqual({ fd: 24 });
  });
});

describe('KernelDrops: the kernel zeroes its counters on each read, the totals are kept here', () => {
  const script = (...answers: (PacketStatsDelta | string)[]) => {
    let i = 0;
    return () => answers[Math.min(i++, answers.length - 1)]!;
  };

  it('adds every delta up, packets and drops', () => {
    const t = new KernelDrops(script({ packets: 100, drops: 40 }, { packets: 0, drops: 0 }, { packets: 3700, drops: 3700 }));
    t.poll();
    t.poll();
    t.poll();
    expect([t.packets, t.dropped]).toEqual([3800, 3740]);
  });

  it('polls accumulate, and the totals never go back when a read finds nothing new', () => {
    const k = new KernelDrops(script({ packets: 16, drops: 0 }, { packets: 2990, drops: 2990 }, { packets: 794, drops: 794 }, { packets: 0, drops: 0 }));
    k.poll();
    expect(k.dropped).toBe(0);
    k.poll();
    expect(k.dropped).toBe(2990);
    k.poll();
    k.poll();
    expect(k.dropped).toBe(3784);
    expect(k.packets).toBe(3800);
    expect(k.unavailable).toBeNull();
  });

  it('reads one last time on close, then never again (the fd may be reused)', () => {
    let reads = 0;
    const k = new KernelDrops(() => { reads++; return { packets: 5, drops: 2 }; });
    k.poll();
    k.close();
    k.poll();
    k.poll();
    expect(reads).toBe(2);
    expect(k.dropped).toBe(4);
  });

  it('a failed read makes the figure unknown (null) with the reason, and stops reading', () => {
    let reads = 0;
    const answers = script({ packets: 10, drops: 3 }, 'getsockopt(PACKET_STATISTICS) on fd 21 failed (errno 9)');
    const k = new KernelDrops(() => { reads++; return answers(); });
    k.poll();
    k.poll();
    k.poll();
    expect(reads).toBe(2);
    expect(k.dropped).toBeNull();
    expect(k.packets).toBeNull();
    expect(k.unavailable).toBe('getsockopt(PACKET_STATISTICS) on fd 21 failed (errno 9)');
  });
});

describe.skipIf(process.platform !== 'linux')('openKernelDrops says why when there is nothing to count', () => {
  it('no such interface', () => {
    expect(interfaceIndex('nosuchif0')).toBeNull();
    expect(openKernelDrops('nosuchif0', new Map())).toMatch(/cannot read the ifindex of nosuchif0/);
  });

  it('no packet socket opened since `before`', () => {
    expect(interfaceIndex('lo')).toBeGreaterThan(0);
    expect(openKernelDrops('lo', socketFds())).toMatch(/^no packet socket on ifindex \d+ appeared/);
  });
});
