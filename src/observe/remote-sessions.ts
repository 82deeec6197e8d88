/**
 * \summary Remote sessions (issue 20, HICP 9.1 step 7): which remote-access tool reached which
 * device, from where and when. A bounded flow table fed with every TCP/UDP frame and the records
 * the application decoders made of it; a flow becomes a session once something names its tool:
 *
 * - a decoder that recognises the protocol itself: SSH identification string, RDP X.224
 *   Connection Request/Confirm, RFB ProtocolVersion (VNC), Telnet option negotiation, the Citrix ICA greeting, TeamViewer packet magic (on 5938 at
 *   once, elsewhere after `TEAMVIEWER_MIN_PACKETS` magic packets in the flow, as nDPI does);
 * - a TLS ClientHello whose SNI, ALPN or JA4 is a remote-access service's (remote-access-services.ts),
 *   or TLS on a port that service uses for direct connections (AnyDesk 7070);
 * - a peer address that DNS earlier resolved from such a service's name (bounded name cache).
 *
 * Which end is the device: the client when the server was named as a service's host (DNS, SNI)
 * or the client by its tool's TLS fingerprint (ALPN, JA4); else, when exactly one end has a
 * private address (RFC 1918, RFC 4193, link local, loopback), that end; otherwise the server
 * end (the one a remote tool reached).
 * `direction` is `inbound` when the device is the server, `outbound` when it called out (an agent
 * calling its relay or vendor).
 *
 * Nothing of the payload is kept: the tool, how it was recognised (an SNI or DNS name, an ALPN, a
 * JA4, the SSH software version, the RDP security protocols, the RFB version), addresses, ports,
 * times, byte and frame counts, frame numbers. Never an RDP cookie (the decoder does not read it).
 *
 * Limits: `maxFlows` flows (pending ones, still unnamed, are dropped first; a named session
 * evicted is written out with end reason `evicted`), `maxNames` DNS name→address entries,
 * `maxProbeSegments` payload segments before an unnamed flow is forgotten, `idleMicros` of
 * capture time before a flow ends. The caps have counters (`remote.flows_evicted`, `remote.names_evicted`); an unnamed flow forgotten after its probe segments is normal traffic, not counted.
 */
import type { AppRecord } from '../decode/registry.js';
import type { FrameRecord } from '../decode/frame-record.js';
import { TEAMVIEWER_MIN_PACKETS, TEAMVIEWER_PORT } from '../protocols/teamviewer/teamviewer.js';
import { REMOTE_ACCESS_SERVICES, WIRE_TOOLS, serviceByName, type RemoteAccessService } from './remote-access-services.js';

export interface RemoteSessionLimits {
  /** Flows tracked at once (`limits.remote.max_flows`). */
  maxFlows: number;
  /** DNS name → address entries remembered. */
  maxNames: number;
  /** Payload segments of a flow looked at before it is forgotten unnamed. */
  maxProbeSegments: number;
  /** Capture-time microseconds without a frame after which a flow ends. */
  idleMicros: number;
}

export const REMOTE_SESSION_LIMITS: Readonly<RemoteSessionLimits> = Object.freeze({
  maxFlows: 16_384,
  maxNames: 4_096,
  maxProbeSegments: 8,
  idleMicros: 15 * 60 * 1_000_000,
});

export type SessionEndReason = 'fin' | 'rst' | 'idle' | 'capture_end' | 'evicted';

export interface RemoteSession {
  /** Tool id: `ssh`, `rdp`, `vnc`, `teamviewer`, or a REMOTE_ACCESS_SERVICES id (`anydesk`, `philips`, ...). */
  tool: string;
  /** How the tool was recognised, e.g. `ssh banner SSH-2.0-OpenSSH_8.2p1`, `tls alpn anydesk/6.2.0/linux`, `dns relay-1.net.anydesk.com`. */
  how: string;
  transport: 'tcp' | 'udp';
  deviceIp: string;
  /** Link-layer address on the device's side of the frames (a router's when the device is routed). */
  deviceMac: string | undefined;
  devicePort: number;
  peerIp: string;
  peerPort: number;
  /** `inbound`: the peer reached the device; `outbound`: the device called the peer. */
  direction: 'inbound' | 'outbound';
  /** Capture time of the first and last frame, microseconds since the epoch. */
  start: number;
  end: number;
  /** TCP/UDP payload bytes each way. */
  bytesToDevice: number;
  bytesFromDevice: number;
  frames: number;
  firstFrame: number;
  evidenceFrame: number;
  lastFrame: number;
  endReason: SessionEndReason;
}

interface Endpoint {
  ip: string;
  port: number;
  mac: string | undefined;
}

interface Flow {
  key: string;
  transport: 'tcp' | 'udp';
  client: Endpoint;
  server: Endpoint;
  /** Client and server known from a SYN or a client-only message (ClientHello, RDP CR). */
  rolesFirm: boolean;
  start: number;
  last: number;
  firstFrame: number;
  lastFrame: number;
  bytesC2S: number;
  bytesS2C: number;
  frames: number;
  tool: string | undefined;
  how: string;
  evidenceFrame: number;
  probed: number;
  magic: number;
  fins: number;
}

export interface SessionCounters {
  inc(name: string, by?: number): void;
}

const SERVER_PORTS = new Set([22, 23, 3389, 5938, 5900, 5901, 5902, 5903, 6900, 7070, 443, 80]);

/** Private, loopback, link-local, ULA: the hospital side of a conversation. */
export function isInternal(ip: string): boolean {
  if (ip.includes(':')) {
    const l = ip.toLowerCase();
    return l === '::1' || l.startsWith('fe8') || l.startsWith('fe9') || l.startsWith('fea') || l.startsWith('feb') || l.startsWith('fc') || l.startsWith('fd');
  }
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}

/** Is a frame from `src`:`sport` to `dst`:`dport` between the flow's two endpoints (either way)? The
 * same test as equal keys: a flow's key is made of the endpoints of the frame that opened it. */
function between(flow: Flow, src: string, sport: number, dst: string, dport: number): boolean {
  const c = flow.client;
  const s = flow.server;
  return (c.port === sport && s.port === dport && c.ip === src && s.ip === dst) || (c.port === dport && s.port === sport && c.ip === dst && s.ip === src);
}

export class RemoteSessionTracker {
  private readonly flows = new Map<string, Flow>();
  /** Tracked flows per endpoint address (each flow counts its client and its server address):
   * a frame whose sender is in none cannot belong to one, and is turned away without building
   * the flow key (on the SPAN-like bench capture most frames are such, and the key's three
   * string concatenations and its hashing were most of this tracker's cost). */
  private readonly flowsByAddress = new Map<string, number>();
  /** The flow the last frame belonged to, until it is forgotten. A flow's frames come in runs (a
   * remote desktop session is most of the dense bench capture's frames), and a frame between its
   * two endpoints takes it without building and hashing the key, which was 7 % of that capture's
   * second half. */
  private lastFlow: Flow | undefined;
  /** Address → the service name DNS resolved to it (insertion order = age). */
  private readonly names = new Map<string, { service: RemoteAccessService; name: string; frame: number }>();
  private readonly done: RemoteSession[] = [];
  private framesSinceSweep = 0;

  constructor(
    private readonly counters: SessionCounters,
    private readonly limits: RemoteSessionLimits = REMOTE_SESSION_LIMITS,
    private readonly services: readonly RemoteAccessService[] = REMOTE_ACCESS_SERVICES,
  ) {}

  /** Flows tracked now (tests). */
  get size(): number {
    return this.flows.size;
  }

  /** One frame and what the registry decoded of it (undefined when nothing). */
  onFrame(frame: FrameRecord, app: AppRecord | undefined): void {
    const ip = frame.ip;
    if (ip === undefined) return;
    if (app !== undefined && app.protocol === 'dns') this.learnNames(app.record, frame);
    if (app !== undefined && app.protocol === 'dns_tcp') this.learnNames(app.record, frame);
    const tcp = frame.tcp;
    const udp = frame.udp;
    let sport: number;
    let dport: number;
    if (tcp !== undefined && frame.payloadKind === 'tcp') {
      sport = tcp.srcPort;
      dport = tcp.dstPort;
    } else if (udp !== undefined && frame.payloadKind === 'udp') {
      sport = udp.srcPort;
      dport = udp.dstPort;
    } else return;
    const transport = tcp !== undefined ? 'tcp' : 'udp';
    const syn = tcp !== undefined && (tcp.flags & 0x12) === 0x02;
    if (this.flows.size === 0 && app === undefined && !syn && this.names.size === 0) return;
    if (++this.framesSinceSweep >= 4096) this.sweep(frame.tsMicros);
    // No tracked flow has this sender: the frame can only start one (the same test as below).
    if (!syn && !this.flowsByAddress.has(ip.src) && !this.startsSession(app) && (frame.payload.length === 0 || (!this.names.has(ip.dst) && !this.names.has(ip.src)))) return;
    let flow = this.lastFlow;
    if (flow === undefined || flow.transport !== transport || !between(flow, ip.src, sport, ip.dst, dport)) {
      const a = `${ip.src}|${sport}`;
      const b = `${ip.dst}|${dport}`;
      const key = `${transport}|${a < b ? a + '|' + b : b + '|' + a}`;
      flow = this.flows.get(key);
      if (flow === undefined) {
        // Without a SYN a flow starts only on a frame that names it, or on data to a named address
        // (never on the last ACK, FIN or RST of a flow that just ended).
        if (!syn && !this.startsSession(app) && (frame.payload.length === 0 || (!this.names.has(ip.dst) && !this.names.has(ip.src)))) return;
        flow = this.newFlow(key, transport, frame, sport, dport, syn);
      }
      this.lastFlow = flow;
    }
    if (flow.tool === undefined) this.recognise(flow, frame, app, sport, dport);
    if (!this.account(flow, frame, sport)) return;
    if (tcp !== undefined) {
      if ((tcp.flags & 0x04) !== 0) return this.close(flow, 'rst');
      if ((tcp.flags & 0x01) !== 0 && ++flow.fins >= 2) return this.close(flow, 'fin');
    }
  }

  /** Sessions that ended since the last call. */
  drain(): RemoteSession[] {
    return this.done.splice(0, this.done.length);
  }

  /** End of the capture: every named flow becomes a session (`capture_end`), the rest are forgotten. */
  closeAll(): void {
    for (const flow of [...this.flows.values()]) this.close(flow, 'capture_end');
  }

  /** Does this unseen flow's frame deserve a table entry without a SYN? */
  private startsSession(app: AppRecord | undefined): boolean {
    if (app === undefined) return false;
    switch (app.protocol) {
      case 'ssh': case 'rdp': case 'vnc': case 'teamviewer': case 'teamviewer_udp': case 'telnet': case 'citrix':
        return app.record !== undefined;
      case 'tls':
        return true;
      default:
        return false;
    }
  }

  private newFlow(key: string, transport: 'tcp' | 'udp', frame: FrameRecord, sport: number, dport: number, syn: boolean): Flow {
    if (this.flows.size >= this.limits.maxFlows) this.evictOne();
    const src: Endpoint = { ip: frame.ip?.src ?? '', port: sport, mac: frame.srcMac };
    const dst: Endpoint = { ip: frame.ip?.dst ?? '', port: dport, mac: frame.dstMac };
    // UDP: the first sender is the client. TCP without a SYN: the well-known server port, else
    // the lower port, is the server (firmed up later by a client-only message).
    const srcIsServer = !syn && transport === 'tcp' && (SERVER_PORTS.has(sport) && !SERVER_PORTS.has(dport) ? true : SERVER_PORTS.has(dport) ? false : sport < dport);
    const flow: Flow = {
      key, transport, client: srcIsServer ? dst : src, server: srcIsServer ? src : dst, rolesFirm: syn,
      start: frame.tsMicros, last: frame.tsMicros, firstFrame: frame.frameNo, lastFrame: frame.frameNo,
      bytesC2S: 0, bytesS2C: 0, frames: 0, tool: undefined, how: '', evidenceFrame: 0, probed: 0, magic: 0, fins: 0,
    };
    this.flows.set(key, flow);
    this.countAddress(flow.client.ip, 1);
    this.countAddress(flow.server.ip, 1);
    // A flow to an address a service's name resolved to is that service's at once.
    const named = this.names.get(flow.server.ip) ?? this.names.get(flow.client.ip);
    if (named !== undefined) this.name(flow, named.service.id, `dns ${named.name}`, named.frame);
    return flow;
  }

  /** Counts the frame; false when the flow was forgotten (probed long enough, still unnamed). */
  private account(flow: Flow, frame: FrameRecord, sport: number): boolean {
    const fromClient = frame.ip?.src === flow.client.ip && sport === flow.client.port;
    const n = frame.payload.length;
    if (fromClient) flow.bytesC2S += n;
    else flow.bytesS2C += n;
    flow.frames++;
    if (frame.tsMicros > flow.last) flow.last = frame.tsMicros;
    flow.lastFrame = frame.frameNo;
    if (fromClient && flow.client.mac === undefined) flow.client.mac = frame.srcMac;
    if (!fromClient && flow.server.mac === undefined) flow.server.mac = frame.srcMac;
    if (n > 0 && flow.tool === undefined && ++flow.probed > this.limits.maxProbeSegments) {
      this.forget(flow);
      return false;
    }
    return true;
  }

  /** The sender of a client-only message is the client. */
  private senderIsClient(flow: Flow, frame: FrameRecord, sport: number): void {
    if (flow.rolesFirm) return;
    flow.rolesFirm = true;
    if (frame.ip?.src === flow.client.ip && sport === flow.client.port) return;
    const c = flow.client;
    flow.client = flow.server;
    flow.server = c;
    const bytes = flow.bytesC2S;
    flow.bytesC2S = flow.bytesS2C;
    flow.bytesS2C = bytes;
  }

  private recognise(flow: Flow, frame: FrameRecord, app: AppRecord | undefined, sport: number, dport: number): void {
    if (app === undefined) return;
    switch (app.protocol) {
      case 'ssh':
        if (app.record !== undefined) this.name(flow, 'ssh', `ssh banner ${app.record.protoVersion} ${app.record.software}`, frame.frameNo);
        return;
      case 'rdp': {
        const r = app.record;
        if (r === undefined) return;
        if (r.tpdu === 'connection_request') this.senderIsClient(flow, frame, sport);
        const protocols = r.requestedProtocols?.join('+') ?? r.selectedProtocol ?? '';
        this.name(flow, 'rdp', `rdp x224 ${r.tpdu === 'connection_request' ? 'request' : 'confirm'}${protocols ? ' ' + protocols : ''}`, frame.frameNo);
        return;
      }
      case 'vnc':
        if (app.record !== undefined) this.name(flow, 'vnc', `rfb ${app.record.version}`, frame.frameNo);
        return;
      case 'citrix':
        if (app.record !== undefined) this.name(flow, 'citrix', 'citrix ica greeting', frame.frameNo);
        return;
      case 'telnet':
        if (app.record !== undefined) this.name(flow, 'telnet', `telnet negotiation x${app.record.negotiations}`, frame.frameNo);
        return;
      case 'teamviewer':
      case 'teamviewer_udp':
        if (app.record === undefined) return;
        flow.magic++;
        if (sport === TEAMVIEWER_PORT || dport === TEAMVIEWER_PORT || flow.magic >= TEAMVIEWER_MIN_PACKETS) {
          this.name(flow, 'teamviewer', `teamviewer magic ${app.record.magic}${flow.magic >= TEAMVIEWER_MIN_PACKETS ? ` x${flow.magic}` : ` port ${TEAMVIEWER_PORT}`}`, frame.frameNo);
        }
        return;
      case 'tls': {
        const h = app.record;
        this.senderIsClient(flow, frame, sport);
        const bySni = h.serverName !== undefined ? serviceByName(h.serverName, this.services) : undefined;
        if (bySni !== undefined) return this.name(flow, bySni.id, `tls sni ${h.serverName}`, frame.frameNo);
        for (const s of this.services) {
          const alpn = h.alpn.find((p) => s.alpnPrefixes?.some((prefix) => p.startsWith(prefix)) === true);
          if (alpn !== undefined) return this.name(flow, s.id, `tls alpn ${alpn}`, frame.frameNo);
        }
        for (const s of this.services) {
          if (h.ja4 !== undefined && s.ja4?.includes(h.ja4) === true) return this.name(flow, s.id, `tls ja4 ${h.ja4}`, frame.frameNo);
        }
        for (const s of this.services) {
          if (s.tlsPorts?.includes(flow.server.port) === true) return this.name(flow, s.id, `tls port ${flow.server.port}`, frame.frameNo);
        }
        return;
      }
      default:
        return;
    }
  }

  private name(flow: Flow, tool: string, how: string, frame: number): void {
    flow.tool = tool;
    flow.how = how;
    flow.evidenceFrame = frame;
    this.counters.inc('remote.sessions_named');
  }

  private learnNames(record: { answers: { name: string; type: string; data: string }[]; questions: { name: string }[] }, frame: FrameRecord): void {
    const question = record.questions[0]?.name;
    for (const a of record.answers) {
      if (a.type !== 'A' && a.type !== 'AAAA') continue;
      const service = serviceByName(a.name, this.services) ?? (question !== undefined ? serviceByName(question, this.services) : undefined);
      if (service === undefined) continue;
      this.names.delete(a.data);
      if (this.names.size >= this.limits.maxNames) {
        const oldest = this.names.keys().next().value;
        if (oldest !== undefined) this.names.delete(oldest);
        this.counters.inc('remote.names_evicted');
      }
      this.names.set(a.data, { service, name: question ?? a.name, frame: frame.frameNo });
    }
  }

  private evictOne(): void {
    // Pending (unnamed) flows go first, the oldest of them; else the oldest session.
    let victim: Flow | undefined;
    for (const f of this.flows.values()) {
      if (f.tool === undefined) { victim = f; break; }
    }
    victim ??= this.flows.values().next().value;
    if (victim === undefined) return;
    this.counters.inc('remote.flows_evicted');
    this.close(victim, 'evicted');
  }

  private sweep(now: number): void {
    this.framesSinceSweep = 0;
    for (const f of [...this.flows.values()]) if (now - f.last > this.limits.idleMicros) this.close(f, 'idle');
  }

  private forget(flow: Flow): void {
    if (this.lastFlow === flow) this.lastFlow = undefined;
    this.flows.delete(flow.key);
    this.countAddress(flow.client.ip, -1);
    this.countAddress(flow.server.ip, -1);
  }

  private countAddress(ip: string, by: 1 | -1): void {
    const n = (this.flowsByAddress.get(ip) ?? 0) + by;
    if (n > 0) this.flowsByAddress.set(ip, n);
    else this.flowsByAddress.delete(ip);
  }

  private close(flow: Flow, reason: SessionEndReason): void {
    this.forget(flow);
    if (flow.tool === undefined) return;
    const clientInside = isInternal(flow.client.ip);
    const serverInside = isInternal(flow.server.ip);
    // Named by the server's name or by the client's own TLS fingerprint: the server is the
    // service's relay or cloud, and the device is the client that called it.
    const serverIsService = /^(dns|tls sni|tls alpn|tls ja4) /.test(flow.how);
    const deviceIsClient = serverIsService || (clientInside && !serverInside);
    const device = deviceIsClient ? flow.client : flow.server;
    const peer = deviceIsClient ? flow.server : flow.client;
    this.done.push({
      tool: flow.tool, how: flow.how, transport: flow.transport,
      deviceIp: device.ip, deviceMac: device.mac, devicePort: device.port, peerIp: peer.ip, peerPort: peer.port,
      direction: deviceIsClient ? 'outbound' : 'inbound',
      start: flow.start, end: flow.last,
      bytesToDevice: deviceIsClient ? flow.bytesS2C : flow.bytesC2S,
      bytesFromDevice: deviceIsClient ? flow.bytesC2S : flow.bytesS2C,
      frames: flow.frames, firstFrame: flow.firstFrame, evidenceFrame: flow.evidenceFrame, lastFrame: flow.lastFrame, endReason: reason,
    });
    this.counters.inc('remote.sessions');
  }
}

/** Display name of a tool id. */
export function toolName(tool: string): string {
  return WIRE_TOOLS[tool]?.name ?? REMOTE_ACCESS_SERVICES.find((s) => s.id === tool)?.name ?? tool;
}
