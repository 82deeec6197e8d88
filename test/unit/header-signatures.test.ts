/**
 * Header signatures: which frames are plain, which fields make two frames' signatures equal (the
 * sender's, never the destination address beyond its class), and the caps (16 per sender, the
 * table emptied past `maxSignatures`, lowered here).
 */
import { describe, expect, it } from 'vitest';
import type { FrameRecord } from '../../src/decode/frame-record.js';
import { HeaderSignatures, isPlain, PER_SENDER } from '../../src/header-signatures.js';

function frame(over: { mac?: string; src?: string; dst?: string; ttl?: number; vids?: number[]; badChecksum?: boolean } = {}): FrameRecord {
  return {
    frameNo: 1, tsMicros: 1, srcMac: over.mac ?? '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02',
    vlanTags: (over.vids ?? []).map((vid) => ({ tpid: 0x8100, pcp: 0, dei: false, vid })),
    ip: { version: 4, src: over.src ?? '10.0.0.1', dst: over.dst ?? '10.0.0.2', protocol: 6, ttl: over.ttl ?? 64, fragment: false, ...(over.badChecksum === true ? { badChecksum: true } : {}) },
    tcp: { srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: 0x10, window: 0 }, payloadKind: 'tcp', payload: new Uint8Array(0),
  } as FrameRecord;
}

describe('HeaderSignatures', () => {
  it('plain: TCP or UDP over IP with a sender MAC, no tunnel, ARP, SGT or encapsulation, at most two tags', () => {
    expect(isPlain(frame())).toBe(true);
    expect(isPlain(frame({ vids: [10, 20] }))).toBe(true);
    expect(isPlain(frame({ vids: [10, 20, 30] }))).toBe(false);
    expect(isPlain({ ...frame(), srcMac: undefined })).toBe(false);
    expect(isPlain({ ...frame(), sgt: 5 })).toBe(false);
    expect(isPlain({ ...frame(), encap: ['vxlan'] })).toBe(false);
    expect(isPlain({ ...frame(), payloadKind: 'none' })).toBe(false);
  });

  it('the same signature for another unicast destination; another for a new TTL, address, tag, destination class or bad checksum', () => {
    const t = new HeaderSignatures(100);
    const base = t.entryFor(frame());
    expect(t.entryFor(frame({ dst: '192.0.2.7' }))).toBe(base);
    for (const other of [frame({ ttl: 63 }), frame({ src: '10.0.0.9' }), frame({ vids: [5] }), frame({ dst: '224.0.0.251' }), frame({ badChecksum: true }), frame({ mac: '02:00:00:00:00:09' })]) {
      expect(t.entryFor(other)).not.toBe(base);
    }
    expect(t.size).toBe(7);
  });

  it('keeps PER_SENDER signatures per sender (oldest replaced) and empties itself past maxSignatures', () => {
    const t = new HeaderSignatures(PER_SENDER + 4);
    const first = t.entryFor(frame({ src: '10.1.0.0' }));
    for (let i = 1; i <= PER_SENDER; i++) t.entryFor(frame({ src: `10.1.0.${i}` }));
    expect(t.size).toBe(PER_SENDER);
    expect(t.entryFor(frame({ src: '10.1.0.0' })), 'the oldest was replaced').not.toBe(first);
    for (let i = 0; i < 4; i++) t.entryFor(frame({ mac: `02:00:00:00:01:0${i}` }));
    expect(t.cleared).toBe(0);
    t.entryFor(frame({ mac: '02:00:00:00:02:00' }));
    expect(t.cleared).toBe(1);
    expect(t.size).toBe(1);
  });
});
