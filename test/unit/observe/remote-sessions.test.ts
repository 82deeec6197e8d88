/**
 * The remote session tracker's limits (each lowered, each counted), its roles (client/server,
 * device/peer, direction) and its DNS naming, on frames built here; the same tracker on real
 * captures is checked against nDPI in test/e2e/remote-sessions-ndpi.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { FrameRecord } from '../../../src/decode/frame-record.js';
import type { AppRecord } from '../../../src/decode/registry.js';
import { Counters } from '../../../src/counters.js';
import { isInternal, REMOTE_SESSION_LIMITS, RemoteSessionTracker } from '../../../src/observe/remote-sessions.js';
import { REMOTE_ACCESS_SERVICES, serviceByName } from '../../../src/observe/remote-access-services.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfig, runtimeLimits } from '../../../src/config.js';
import { silentLogger } from '../../../src/log.js';
import { openPipeline } from '../../../src/pipeline.js';
import { RemoteSessionStore } from '../../../src/inventory/remote-session-store.js';
import { sharedAvailable, sharedPath } from '../../helpers/shared.js';

let frameNo = 0;
function tcp(src: string, sport: number, dst: string, dport: number, flags: number, payload = 0, ts = 1_000_000): FrameRecord {
  return {
    frameNo: ++frameNo, tsMicros: ts, vlanTags: [], srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02',
    ip: { version: 4, src, dst, protocol: 6, ttl: 64, fragment: false }, tcp: { srcPort: sport, dstPort: dport, seq: 0, ack: 0, flags, window: 0 },
    payloadKind: 'tcp', payload: new Uint8Array(payload),
  };
}
const SSH: AppRecord = { protocol: 'ssh', record: { banner: 'SSH-2.0-OpenSSH_9.2', protoVersion: '2.0', software: 'OpenSSH_9.2' } };
const SYN = 0x02;
const ACK = 0x10;
const FIN = 0x11;

describe('RemoteSessionTracker', () => {
  it('an SSH session from SYN to FIN: the server inside is the device, inbound, bytes each way, frames in order', () => {
    const counters = new Counters();
    const t = new RemoteSessionTracker(counters);
    t.onFrame(tcp('203.0.113.9', 50000, '10.1.1.5', 22, SYN), undefined);
    t.onFrame(tcp('10.1.1.5', 22, '203.0.113.9', 50000, 0x12), undefined);
    t.onFrame(tcp('10.1.1.5', 22, '203.0.113.9', 50000, ACK, 21, 2_000_000), SSH);
    t.onFrame(tcp('203.0.113.9', 50000, '10.1.1.5', 22, ACK, 100, 3_000_000), undefined);
    t.onFrame(tcp('203.0.113.9', 50000, '10.1.1.5', 22, FIN), undefined);
    expect(t.drain()).toEqual([]);
    t.onFrame(tcp('10.1.1.5', 22, '203.0.113.9', 50000, FIN, 0, 4_000_000), undefined);
    const [s, ...rest] = t.drain();
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ tool: 'ssh', deviceIp: '10.1.1.5', devicePort: 22, peerIp: '203.0.113.9', direction: 'inbound', bytesToDevice: 100, bytesFromDevice: 21, frames: 6, endReason: 'fin', start: 1_000_000, end: 4_000_000 });
    expect(s?.firstFrame).toBeLessThan(s?.evidenceFrame ?? 0);
    expect(t.size).toBe(0);
  });

  it('a frame whose sender has no tracked flow starts none unless it could; every way a flow ends frees its addresses', () => {
    const t = new RemoteSessionTracker(new Counters(), { ...REMOTE_SESSION_LIMITS, maxProbeSegments: 1 });
    t.onFrame(tcp('10.9.0.1', 40000, '10.9.0.2', 443, SYN), undefined);
    expect(t.size).toBe(1);
    // Data between other hosts, without a SYN: no flow.
    t.onFrame(tcp('10.9.0.3', 40001, '10.9.0.4', 443, ACK, 100), undefined);
    expect(t.size).toBe(1);
    // The flow's server answers on another port pair: its address has a flow, the key does not.
    t.onFrame(tcp('10.9.0.2', 443, '10.9.0.1', 40009, ACK, 100), undefined);
    expect(t.size).toBe(1);
    // Two payload segments: the unnamed flow is forgotten, and later data of the pair starts nothing.
    t.onFrame(tcp('10.9.0.2', 443, '10.9.0.1', 40000, ACK, 100), undefined);
    t.onFrame(tcp('10.9.0.1', 40000, '10.9.0.2', 443, ACK, 100), undefined);
    expect(t.size).toBe(0);
    t.onFrame(tcp('10.9.0.1', 40000, '10.9.0.2', 443, ACK, 100), undefined);
    expect(t.size).toBe(0);
    // A frame that names its tool starts a flow even from a sender with none; an RST ends it.
    t.onFrame(tcp('10.9.0.5', 22, '10.9.0.6', 50000, ACK, 21), SSH);
    expect(t.size).toBe(1);
    t.onFrame(tcp('10.9.0.6', 50000, '10.9.0.5', 22, 0x04), undefined);
    expect(t.size).toBe(0);
    expect(t.drain()).toHaveLength(1);
    // Its addresses are free again: a bare ACK between them starts nothing.
    t.onFrame(tcp('10.9.0.6', 50000, '10.9.0.5', 22, ACK), undefined);
    expect(t.size).toBe(0);
  });

  it('frames of two flows in runs and interleaved each count to their own flow; a flow that ended is never taken for a new one between the same endpoints', () => {
    const t = new RemoteSessionTracker(new Counters());
    t.onFrame(tcp('203.0.113.9', 50000, '10.1.1.5', 22, SYN), undefined);
    t.onFrame(tcp('10.1.1.5', 22, '203.0.113.9', 50000, ACK, 21), SSH);
    // The second flow has the same ports between other hosts.
    t.onFrame(tcp('203.0.113.7', 50000, '10.1.1.6', 22, SYN), undefined);
    t.onFrame(tcp('10.1.1.6', 22, '203.0.113.7', 50000, ACK, 21), SSH);
    for (let i = 0; i < 3; i++) t.onFrame(tcp('203.0.113.9', 50000, '10.1.1.5', 22, ACK, 10), undefined);
    t.onFrame(tcp('203.0.113.7', 50000, '10.1.1.6', 22, ACK, 7), undefined);
    t.onFrame(tcp('10.1.1.5', 22, '203.0.113.9', 50000, ACK, 5), undefined);
    t.onFrame(tcp('10.1.1.6', 22, '203.0.113.7', 50000, ACK, 3), undefined);
    t.onFrame(tcp('203.0.113.7', 50000, '10.1.1.6', 22, ACK, 7), undefined);
    // Same addresses, other ports: a third flow would need a SYN; this one has none and is not counted to either.
    t.onFrame(tcp('203.0.113.9', 50002, '10.1.1.5', 22, ACK, 99), undefined);
    t.onFrame(tcp('203.0.113.9', 50000, '10.1.1.5', 22, 0x04), undefined);
    expect(t.size).toBe(1);
    // The same endpoints again, right after the RST: a new flow, not the one that ended.
    t.onFrame(tcp('203.0.113.9', 50000, '10.1.1.5', 22, SYN), undefined);
    expect(t.size).toBe(2);
    t.onFrame(tcp('10.1.1.5', 22, '203.0.113.9', 50000, ACK, 21), SSH);
    t.onFrame(tcp('203.0.113.9', 50000, '10.1.1.5', 22, 0x04), undefined);
    t.onFrame(tcp('203.0.113.7', 50000, '10.1.1.6', 22, 0x04), undefined);
    expect(t.size).toBe(0);
    const sessions = t.drain().map((x) => [x.deviceIp, x.bytesToDevice, x.bytesFromDevice, x.frames]);
    expect(sessions).toEqual([['10.1.1.5', 30, 26, 7], ['10.1.1.5', 0, 21, 3], ['10.1.1.6', 14, 24, 6]]);
  });

  it('maxFlows lowered to 2: unnamed flows are evicted first, then the oldest session, which is written out as evicted', () => {
    const counters = new Counters();
    const t = new RemoteSessionTracker(counters, { ...REMOTE_SESSION_LIMITS, maxFlows: 2 });
    t.onFrame(tcp('10.0.0.1', 40001, '10.0.0.2', 22, ACK, 21), SSH); // named
    t.onFrame(tcp('10.0.0.1', 40002, '10.0.0.3', 443, SYN), undefined); // pending
    t.onFrame(tcp('10.0.0.1', 40003, '10.0.0.4', 443, SYN), undefined); // evicts the pending one
    expect(counters.get('remote.flows_evicted')).toBe(1);
    expect(t.drain()).toEqual([]);
    t.onFrame(tcp('10.0.0.1', 40004, '10.0.0.5', 22, ACK, 21), SSH); // evicts the pending 40003
    t.onFrame(tcp('10.0.0.1', 40005, '10.0.0.6', 22, ACK, 21), SSH); // evicts the oldest session
    expect(counters.get('remote.flows_evicted')).toBe(3);
    expect(t.drain().map((s) => [s.deviceIp, s.endReason])).toEqual([['10.0.0.2', 'evicted']]);
    expect(t.size).toBe(2);
  });

  it('maxProbeSegments lowered to 2: an unnamed flow is forgotten after 2 payload segments', () => {
    const t = new RemoteSessionTracker(new Counters(), { ...REMOTE_SESSION_LIMITS, maxProbeSegments: 2 });
    t.onFrame(tcp('10.0.0.1', 40001, '10.0.0.2', 8080, SYN), undefined);
    t.onFrame(tcp('10.0.0.1', 40001, '10.0.0.2', 8080, ACK, 10), undefined);
    t.onFrame(tcp('10.0.0.1', 40001, '10.0.0.2', 8080, ACK, 10), undefined);
    expect(t.size).toBe(1);
    t.onFrame(tcp('10.0.0.1', 40001, '10.0.0.2', 8080, ACK, 10), undefined);
    expect(t.size).toBe(0);
  });

  it('idleMicros: a session quiet for longer ends as idle at the next sweep', () => {
    const t = new RemoteSessionTracker(new Counters(), { ...REMOTE_SESSION_LIMITS, idleMicros: 1_000_000 });
    t.onFrame(tcp('10.0.0.1', 40001, '10.0.0.2', 22, ACK, 21, 1_000_000), SSH);
    for (let i = 0; i < 4096; i++) t.onFrame(tcp('10.0.0.7', 1, '10.0.0.8', 2, ACK, 0, 9_000_000), undefined);
    expect(t.drain().map((s) => s.endReason)).toEqual(['idle']);
  });

  it('DNS names a later flow to the address it resolved (AnyDesk relay), outbound from the device; maxNames lowered to 1 evicts and counts', () => {
    const counters = new Counters();
    const t = new RemoteSessionTracker(counters, { ...REMOTE_SESSION_LIMITS, maxNames: 1 });
    const dns = (name: string, address: string): AppRecord => ({ protocol: 'dns', record: { id: 1, isResponse: true, rcode: 0, questions: [{ name, type: 'A' }], answers: [{ name, type: 'A', data: address, ttl: 60 }] } });
    const udpFrame: FrameRecord = { ...tcp('192.168.1.1', 53, '192.168.1.187', 5555, 0), tcp: undefined, udp: { srcPort: 53, dstPort: 5555, length: 8 }, payloadKind: 'udp' };
    t.onFrame(udpFrame, dns('relay-1.net.anydesk.com', '198.51.100.7'));
    t.onFrame(udpFrame, dns('relay-2.net.anydesk.com', '198.51.100.8'));
    expect(counters.get('remote.names_evicted')).toBe(1);
    t.onFrame(tcp('192.168.1.187', 40000, '198.51.100.7', 443, SYN), undefined); // forgotten name
    t.onFrame(tcp('192.168.1.187', 40001, '198.51.100.8', 443, SYN), undefined);
    t.closeAll();
    expect(t.drain().map((s) => [s.tool, s.how, s.deviceIp, s.direction])).toEqual([['anydesk', 'dns relay-2.net.anydesk.com', '192.168.1.187', 'outbound']]);
  });

  it('internal addresses: RFC 1918, CGNAT, link local, loopback, ULA', () => {
    expect(['10.1.2.3', '172.16.0.1', '172.31.9.9', '192.168.0.1', '100.64.0.1', '169.254.1.1', '127.0.0.1', 'fd00::1', 'fe80::1', '::1'].every(isInternal)).toBe(true);
    expect(['8.8.8.8', '172.32.0.1', '2001:db8::1', '100.128.0.1'].some(isInternal)).toBe(false);
  });
});

describe('limits.remote in the config reach the tracker', () => {
  it.skipIf(!sharedAvailable('captures', 'remote-access'))('limits.remote.max_flows: 1 on nDPI\'s TeamViewer capture (a TCP and a UDP session overlap): evicted, counted, written as evicted', async () => {
    const result = checkConfig('limits:\n  remote:\n    max_flows: 1\n    idle_timeout_s: 60\n', 'test.yaml');
    expect(result.config?.limits.remote).toEqual({ max_flows: 1, max_names: REMOTE_SESSION_LIMITS.maxNames, max_probe_segments: 8, idle_timeout_s: 60 });
    const limits = runtimeLimits(result.config as NonNullable<typeof result.config>);
    expect(limits.remote).toMatchObject({ maxFlows: 1, idleMicros: 60_000_000 });
    const dir = mkdtempSync(join(tmpdir(), 'auscult-remote-limits-'));
    try {
      const pipeline = openPipeline(join(dir, 'x.db'), { logger: silentLogger(), limits });
      await pipeline.replayFile(sharedPath('captures', 'remote-access', 'teamviewer.pcap'));
      expect(pipeline.counters.get('remote.flows_evicted')).toBeGreaterThan(0);
      const sessions = new RemoteSessionStore(pipeline.db).list();
      pipeline.db.close();
      expect(sessions.some((s) => s.tool === 'teamviewer' && s.endReason === 'evicted')).toBe(true);
      expect(new Set(sessions.map((s) => s.tool))).toEqual(new Set(['teamviewer']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('remote-access services data', () => {
  it('every entry has a source, a unique id, and lower-case name suffixes without a leading dot', () => {
    const ids = REMOTE_ACCESS_SERVICES.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of REMOTE_ACCESS_SERVICES) {
      expect(s.sources.length, s.id).toBeGreaterThan(0);
      for (const n of s.names) expect(n, s.id).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    }
    expect(ids).toEqual(expect.arrayContaining(['teamviewer', 'anydesk', 'beyondtrust', 'philips', 'ge-healthcare', 'siemens-healthineers', 'roche']));
  });

  it('names match by whole labels, the longest suffix winning', () => {
    expect(serviceByName('relay-9b6827f2.net.anydesk.com')?.id).toBe('anydesk');
    expect(serviceByName('router1.teamviewer.com')?.id).toBe('teamviewer');
    expect(serviceByName('notteamviewer.com')).toBeUndefined();
    expect(serviceByName('hospital.bomgarcloud.com')?.id).toBe('beyondtrust');
  });
});
