/**
 * The known-frame table on real frames: what is masked hits, what has meaning misses, TCP is
 * never looked up, and the byte budget evicts senders (lowered here).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CapturedFrame } from '../../../src/capture/captured-frame.js';
import { detached, DORMANT_WINDOWS, ENTRY_OVERHEAD_BYTES, FACT_BYTES, KNOWN_FRAME_LIMITS as DEFAULTS, KnownFrames, SENDER_BYTES } from '../../../src/capture/known-frames.js';
import { PORT_KEYED_UDP_PORTS } from '../../../src/decode/registry.js';

/** Remembered at the first sighting, so each test reads as one lookup per copy; the doorkeeper has its own test. */
const KNOWN_FRAME_LIMITS = { ...DEFAULTS, enabled: true, rememberAfter: 1 as const };
import { decodeFrame, restampFrame } from '../../../src/decode/frame.js';
import { ROOT } from '../../helpers/cli.js';
import { readCapturedFrames } from '../../helpers/frames.js';

const DHCP = join(ROOT, 'fixtures/dhcp/lab-dhcp-clients.pcapng');

/** b[i] ^= x (noUncheckedIndexedAccess: a plain `b[i] ^= x` does not typecheck). */
function flip(b: Uint8Array, i: number, x: number): void {
  b[i] = (b[i] ?? 0) ^ x;
}

function variant(f: CapturedFrame, edit: (b: Uint8Array) => void): CapturedFrame {
  const data = Uint8Array.from(f.data);
  edit(data);
  return { ...f, data, frameNo: f.frameNo + 1000 };
}

/** Offset of the IPv4 header in an untagged Ethernet frame. */
const IP = 14;

function fixIpChecksum(b: Uint8Array): void {
  b[IP + 10] = 0;
  b[IP + 11] = 0;
  const ihl = (b[IP]! & 0x0f) * 4;
  let sum = 0;
  for (let i = 0; i < ihl; i += 2) sum += (b[IP + i]! << 8) | b[IP + i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  b[IP + 10] = c >> 8;
  b[IP + 11] = c & 0xff;
}

async function dhcpFrame(): Promise<CapturedFrame> {
  const frames = await readCapturedFrames(DHCP);
  const f = frames.find((x) => decodeFrame(x).value.udp?.dstPort === 67 && x.data[12] === 0x08 && x.data[13] === 0x00);
  if (f === undefined) throw new Error('no untagged DHCP request in the fixture');
  return f;
}

describe('KnownFrames', () => {
  it('a repeat hits; IPv4 id and checksum, UDP checksum, DHCP xid and secs are masked', async () => {
    const f = await dhcpFrame();
    const t = new KnownFrames<string>(KNOWN_FRAME_LIMITS);
    expect(t.lookup(f)).toBeUndefined();
    t.remember('first', 3);
    expect(t.lookup(f)).toBe('first');
    const udp = IP + (f.data[IP]! & 0x0f) * 4;
    const masked = variant(f, (b) => {
      flip(b, IP + 4, 0x5a); // identification
      fixIpChecksum(b);
      flip(b, udp + 6, 0xff); // UDP checksum
      flip(b, udp + 8 + 4, 0x11); // xid
      flip(b, udp + 8 + 9, 0x01); // secs
    });
    expect(t.lookup(masked)).toBe('first');
    expect(t.stats).toMatchObject({ hits: 2, misses: 1, remembered: 1 });
  });

  it('a change with meaning misses: TTL, a bad header checksum, a DHCP option byte, another sender', async () => {
    const f = await dhcpFrame();
    const t = new KnownFrames<string>(KNOWN_FRAME_LIMITS);
    t.lookup(f);
    t.remember('first', 1);
    const udp = IP + (f.data[IP]! & 0x0f) * 4;
    const ttl = variant(f, (b) => { b[IP + 8] = (b[IP + 8]! + 1) & 0xff; fixIpChecksum(b); });
    const badChecksum = variant(f, (b) => { flip(b, IP + 10, 0x01); });
    const option = variant(f, (b) => { flip(b, b.length - 2, 0x01); });
    const chaddr = variant(f, (b) => { flip(b, udp + 8 + 28 + 5, 0x01); });
    const sender = variant(f, (b) => { flip(b, 11, 0x01); });
    for (const v of [ttl, badChecksum, option, chaddr, sender]) expect(t.lookup(v)).toBeUndefined();
    expect(decodeFrame(badChecksum).anomalies).toContain('ipv4.bad_checksum');
    expect(t.stats.hits).toBe(0);
  });

  it('TCP segments and non-Ethernet frames are never looked up; nothing is remembered for them', () => {
    const t = new KnownFrames<string>(KNOWN_FRAME_LIMITS);
    const tcp = new Uint8Array(60);
    tcp.set([0, 1, 2, 3, 4, 5, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45], 0);
    tcp[IP + 9] = 6;
    const frame: CapturedFrame = { frameNo: 1, tsMicros: 1, linkType: 1, originalLength: 60, data: tcp };
    expect(t.lookup(frame)).toBeUndefined();
    t.remember('tcp', 0);
    expect(t.lookup(frame)).toBeUndefined();
    expect(t.lookup({ ...frame, linkType: 101 })).toBeUndefined();
    expect(t.stats).toMatchObject({ ineligible: 3, remembered: 0, misses: 0 });
  });

  it('switched off, nothing is looked up', async () => {
    const f = await dhcpFrame();
    const t = new KnownFrames<string>({ ...KNOWN_FRAME_LIMITS, enabled: false });
    t.lookup(f);
    t.remember('x', 0);
    expect(t.lookup(f)).toBeUndefined();
    expect(t.senderCount).toBe(0);
  });

  it('keeps framesPerSender per sender and evicts the first senders past maxBytes', async () => {
    const frames = (await readCapturedFrames(DHCP)).filter((f) => f.data.length <= KNOWN_FRAME_LIMITS.maxFrameBytes);
    const senders = new Set(frames.map((f) => Buffer.from(f.data.subarray(6, 12)).toString('hex')));
    expect(senders.size).toBeGreaterThan(2);
    const budget = 3 * (SENDER_BYTES + 600 + ENTRY_OVERHEAD_BYTES + FACT_BYTES);
    const t = new KnownFrames<number>({ ...KNOWN_FRAME_LIMITS, maxBytes: budget, framesPerSender: 2 });
    for (const f of frames) {
      if (t.lookup(f) === undefined) t.remember(f.frameNo, 1);
      expect(t.heldBytes).toBeLessThanOrEqual(budget);
    }
    expect(t.stats.sendersEvicted).toBeGreaterThan(0);
    expect(t.senderCount).toBeLessThanOrEqual(3);
  });

  it('finds each of a sender\'s many frames by hash, and forgets the ones its slots were reused for', async () => {
    const f = await dhcpFrame();
    const at = f.data.length - 2; // a DHCP option byte: a change with meaning
    const distinct = Array.from({ length: 600 }, (_, i) => variant(f, (b) => { b[at] = i & 0xff; b[at - 1] = i >> 8; }));
    const t = new KnownFrames<number>({ ...KNOWN_FRAME_LIMITS, framesPerSender: 512, maxBytes: 64 * 1024 * 1024 });
    distinct.forEach((d, i) => {
      expect(t.lookup(d)).toBeUndefined();
      t.remember(i, 1);
    });
    // The first 88 slots were reused: those frames miss; each of the last 512 hits with its own value.
    distinct.forEach((d, i) => {
      const hit = t.lookup(d);
      if (i < 88) {
        expect(hit, String(i)).toBeUndefined();
      } else {
        expect(hit, String(i)).toBe(i);
      }
    });
    expect(t.stats.hits).toBe(512);
  });

  it('with rememberAfter 2, a frame is remembered at its second sighting; the first costs its hash, at most maxSeenOnce of them', async () => {
    const f = await dhcpFrame();
    const t = new KnownFrames<string>({ ...KNOWN_FRAME_LIMITS, rememberAfter: 2, maxSeenOnce: 4 });
    expect(t.lookup(f)).toBeUndefined();
    expect(t.remembering).toBe(false);
    expect(t.remember('first', 1)).toBe(false);
    expect(t.heldBytes, 'a frame seen once costs no sender record').toBe(0);
    expect(t.lookup(f)).toBeUndefined();
    expect(t.remembering).toBe(true);
    expect(t.remember('second', 1)).toBe(true);
    expect(t.lookup(f)).toBe('second');
    expect(t.stats).toMatchObject({ hits: 1, misses: 2, remembered: 1 });
    // Frames seen once: at most maxSeenOnce are held; the oldest is forgotten first, and counted.
    const at = f.data.length - 2;
    const distinct = Array.from({ length: 6 }, (_, i) => variant(f, (b) => { b[at] = 0x80 | i; }));
    for (const d of distinct) expect(t.lookup(d)).toBeUndefined();
    expect(t.stats.onceForgotten).toBe(2);
    expect(t.lookup(distinct[0]!)).toBeUndefined();
    expect(t.remembering, 'the oldest hash was forgotten').toBe(false);
    expect(t.lookup(distinct[5]!)).toBeUndefined();
    expect(t.remembering, 'a recent hash was kept').toBe(true);
    // The same bytes from another sender are another frame.
    const other = variant(f, (b) => flip(b, 11, 1));
    expect(t.lookup(other)).toBeUndefined();
    expect(t.remembering).toBe(false);
  });

  it('with the decoders\' UDP ports given, a datagram on other ports is not looked up', async () => {
    const f = await dhcpFrame();
    const t = new KnownFrames<string>(KNOWN_FRAME_LIMITS, PORT_KEYED_UDP_PORTS);
    const ihl = (f.data[IP]! & 0x0f) * 4;
    // The same datagram moved to ports 16384 -> 16385 (RTP-like: nothing decodes it by port).
    const rtp = variant(f, (b) => { b[IP + ihl] = 0x40; b[IP + ihl + 1] = 0x00; b[IP + ihl + 2] = 0x40; b[IP + ihl + 3] = 0x01; });
    expect(t.lookup(rtp)).toBeUndefined();
    t.remember('rtp', 0);
    expect(t.lookup(rtp)).toBeUndefined();
    expect(t.stats).toMatchObject({ ineligible: 2, remembered: 0 });
    expect(t.lookup(f)).toBeUndefined();
    t.remember('dhcp', 0);
    expect(t.lookup(f)).toBe('dhcp');
    // Without the set every UDP datagram is looked up.
    const any = new KnownFrames<string>(KNOWN_FRAME_LIMITS);
    any.lookup(rtp);
    any.remember('rtp', 0);
    expect(any.lookup(rtp)).toBe('rtp');
  });

  it('a remembered record copies its byte views out of the read chunk, keeping each object\'s keys', () => {
    const chunk = new Uint8Array(256 * 1024);
    const record = { protocol: 'x', options: [{ code: 1, value: chunk.subarray(10, 14) }], name: 'a', nested: { raw: chunk.subarray(0, 2), n: 3 } };
    const copy = detached(record);
    expect(copy).toEqual(record);
    expect(copy.options[0]!.value.buffer.byteLength).toBe(4);
    expect(copy.nested.raw.buffer.byteLength).toBe(2);
    expect(Object.keys(copy)).toEqual(Object.keys(record));
    expect(copy.nested).not.toBe(record.nested);
  });

  it('a replayed frame record has the decoder\'s keys in the decoder\'s order (one hidden class downstream)', async () => {
    const decoded = decodeFrame(await dhcpFrame()).value;
    const replayed = restampFrame(decoded, 7, 8, new Uint8Array(0));
    expect(Object.keys(replayed)).toEqual(Object.keys(decoded));
    expect(replayed).toEqual({ ...decoded, frameNo: 7, tsMicros: 8, payload: new Uint8Array(0) });
  });

  it('a probe window with too few repeats puts the table to sleep for DORMANT_WINDOWS windows of eligible frames', async () => {
    const f = await dhcpFrame();
    const at = f.data.length - 2;
    const distinct = Array.from({ length: 4 }, (_, i) => variant(f, (b) => { b[at] = 0x80 | i; }));
    const t = new KnownFrames<number>({ ...KNOWN_FRAME_LIMITS, probeWindow: 4, minRepeatShare: 0.5 });
    distinct.forEach((d, i) => {
      expect(t.lookup(d)).toBeUndefined();
      t.remember(i, 1);
    });
    expect(t.stats.sleeps).toBe(1);
    // Asleep: even a remembered frame is decoded in full, and nothing new is remembered.
    for (let i = 0; i < DORMANT_WINDOWS * 4; i++) {
      expect(t.lookup(distinct[0]!)).toBeUndefined();
      expect(t.remember(-1, 1)).toBe(false);
    }
    expect(t.stats.dormant).toBe(DORMANT_WINDOWS * 4);
    // Awake again: it hits, and a window of repeats keeps it awake.
    for (let i = 0; i < 8; i++) expect(t.lookup(distinct[i % 4]!)).toBe(i % 4);
    expect(t.stats.sleeps).toBe(1);
    // probeWindow 0: never asleep.
    const never = new KnownFrames<number>({ ...KNOWN_FRAME_LIMITS, probeWindow: 0 });
    for (const d of [...distinct, ...distinct.map((d) => variant(d, (b) => flip(b, at - 1, 1)))]) never.lookup(d);
    expect(never.stats.sleeps).toBe(0);
  });
});
