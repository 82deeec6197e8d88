/**
 * The protocol registry (issue 15): every limit is declared once (src/decode/limits.ts) and the
 * config schema, the config reference and the runtime limits derive from that declaration; TCP
 * stream protocols are chosen from STREAM_PROTOCOLS exactly as the hard-wired DICOM/HL7 probe did;
 * each registered protocol is one folder under src/protocols/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkConfig, DEFAULT_BPF_FILTER, runtimeLimits } from '../../../src/config.js';
import { configSections } from '../../../src/config-reference.js';
import { FRAME_LIMIT_DECLS } from '../../../src/decode/frame.js';
import type { FrameRecord } from '../../../src/decode/frame-record.js';
import { configDefault, declareLimits, NO_LIMITS, enumLimit, intLimit, limitsFromConfig, portsLimit, type LimitDecl, type LimitSection } from '../../../src/decode/limits.js';
import { APP_DECODER_LIMITS, APP_LIMIT_DECLS, APP_PROTOCOLS } from '../../../src/decode/registry.js';
import { coverageReport } from '../../../src/inventory/coverage.js';
import { silentLogger } from '../../../src/log.js';
import { openPipeline } from '../../../src/pipeline.js';
import { ROOT } from '../../helpers/cli.js';
import { STREAM_LIMIT_DECLS, STREAM_LIMITS, STREAM_PROTOCOLS, StreamDecoder } from '../../../src/decode/stream/stream-decoder.js';

const ALL: readonly LimitSection[] = [...FRAME_LIMIT_DECLS, ...APP_LIMIT_DECLS, ...STREAM_LIMIT_DECLS];
const fields = (decl: LimitSection): [string, LimitDecl<unknown>][] => Object.entries(decl.fields);

/** A value other than the default, inside the bounds, in config units. */
function otherValue(d: LimitDecl<unknown>): unknown {
  if (d.kind === 'int') return d.default / d.scale === d.min ? d.min + 1 : d.min;
  if (d.kind === 'ports') return [4242, 65535];
  return d.values.find((v) => v !== d.default);
}

describe('limits declared once', () => {
  it('each datagram protocol declares its limits under limits.<its name>, shares an earlier entry\'s, or has none', () => {
    const names = APP_PROTOCOLS.map((p) => p.name);
    for (const [i, p] of APP_PROTOCOLS.entries()) {
      const { section } = p.limits;
      if (section === '') { expect(p.limits).toBe(NO_LIMITS); continue; }
      expect(section === p.name || APP_PROTOCOLS.slice(0, i).some((q) => q.limits === p.limits), `${p.name}: limits.${section}`).toBe(true);
      expect(names, section).toContain(section);
      expect((APP_DECODER_LIMITS as Record<string, unknown>)[section], p.name).toEqual(p.limits.defaults);
    }
    expect(Object.keys(APP_DECODER_LIMITS).sort()).toEqual(APP_LIMIT_DECLS.map((d) => d.section).sort());
  });

  it('no config key is declared twice, and every declared key is in the config reference with its default, bounds and description', () => {
    const docs = new Map(configSections().flatMap((s) => s.keys.map((k) => [k.key, k] as const)));
    const seen = new Set<string>();
    for (const decl of ALL) {
      for (const [name, d] of fields(decl)) {
        const key = `limits.${decl.section}.${d.key}`;
        expect(seen.has(key), `${key} declared twice`).toBe(false);
        seen.add(key);
        const doc = docs.get(key);
        expect(doc, `${key} (${name}) missing from the config reference`).toBeDefined();
        expect(doc?.default, key).toEqual(configDefault(d));
        expect(doc?.description, key).toBe(d.describe);
        if (d.kind === 'int') expect(doc?.constraint, key).toBe(`${d.min}..${d.max}`);
      }
    }
    expect(seen.size).toBeGreaterThan(17);
  });

  it('a config file setting every declared key reaches the decoders (runtimeLimits), scaled to runtime units', () => {
    const limits: Record<string, Record<string, unknown>> = {};
    for (const decl of ALL) for (const [, d] of fields(decl)) (limits[decl.section] ??= {})[d.key] = otherValue(d);
    const { config, issues } = checkConfig(JSON.stringify({ limits }), 'F', { env: {} });
    expect(issues).toEqual([]);
    const runtime = runtimeLimits(config!) as unknown as Record<string, Record<string, unknown>>;
    for (const decl of [...FRAME_LIMIT_DECLS, ...APP_LIMIT_DECLS]) {
      for (const [name, d] of fields(decl)) {
        const v = limits[decl.section]?.[d.key];
        expect(runtime[decl.section]?.[name], `${decl.section}.${name}`).toEqual(d.kind === 'int' ? (v as number) * d.scale : v);
        expect(runtime[decl.section]?.[name]).not.toEqual(d.default);
      }
    }
    for (const decl of STREAM_LIMIT_DECLS) {
      for (const [name, d] of fields(decl)) {
        expect(runtime['streams']?.[name], `streams.${name}`).toEqual(limits['streams']?.[d.key]);
        expect(runtime['streams']?.[name]).not.toEqual(d.default);
      }
    }
  });

  it('an out-of-bounds value is refused with the declared bounds', () => {
    const [decl] = APP_LIMIT_DECLS;
    const [, d] = fields(decl!)[0]!;
    if (d.kind !== 'int') throw new Error('expected an integer limit first');
    const { issues } = checkConfig(`limits:\n  ${decl!.section}:\n    ${d.key}: ${d.max + 1}\n`, 'F', { env: {} });
    expect(issues.map((i) => `${i.where.line}:${i.key}`)).toEqual([`3:limits.${decl!.section}.${d.key}`]);
  });

  it('the defaults of the runtime limits are the declared defaults', () => {
    const runtime = runtimeLimits(checkConfig(null, null, { env: {} }).config!);
    for (const decl of [...FRAME_LIMIT_DECLS, ...APP_LIMIT_DECLS]) expect((runtime as unknown as Record<string, unknown>)[decl.section]).toEqual(decl.defaults);
    for (const decl of STREAM_LIMIT_DECLS) for (const [name, v] of Object.entries(decl.defaults)) expect(STREAM_LIMITS[name as keyof typeof STREAM_LIMITS], name).toEqual(v);
  });
});

const tcpFrame = (srcPort: number, dstPort: number, flags: number, payload: Uint8Array): FrameRecord => ({
  frameNo: 1, tsMicros: 1, srcMac: '02:00:00:00:00:01', vlanTags: [], payloadKind: 'tcp', payload,
  ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', protocol: 6, ttl: 64, fragment: false },
  tcp: { srcPort, dstPort, seq: 1000, ack: 0, flags, window: 0 },
});

const ASSOCIATE_RQ = Uint8Array.from([0x01, 0x00, 0, 0, 0, 0x44, 0x00, 0x01, 0x00, 0x00, 0x41, 0x41]);
const MLLP_MSH = Uint8Array.from([0x0b, 0x4d, 0x53, 0x48, 0x7c, 0x5e]);

/** The probe as it was hard-wired before STREAM_PROTOCOLS (main b369033), the oracle. */
function oldProbe(srcPort: number, dstPort: number, flags: number, payload: Uint8Array): 'dicom' | 'hl7' | undefined {
  const isAssociateRq = (p: Uint8Array) => p.length >= 10 && p[0] === 0x01 && p[1] === 0x00 && p[6] === 0x00 && p[7] === 0x01;
  const isMllpMsh = (p: Uint8Array) => p.length >= 4 && p[0] === 0x0b && p[1] === 0x4d && p[2] === 0x53 && p[3] === 0x48;
  if (payload.length === 0 && (flags & 0x02) === 0) return undefined;
  const dicom = STREAM_LIMITS.dicomPorts.includes(srcPort) || STREAM_LIMITS.dicomPorts.includes(dstPort);
  const hl7 = STREAM_LIMITS.hl7Ports.includes(srcPort) || STREAM_LIMITS.hl7Ports.includes(dstPort);
  if (dicom || isAssociateRq(payload)) return hl7 && isMllpMsh(payload) ? 'hl7' : 'dicom';
  if (hl7 || isMllpMsh(payload)) return 'hl7';
  return undefined;
}

describe('STREAM_PROTOCOLS', () => {
  it('names DICOM and HL7 with their ports from the declared limits', () => {
    expect(STREAM_PROTOCOLS.map((p) => [p.name, p.ports(STREAM_LIMITS)])).toEqual([['dicom', [104, 11112]], ['hl7', [2575]]]);
  });

  it('picks the protocol of a new flow exactly as the hard-wired probe did (10,000 cases, seed 42)', () => {
    const port = fc.oneof(fc.constantFrom(104, 11112, 2575), fc.integer({ min: 1, max: 65535 }));
    const payload = fc.oneof(
      fc.constant(ASSOCIATE_RQ), fc.constant(MLLP_MSH), fc.constant(new Uint8Array(0)),
      fc.uint8Array({ minLength: 0, maxLength: 16 }),
    );
    fc.assert(fc.property(port, port, fc.boolean(), payload, (src, dst, syn, bytes) => {
      const opened: string[] = [];
      const d = new StreamDecoder({ anomaly: () => undefined, counter: (n) => { if (n.startsWith('stream.flows_')) opened.push(n.slice(13)); }, record: () => undefined });
      d.onTcp(tcpFrame(src, dst, syn ? 0x02 : 0x18, bytes));
      const want = oldProbe(src, dst, syn ? 0x02 : 0x18, bytes);
      expect(opened).toEqual(want === undefined ? [] : [want]);
    }), { seed: 42, numRuns: 10_000 });
  });
});

/** The default filter as it was written by hand before the registry (main b369033). */
// The filter as written by hand before the registry (issue 15), with issue 20's remote-access terms.
const HAND_WRITTEN_BPF = 'ether dst 01:00:0c:cc:cc:cc or (udp port 67 or udp port 68 or udp port 5353 or tcp port 104 or tcp port 11112 or tcp port 2575 or ether proto 0x88cc or arp or port 53 or tcp port 22 or tcp port 23 or tcp port 1494 or tcp port 2598 or tcp port 3389 or tcp portrange 5900-5999 or port 5938 or tcp port 6568 or tcp port 7070 or (ip and tcp and (tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0 or tcp[((tcp[12] & 0xf0) >> 2)] = 0x16)) or ip proto 47 or ip6 proto 47 or ip proto 4 or ip proto 41 or udp port 4789 or udp port 8472 or udp port 6081 or udp port 5247 or udp port 12222 or udp dst port 6635 or ether proto 0x8847 or ether proto 0x8848 or ether proto 0x8864 or ether proto 0x8909) or (vlan and ((udp port 67 or udp port 68 or udp port 5353 or tcp port 104 or tcp port 11112 or tcp port 2575 or ether proto 0x88cc or arp or port 53 or tcp port 22 or tcp port 23 or tcp port 1494 or tcp port 2598 or tcp port 3389 or tcp portrange 5900-5999 or port 5938 or tcp port 6568 or tcp port 7070 or (ip and tcp and (tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0 or tcp[((tcp[12] & 0xf0) >> 2)] = 0x16)) or ip proto 47 or ip6 proto 47 or ip proto 4 or ip proto 41 or udp port 4789 or udp port 8472 or udp port 6081 or udp port 5247 or udp port 12222 or udp dst port 6635 or ether proto 0x8847 or ether proto 0x8848 or ether proto 0x8864 or ether proto 0x8909) or (vlan and (udp port 67 or udp port 68 or udp port 5353 or tcp port 104 or tcp port 11112 or tcp port 2575 or ether proto 0x88cc or arp or port 53 or tcp port 22 or tcp port 23 or tcp port 1494 or tcp port 2598 or tcp port 3389 or tcp portrange 5900-5999 or port 5938 or tcp port 6568 or tcp port 7070 or (ip and tcp and (tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0 or tcp[((tcp[12] & 0xf0) >> 2)] = 0x16)) or ip proto 47 or ip6 proto 47 or ip proto 4 or ip proto 41 or udp port 4789 or udp port 8472 or udp port 6081 or udp port 5247 or udp port 12222 or udp dst port 6635 or ether proto 0x8847 or ether proto 0x8848 or ether proto 0x8864 or ether proto 0x8909))))';

describe('the default capture filter derives from the registry', () => {
  it('is the hand-written filter it replaced, term for term', () => {
    expect(DEFAULT_BPF_FILTER).toBe(HAND_WRITTEN_BPF);
  });

  it('holds every registered protocol: each datagram entry\'s terms, each stream protocol\'s ports', () => {
    for (const p of APP_PROTOCOLS) expect(DEFAULT_BPF_FILTER, p.name).toContain(p.bpf);
    for (const p of STREAM_PROTOCOLS) for (const port of p.ports(STREAM_LIMITS)) expect(DEFAULT_BPF_FILTER, p.name).toContain(`tcp port ${port}`);
  });
});

describe('coverage lists every registered protocol', () => {
  it('by layer, with the frames tshark counts in the VXLAN lab capture (fixtures/tunnels/lab-vxlan-lldp.md)', async () => {
    const pipeline = openPipeline(':memory:', { logger: silentLogger() });
    await pipeline.replayFile(`${ROOT}fixtures/tunnels/lab-vxlan-lldp.pcapng`);
    pipeline.flush();
    const r = coverageReport(pipeline.db);
    pipeline.db.close();
    expect(r.protocols.map((p) => p.protocol).sort()).toEqual([...APP_PROTOCOLS.map((p) => p.name), ...STREAM_PROTOCOLS.map((p) => p.name)].sort());
    const heard = new Set(['lldp', 'cdp', 'dhcp', 'mdns', 'dicom', 'hl7']);
    expect(r.protocols.filter((p) => heard.has(p.protocol)).map((p) => [p.protocol, p.frames, p.senders])).toEqual([
      ['lldp', 5, 2], ['cdp', 5, 1], ['dhcp', 4, 1], ['mdns', 0, 0], ['dicom', 0, 0], ['hl7', 0, 0],
    ]);
    expect(r.protocols.filter((p) => !heard.has(p.protocol)).every((p) => p.frames === 0)).toBe(true);
    expect(r.encapsulations).toEqual([{ encapsulation: 'vxlan', frames: 22 }]);
  });
});

describe('declareLimits', () => {
  const decl = declareLimits('example', 'An example.', {
    idleMicros: intLimit('idle_s', 1, 3600, 300_000_000, 'Idle seconds.', 1_000_000),
    ports: portsLimit('ports', 4, [104], 'Ports.'),
    mode: enumLimit('mode', ['a', 'b'], 'a', 'Mode.'),
  });

  it('defaults are in runtime units and frozen; the config default is in config units', () => {
    expect(decl.defaults).toEqual({ idleMicros: 300_000_000, ports: [104], mode: 'a' });
    expect(Object.isFrozen(decl.defaults)).toBe(true);
    expect(configDefault(decl.fields.idleMicros)).toBe(300);
  });

  it('config values are scaled to runtime units; an absent key keeps its default', () => {
    expect(limitsFromConfig(decl, { idle_s: 5, mode: 'b' })).toEqual({ idleMicros: 5_000_000, ports: [104], mode: 'b' });
  });
});

describe('a protocol is one folder (src/protocols/<name>/)', () => {
  // Entries that are a second transport of one protocol share its folder (dns_tcp: dns over TCP).
  const folderOf = (name: string): string => name.replace(/_(tcp|udp)$/, '');
  const dir = (name: string): string => join(ROOT, 'src', 'protocols', folderOf(name));
  const sources = (name: string): string[] => readdirSync(dir(name)).filter((f) => f.endsWith('.ts'));

  it('every registered datagram protocol has its folder, holding the decoder its registry line names', () => {
    const registry = readFileSync(join(ROOT, 'src', 'decode', 'registry.ts'), 'utf8');
    for (const p of APP_PROTOCOLS) {
      expect(existsSync(dir(p.name)), `src/protocols/${folderOf(p.name)}/`).toBe(true);
      // The module the registry imports this protocol's decoder from is in that folder.
      // (`decodeWith: decodeX` or a wrapper `(p) => decodeX(p, ...)`)
      const decoder = new RegExp(`name: '${p.name}',[^\\n]*decodeWith: (?:\\([^)]*\\) => )?(\\w+)`).exec(registry)?.[1] ?? `(no registry line for ${p.name})`;
      const from = new RegExp(`import \\{[^}]*\\b${decoder}\\b[^}]*\\} from '\\.\\./protocols/${folderOf(p.name)}/[\\w-]+\\.js'`);
      expect(registry, `${p.name}: ${decoder}`).toMatch(from);
    }
  });

  it('its observer is in that folder (or it feeds the session tracker only), and a TCP protocol\'s flow handler too', () => {
    const observers = readFileSync(join(ROOT, 'src', 'observe', 'observe-app.ts'), 'utf8');
    for (const p of APP_PROTOCOLS) {
      const line = new RegExp(`^  ${p.name}: (\\w+|\\(\\) => \\[\\]),$`, 'm').exec(observers);
      expect(line, `OBSERVERS line of ${p.name}`).not.toBeNull();
      if (line?.[1] === '() => []') continue; // facts for the session tracker only (src/observe/remote-sessions.ts)
      expect(sources(p.name), p.name).toContain(`${folderOf(p.name)}-observe.ts`);
      expect(observers).toContain(`from '../protocols/${folderOf(p.name)}/${folderOf(p.name)}-observe.js'`);
    }
    for (const p of STREAM_PROTOCOLS) {
      expect(sources(p.name), p.name).toEqual(expect.arrayContaining([`${p.name}-observe.ts`, `${p.name}-flow.ts`]));
    }
  });
});
