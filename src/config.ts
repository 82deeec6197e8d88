/**
 * \summary The sensor's configuration: one zod schema (every key with its default and a
 * description), loaded from YAML with line/column positions kept, then overridden by
 * environment variables, then by command-line flags.
 *
 * Errors read `file:line:col: key: reason` and throw AuscultError('AUS_ERR_CONFIG_FILE') for
 * unreadable or unparsable files and AuscultError('AUS_ERR_CONFIG_KEY') for a bad value or an
 * unknown key (both exit 78). The schema is the single source of `config/auscult.yaml` and
 * `docs/config-reference.md` (src/config-reference.ts renders both; a test diffs them).
 */
import { parseSubnet } from './identify/location.js';
import { REASSEMBLY_LIMITS } from './decode/stream/tcp-reassembly.js';
import { STREAM_LIMIT_DECLS, STREAM_LIMITS, STREAM_PROTOCOLS, type StreamLimits } from './decode/stream/stream-decoder.js';
import { APP_LIMIT_DECLS, APP_PROTOCOLS, appLimitsFromConfig, type AppDecoderLimits, type AppLimitSection } from './decode/registry.js';
import { limitsFromConfig, type LimitDecl, type LimitSection } from './decode/limits.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { LineCounter, parseDocument, isMap, isScalar, type Document, type Node as YamlNode } from 'yaml';
import { z } from 'zod';

import { ETHERNET_LIMIT_DECL, type EthernetLimits } from './decode/link/ethernet.js';
import { TUNNEL_LIMIT_DECL, TUNNEL_LIMITS, type TunnelLimits } from './decode/frame.js';
import { TUNNEL_PROTOCOLS } from './decode/tunnel/registry.js';
import { REMOTE_SESSION_LIMITS, type RemoteSessionLimits } from './observe/remote-sessions.js';
import { isValidCidr, PROFILE_LIMITS, type ProfileLimits } from './observe/comm-profile.js';
import { AuscultError, type ErrorLocation } from './errors.js';
import { TIMESTAMP_LIMITS, type TimestampLimits } from './capture/timestamps.js';
import { MODEL_LIMITS, type ModelLimits } from './device/device-model.js';
import { LOCATION_LIMITS, type LocationLimits } from './identify/location.js';
import { BINDER_LIMITS, type BinderLimits } from './observe/address-binder.js';
import { KNOWN_FRAME_LIMITS, type KnownFrameLimits } from './capture/known-frames.js';
import { OUTPUT_FORMATS } from './output/shapes.js';
import { checkCentralUrl } from './central/url.js';

/**
 * Tunnels and shims auscult opens (issue 15), from their registry (src/decode/tunnel/registry.ts):
 * GRE and ERSPAN (IP protocol 47), IP in IP (4, 41), VXLAN (the default `limits.tunnels.vxlan_ports`),
 * Geneve (6081), MPLS (over UDP 6635, and by ethertype), PPPoE session and Cisco MetaData by
 * ethertype (`ether proto`, not the `mpls` or `pppoes` keywords: those shift the offsets of what
 * follows them), CAPWAP data (5247), LWAPP data (12222); IP protocols first, then UDP ports,
 * then the rest (a stable order). Their inner traffic cannot be filtered in BPF, so a tunnel
 * passes whole.
 */
const tunnelTermOrder = (t: string) => (t.startsWith('ip') ? 0 : t.startsWith('udp port ') ? 1 : 2);
const TUNNEL_TRAFFIC = TUNNEL_PROTOCOLS.map((t) => t.bpf(TUNNEL_LIMITS.vxlanPorts)).filter((t) => t !== '')
  .sort((a, b) => tunnelTermOrder(a) - tunnelTermOrder(b)).join(' or ');

/**
 * pcap-filter(7) terms of every registered protocol: each datagram protocol's `bpf`
 * (src/decode/registry.ts) and each stream protocol's default ports
 * (src/decode/stream/stream-decoder.ts), UDP terms first, then TCP, then ethertypes (a stable
 * order: the filter reads the same whatever the registry order).
 */
const PROTOCOL_TERMS = [
  ...APP_PROTOCOLS.map((p) => p.bpf),
  ...STREAM_PROTOCOLS.map((p) => p.ports(STREAM_LIMITS).map((port) => `tcp port ${port}`).join(' or ')),
].filter((t) => t !== '');
const termOrder = (t: string) => (t.startsWith('udp ') ? 0 : t.startsWith('tcp ') ? 1 : 2);
/** `ether dst` terms: matched at a fixed offset, so they pass tagged frames without the VLAN wrapping. */
const ANY_TAG_TERMS = PROTOCOL_TERMS.filter((t) => t.startsWith('ether dst '));

/**
 * Remote access and the names devices resolve (issue 20): DNS (53) whole; the remote-control
 * ports whole (SSH 22, Telnet 23, Citrix ICA 1494 and 2598, RDP 3389, VNC 5900-5999, TeamViewer 5938 TCP and UDP, AnyDesk
 * 6568 and 7070); of every other TCP flow only what the session tracker needs: its TLS handshake
 * records (the first payload byte is 0x16, content type handshake: the ClientHello, never the
 * application data) and its SYN, FIN and RST segments (when a session starts and ends). IPv6 TCP
 * cannot be looked into by offset in BPF, so over IPv6 only the ports above pass.
 */
export const REMOTE_ACCESS_TRAFFIC =
  'port 53 or tcp port 22 or tcp port 23 or tcp port 1494 or tcp port 2598 or tcp port 3389 or tcp portrange 5900-5999 or port 5938 or tcp port 6568 or tcp port 7070 or ' +
  '(ip and tcp and (tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0 or tcp[((tcp[12] & 0xf0) >> 2)] = 0x16))';

/** The traffic auscult decodes, as a pcap-filter(7) expression (untagged forms). */
const DECODED_TRAFFIC = [
  ...PROTOCOL_TERMS.filter((t) => !t.startsWith('ether dst ')).sort((a, b) => termOrder(a) - termOrder(b)),
  'arp',
  REMOTE_ACCESS_TRAFFIC,
  TUNNEL_TRAFFIC,
].join(' or ');

/**
 * Default BPF filter: every registered protocol (DHCP 67/68, mDNS 5353, DICOM 104/11112,
 * HL7/MLLP 2575, LLDP ethertype 0x88cc, and CDP, LLC/SNAP to 01:00:0c:cc:cc:cc, matched by
 * destination so tagged CDP passes too), ARP (IP-to-MAC bindings) and the tunnels above; each
 * also inside one 802.1Q tag and inside QinQ. `vlan` must come last in an `or`: it shifts the
 * offsets of everything after it.
 */
export const DEFAULT_BPF_FILTER =
  `${ANY_TAG_TERMS.map((t) => `${t} or `).join('')}(${DECODED_TRAFFIC}) or ` +
  `(vlan and ((${DECODED_TRAFFIC}) or (vlan and (${DECODED_TRAFFIC}))))`;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** `host:port` or `[v6]:port`; the host must be an IP address or `localhost`. */
export function parseListenAddress(text: string): { host: string; port: number } | string {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!m) return 'expected host:port, e.g. 127.0.0.1:9464 or [::1]:9464';
  const host = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  if (port > 65535) return 'port must be 0..65535';
  if (host !== 'localhost' && isIP(host) === 0) return `host ${JSON.stringify(host)} is not an IP address or localhost`;
  return { host, port };
}

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice(7) : host;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

const captureSchema = z.strictObject({
  interface: z.string().min(1).nullable().default(null)
    .describe('Network interface to listen on (the SPAN/mirror port), e.g. `eth1`. Required by `auscult run` (here, in AUSCULT_INTERFACE or with --interface).'),
  snaplen: int(64, 65535).default(65535)
    .describe('Bytes the kernel keeps of each frame; longer frames are cut and counted as truncated. TPACKET_V3 blocks hold frames at their captured length, so a smaller snaplen saves copying, not ring space, except for frames longer than it.'),
  buffer_size: int(1 << 20, 1 << 30).default(32 * 1024 * 1024)
    .describe('libpcap kernel ring size in bytes: what absorbs bursts while the pipeline works. Frames it has no room for are kernel drops (auscult_packets_dropped_kernel, a /healthz problem).'),
  promiscuous: z.boolean().default(true)
    .refine((v) => v, { message: 'false is not supported: a SPAN or mirror port delivers other hosts\' frames, which only promiscuous mode passes up' })
    .describe('Open the interface in promiscuous mode. Must be true: a SPAN or mirror port carries other hosts\' traffic.'),
  bpf_filter: z.string().max(8192).default(DEFAULT_BPF_FILTER)
    .describe('pcap-filter(7) expression compiled into the kernel. The default passes only what auscult decodes (DHCP, mDNS, DICOM 104/11112, HL7 2575, LLDP, CDP, ARP), tagged and QinQ forms included. `""` captures everything: devices are then also learnt from ordinary IP traffic and DICOM is found on any port, at a higher CPU cost.'),
  ring_bytes: int(1 << 20, 1 << 30).default(32 * 1024 * 1024)
    .describe('Bytes of the in-process ring libpcap\'s frames are copied into before the pipeline takes them; while it is full, frames wait in the kernel\'s buffer (`buffer_size`), and what that has no room for is counted as kernel drops.'),
  user: z.string().min(1).nullable().default(null)
    .describe('After opening the interface, switch to this user (name or uid) and check that no capability is left. null: stay as started (systemd with AmbientCapabilities, or Docker with --user).'),
  group: z.string().min(1).nullable().default(null)
    .describe('Group (name or gid) to switch to with `user`; null: the primary group of `user`.'),
}).prefault({}).describe('Live capture (libpcap through auscult\'s addon, native/pcap-capture; receive-only).');

/** One declared limit (src/decode/limits.ts) as a zod key: bounds, default and description from the declaration. */
function limitKey(d: LimitDecl<unknown>) {
  switch (d.kind) {
    case 'int': return int(d.min, d.max).default(d.default / d.scale).describe(d.describe);
    case 'ports': return z.array(int(1, 65535)).max(d.maxItems).default([...d.default]).describe(d.describe);
    case 'enum': return z.enum(d.values as [string, ...string[]]).default(d.default).describe(d.describe);
  }
}

/** A `limits.<section>` object from one or more declarations of that section (keys in declaration order). */
export function limitSchema(decls: readonly LimitSection[]) {
  const shape: Record<string, ReturnType<typeof limitKey>> = {};
  for (const decl of decls) for (const d of Object.values(decl.fields)) shape[d.key] = limitKey(d);
  return z.strictObject(shape).prefault({}).describe(decls[0]?.describe ?? '');
}

/** `limits.<name>` of every datagram protocol in the registry (src/decode/registry.ts). */
const appLimitSchemas = Object.fromEntries(APP_LIMIT_DECLS.map((d) => [d.section, limitSchema([d])])) as { [K in AppLimitSection]: ReturnType<typeof limitSchema> };

const limitsSchema = z.strictObject({
  model: z.strictObject({
    max_devices: int(1, 100_000_000).default(MODEL_LIMITS.maxDevices).describe('Devices known in all, in memory and in the database; a new device past this is counted (`inventory.devices_dropped`) and not created, so a flood of spoofed MACs cannot fill the disk.'),
    max_resident_devices: int(1, 100_000_000).default(MODEL_LIMITS.maxResidentDevices).describe('Devices held in memory (about 2 KB each). Past it, the least recently seen are written and evicted (`inventory.devices_evicted`), down to three quarters of it, or to a quarter when more devices were created than read back since the last eviction (`inventory.deep_evictions`: a flood of new devices is written in larger transactions), and read back when heard again (`inventory.devices_reloaded`; from a snapshot row in one query, their last-seen times and counts written at the next full flush, `inventory.cold_devices_written`). This bounds the memory whatever the number of devices; set it above the number of devices active at once, or evictions and reloads slow the sensor.'),
    max_values_per_field: int(1, 1_000_000).default(MODEL_LIMITS.maxValuesPerField).describe('Distinct candidate values kept per device field; more are counted and dropped.'),
    max_addresses_per_device: int(1, 1_000_000).default(MODEL_LIMITS.maxAddressesPerDevice).describe('IP addresses kept per device; more are counted and dropped.'),
    max_aliases: int(0, 100_000_000).default(MODEL_LIMITS.maxAliases).describe('MACs merged into another device (a switch\'s port and management MACs), kept in the database; more are counted (`inventory.aliases_dropped`) and stay devices of their own.'),
    max_memo_entries_per_device: int(0, 1_000_000).default(MODEL_LIMITS.maxMemoEntriesPerDevice).describe('Repeated facts whose merge is memoised, per device (a speed cache; cleared when full).'),
    max_interned_values: int(1, 10_000_000).default(MODEL_LIMITS.maxInternedValues).describe('Distinct evidence values held once for every device that has them (a fleet\'s model and firmware strings); cleared when full, counted in inventory.interned_values_cleared.'),
    classification_persist_count: int(1, 1_000_000).default(MODEL_LIMITS.classificationPersistCount).describe('Observations a new device type, category or FDA class needs before it replaces a known one (no flip-flopping; counter `inventory.classification_held`); also the frames a new location (VLAN, switch, port, room) must be heard for, without the old value seen again, before it is a move (counter `inventory.location_held`).'),
    classification_persist_s: int(0, 31_536_000).default(MODEL_LIMITS.classificationPersistMicros / 1_000_000).describe('Seconds of capture time a new device type, category, FDA class or location must persist before it replaces a known one.'),
  }).prefault({}).describe('In-memory device model (src/device/device-model.ts MODEL_LIMITS).'),
  binder: z.strictObject({
    router_prefix_threshold: int(1, 1_000_000).default(BINDER_LIMITS.routerPrefixThreshold).describe('Distinct source prefixes behind one MAC before it is treated as a router.'),
    max_tracked_macs: int(1, 100_000_000).default(BINDER_LIMITS.maxTrackedMacs).describe('MACs tracked for IP binding; the oldest are evicted past it.'),
  }).prefault({}).describe('IP-to-MAC binding (src/observe/address-binder.ts BINDER_LIMITS).'),
  location: z.strictObject({
    max_switches: int(1, 10_000_000).default(LOCATION_LIMITS.maxSwitches).describe('Switches tracked for switch-port location.'),
    max_ports_per_switch: int(1, 1_000_000).default(LOCATION_LIMITS.maxPortsPerSwitch).describe('Ports tracked per switch.'),
    max_pending_clients: int(1, 100_000_000).default(LOCATION_LIMITS.maxPendingClients).describe('Clients awaiting a switch-port match.'),
  }).prefault({}).describe('Switch-port location from LLDP/CDP and DHCP option 82 (src/identify/location.ts LOCATION_LIMITS).'),
  ethernet: limitSchema([ETHERNET_LIMIT_DECL]),
  tunnels: limitSchema([TUNNEL_LIMIT_DECL]),
  ...appLimitSchemas,
  remote: z.strictObject({
    max_flows: int(1, 10_000_000).default(REMOTE_SESSION_LIMITS.maxFlows).describe('TCP/UDP flows the remote-session tracker holds at once; unnamed flows are evicted first, a session evicted is written with end reason `evicted` (counter `remote.flows_evicted`).'),
    max_names: int(1, 10_000_000).default(REMOTE_SESSION_LIMITS.maxNames).describe('DNS name-to-address entries of remote-access services remembered (counter `remote.names_evicted`).'),
    max_probe_segments: int(1, 1000).default(REMOTE_SESSION_LIMITS.maxProbeSegments).describe('Payload segments of a flow looked at before it is forgotten unnamed.'),
    idle_timeout_s: int(1, 86_400).default(REMOTE_SESSION_LIMITS.idleMicros / 1_000_000).describe('Seconds of capture time without a frame after which a remote session ends.'),
  }).prefault({}).describe('Remote-access session tracker (src/observe/remote-sessions.ts REMOTE_SESSION_LIMITS, issue 20).'),
  profile: z.strictObject({
    max_devices: int(1, 10_000_000).default(PROFILE_LIMITS.maxDevices).describe('Internal addresses whose communication profile is kept, in memory between two flushes and in the database; a new one past it is counted (`profile.devices_dropped`) and not profiled.'),
    max_peers_per_device: int(1, 100_000).default(PROFILE_LIMITS.maxPeersPerDevice).describe('Peers kept per device (external peers before internal ones, then the busiest); the others are evicted and counted (`profile.peers_evicted`).'),
    max_names_per_device: int(1, 100_000).default(PROFILE_LIMITS.maxNamesPerDevice).describe('DNS names resolved and TLS server names called, kept per device (the most asked); the others are evicted and counted (`profile.names_evicted`).'),
    max_resolved: int(1, 10_000_000).default(PROFILE_LIMITS.maxResolved).describe('Address-to-DNS-name entries remembered to name the peers a device calls (counter `profile.resolved_evicted`).'),
  }).prefault({}).describe('Per-device communication profile (src/observe/comm-profile.ts PROFILE_LIMITS, issue 20).'),
  reassembly: z.strictObject({
    max_flows: int(1, 10_000_000).default(REASSEMBLY_LIMITS.maxFlows).describe('TCP flows (DICOM, HL7) tracked at once; the least recently active is evicted past it (counter `reassembly.flows_evicted`).'),
    max_buffered_bytes_per_direction: int(1024, 1 << 30).default(REASSEMBLY_LIMITS.maxBufferedBytesPerDirection).describe('Out-of-order bytes held per flow direction before the hole is declared a gap (counter `reassembly.gaps`).'),
    max_buffered_bytes_total: int(1024, 2 ** 31).default(REASSEMBLY_LIMITS.maxBufferedBytesTotal).describe('Out-of-order bytes held across all flows; past it the oldest flows are evicted (counter `reassembly.memory_evictions`).'),
    max_segments_per_direction: int(1, 1_000_000).default(REASSEMBLY_LIMITS.maxSegmentsPerDirection).describe('Out-of-order segments held per flow direction (counter `reassembly.segments_dropped`).'),
    idle_timeout_s: int(1, 86_400).default(REASSEMBLY_LIMITS.idleTimeoutMicros / 1_000_000).describe('A flow with no segment for this long (capture time) is closed (counter `reassembly.flows_idle_closed`).'),
  }).prefault({}).describe('TCP stream reassembly (src/decode/stream/tcp-reassembly.ts REASSEMBLY_LIMITS).'),
  streams: limitSchema(STREAM_LIMIT_DECLS),
  known_frames: z.strictObject({
    enabled: z.boolean().default(KNOWN_FRAME_LIMITS.enabled).describe('Frames a sender has already sent (the same bytes once the IPv4 id and checksum, the UDP checksum and the DHCP xid and secs are masked; non-IP frames and UDP on the ports the decoders claim, never TCP) skip decoding, and, when nothing they read has changed since, the address binder, identification, the model and location: what they moved the last time is replayed. The inventory, history and counters are the same with it on or off (test/golden/known-frames.test.ts). On by default: 0.40-0.48x the CPU on the benchmark\'s repeating discovery capture, 0.94-0.98x on the dense one, about 1.0x on the SPAN-like one, where it sleeps (`probe_window`); 4-10 MB more peak RSS (bench/README.md, issue 14, sixth session). false: every frame takes the full path. Hits, misses and sleeps: the metrics `auscult_known_frames_total{result}`, `auscult_known_frames_replayed_total` and `auscult_known_frames_sleeps_total`.'),
    frames_per_sender: int(0, 1024).default(KNOWN_FRAME_LIMITS.framesPerSender).describe('Distinct frames remembered per sender MAC (the oldest replaced first).'),
    max_bytes: int(0, 2 ** 31).default(KNOWN_FRAME_LIMITS.maxBytes).describe('Memory the remembered frames may take (their bytes plus an estimate of what is replayed); past it the senders remembered first are forgotten (counter `known_frames.senders_evicted`).'),
    max_frame_bytes: int(64, 65535).default(KNOWN_FRAME_LIMITS.maxFrameBytes).describe('Longer frames are always decoded in full.'),
    remember_after: z.union([z.literal(1), z.literal(2)]).default(KNOWN_FRAME_LIMITS.rememberAfter).describe('Sightings of a frame before it is remembered: 1, at once; 2, at its second (a frame heard once, as most are in a large network\'s first minutes, then costs its hash, not a copy of it and its decoding).'),
    max_seen_once: int(0, 10_000_000).default(KNOWN_FRAME_LIMITS.maxSeenOnce).describe('With `remember_after` 2: frames seen once whose sender and hash are kept (12 to 20 bytes each, 12 when it is a power of two; all senders together, src/capture/seen-once.ts); a hash is forgotten once this many were kept after it (`Pipeline.knownFrameStats.onceForgotten`).'),
    probe_window: int(0, 10_000_000).default(KNOWN_FRAME_LIMITS.probeWindow).describe('Frames looked up per probe window. A window in which fewer than `min_repeat_share` of them were repeats (frames already remembered, or seen once before) puts the table to sleep for 15 windows\' worth of frames, which are decoded in full (`auscult_known_frames_total{result="asleep"}`, `auscult_known_frames_sleeps_total`): a feed that does not repeat itself pays for the table only while it probes. 0: never asleep.'),
    min_repeat_share: z.number().min(0).max(1).default(KNOWN_FRAME_LIMITS.minRepeatShare).describe('Share of a probe window\'s lookups that must be repeats for the table to stay awake (see `probe_window`).'),
    max_header_signatures: int(0, 1_000_000).default(KNOWN_FRAME_LIMITS.maxHeaderSignatures).describe('Plain TCP and UDP frames (no application record, no tunnel) whose sender\'s fields (MAC, address, TTL, VLAN tags, the class of the destination address) match an earlier frame\'s replay what that frame moved, without the binder, the model and location (src/header-signatures.ts); this many signatures are kept (16 per sender MAC), and past it the table is emptied. 0: those frames always take the full path.'),
  }).prefault({}).describe('The known-frame fast path (src/capture/known-frames.ts).'),
  timestamps: z.strictObject({
    earliest_year: int(1970, 2100).default(new Date(TIMESTAMP_LIMITS.earliestMicros / 1000).getUTCFullYear()).describe('Frames of a replayed capture timestamped before 1 January of this year take the previous frame\'s time (warning `capture.timestamp_out_of_window`).'),
    max_forward_jump_s: int(1, 2 ** 31).default(TIMESTAMP_LIMITS.maxForwardJumpMicros / 1_000_000).describe('Frames of a replayed capture timestamped more than this many seconds past the previous frame, or past the wall clock, take the previous frame\'s time (warning `capture.timestamp_out_of_window`).'),
  }).prefault({}).describe('The sane window of capture timestamps (src/capture/timestamps.ts): nothing outside it is stored.'),
}).prefault({}).describe('Limits of the decoders, the stream reassembly and the model. Each limit hit is counted (docs/anomaly-codes.md).');

export const configSchema = z.strictObject({
  capture: captureSchema,
  network: z.strictObject({
    subnet_vlans: z.array(z.strictObject({
      subnet: z.string().refine((v) => parseSubnet(v) !== undefined, { message: 'not an IPv4 CIDR like 10.20.30.0/24' }).describe('IPv4 CIDR.'),
      vlan: int(1, 4094).describe('VLAN id of that subnet.'),
    })).max(65536).default([])
      .describe('Subnet-to-VLAN map, for feeds that strip 802.1Q tags: a device with an untagged address in one of these subnets (or relayed by DHCP with a giaddr in one) is given its VLAN. Tags, and subnets learnt from tagged frames, take precedence. Example: `[{subnet: 10.20.30.0/24, vlan: 30}]`.'),
  }).prefault({}).describe('What auscult is told about the network.'),
  database: z.strictObject({
    path: z.string().min(1).default('./auscult.db').describe('The inventory database (SQLite, WAL). systemd: /var/lib/auscult/auscult.db.'),
  }).prefault({}).describe('The inventory.'),
  output: z.strictObject({
    exceptions_path: z.string().min(1).default('./exceptions.ndjson').describe('The exception stream (NDJSON), appended to and reopened on SIGHUP.'),
    sensor_name: z.string().min(1).max(255).nullable().default(null).describe('This sensor\'s name in OCSF, ECS, CEF and syslog events (`observer.name`, `dvchost`, HOSTNAME); null: the host name.'),
    targets: z.array(z.discriminatedUnion('type', [
      z.strictObject({
        type: z.literal('file'),
        name: z.string().min(1).max(64),
        format: z.enum(OUTPUT_FORMATS),
        path: z.string().min(1),
      }),
      z.strictObject({
        type: z.literal('syslog'),
        name: z.string().min(1).max(64),
        transport: z.enum(['udp', 'tcp', 'tls']).default('tcp'),
        host: z.string().min(1),
        port: int(1, 65535).default(514),
        ca_file: z.string().min(1).nullable().default(null),
        server_name: z.string().min(1).nullable().default(null),
        max_queue: int(1, 10_000_000).default(100_000),
        reconnect_min_ms: int(10, 3_600_000).default(500),
        reconnect_max_ms: int(10, 3_600_000).default(30_000),
      }),
      z.strictObject({
        type: z.literal('webhook'),
        name: z.string().min(1).max(64),
        url: z.url({ protocol: /^https?$/ }),
        format: z.enum(OUTPUT_FORMATS).default('ocsf'),
        token_env: z.string().min(1).nullable().default(null),
        batch_size: int(1, 100_000).default(500),
        max_queue: int(1, 10_000_000).default(100_000),
        timeout_ms: int(100, 600_000).default(10_000),
        retry_min_ms: int(10, 3_600_000).default(1000),
        retry_max_ms: int(10, 3_600_000).default(60_000),
      }),
    ])).max(32).default([]).superRefine((list, ctx) => {
      const names = new Set<string>();
      for (const o of list) {
        if (names.has(o.name)) ctx.addIssue({ code: 'custom', message: `two outputs are named ${o.name}` });
        names.add(o.name);
      }
    }).describe('Extra outputs of the events (README "Sending to your SIEM"), each fed from the outbox with its own cursor: ' +
      '`{type: file, name, format: ndjson|ocsf|ecs|cef|syslog, path}` appends that shape to a file (crash-safe like the exception stream, tied to its database); ' +
      '`{type: syslog, name, transport: udp|tcp|tls, host, port, ca_file, server_name, max_queue, reconnect_min_ms, reconnect_max_ms}` sends RFC 5424 (CEF inside) to a collector, octet-counted on TCP/TLS, never blocking: at most max_queue messages wait, the oldest are dropped and counted (`output.<name>.dropped`), and /healthz reports the collector while it is unreachable; ' +
      '`{type: webhook, name, url, format, token_env, batch_size, max_queue, timeout_ms, retry_min_ms, retry_max_ms}` POSTs batches of lines (NDJSON body; `Authorization: Bearer` from the environment variable token_env), retrying 429/5xx/network errors with backoff, bounded the same way.'),
  }).superRefine((o, ctx) => {
    // Two writers on one file would interleave shapes and cursors.
    const paths = new Set([o.exceptions_path]);
    for (const t of o.targets) {
      if (t.type !== 'file') continue;
      if (paths.has(t.path)) ctx.addIssue({ code: 'custom', path: ['targets'], message: `output ${t.name}: ${t.path} is already written by another output` });
      paths.add(t.path);
    }
  }).prefault({}).describe('Outputs.'),
  log: z.strictObject({
    level: z.enum(LOG_LEVELS).default('info').describe('Log level on stderr (pino JSON lines).'),
  }).prefault({}).describe('Logging.'),
  metrics: z.strictObject({
    enabled: z.boolean().default(true).describe('Serve /metrics and /healthz.'),
    listen: z.string().default('127.0.0.1:9464')
      .superRefine((v, ctx) => { const r = parseListenAddress(v); if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r }); }).describe('host:port of the metrics and health endpoint. Must be a loopback address unless allow_non_loopback is true.'),
    allow_non_loopback: z.boolean().default(false).describe('Allow `listen` on a non-loopback address (the endpoint has no authentication).'),
    max_packet_age_s: int(0, 86_400 * 365).default(0).describe('/healthz fails when no packet arrived for this many seconds; 0: the age is reported but never fails health (a quiet SPAN is not a fault).'),
  }).prefault({}).describe('Prometheus metrics and health (HTTP, no authentication).'),
  identify: z.strictObject({
    fingerprints_dir: z.string().min(1).nullable().default(null).describe('Directory of fingerprint rule files (*.yaml); null: the fingerprints/ shipped with auscult. Re-read on SIGHUP; a bad rule file keeps the running rules.'),
  }).prefault({}).describe('Identification.'),
  inventory: z.strictObject({
    flush_interval_ms: int(100, 3_600_000).default(5000).describe('Milliseconds between inventory writes (one transaction each).'),
  }).prefault({}).describe('Inventory writes.'),
  lifecycle: z.strictObject({
    quiet_after_s: int(1, 315_360_000).default(604_800).describe('A device not heard for this many seconds of capture time (never the wall clock) gets a `device_quiet` event, a decommission candidate; heard again, `device_back`. Default 7 days.'),
  }).prefault({}).describe('Device lifecycle events (`device_new`, `device_changed`, `device_quiet`, `device_back`) in the outbox beside the exceptions.'),
  central: z.strictObject({
    url: z.string().min(1).nullable().default(null)
      .superRefine((v, ctx) => { if (v === null) return; const r = checkCentralUrl(v); if (r !== undefined) ctx.addIssue({ code: 'custom', message: r }); })
      .describe('Central PostgreSQL to ship device state and the exception outbox to (many sites, one inventory), e.g. `postgres://auscult@central.example:5432/auscult?sslmode=verify-full`; `sslmode` is honoured. No password here: give it in AUSCULT_CENTRAL_PASSWORD or `password_file`. null: no shipping (one sensor, one SQLite file). Create the schema first with `auscult central init`.'),
    password_file: z.string().min(1).nullable().default(null)
      .describe('File whose first line is the central database password (AUSCULT_CENTRAL_PASSWORD takes precedence).'),
    sensor_id: z.string().min(1).max(200).nullable().default(null)
      .describe('This sensor\'s id in the central database; null: a UUID made once and kept in the local database.'),
  }).prefault({}).describe('Shipping to a central PostgreSQL (README "Many sites"). Events stay in the local database until the central one has committed them.'),
  profile: z.strictObject({
    allowed_external: z.array(z.strictObject({
      manufacturer: z.string().min(1).max(200).nullable().default(null).describe('Only for devices of this manufacturer (any spelling auscult knows); null: every device.'),
      names: z.array(z.string().min(1).max(255).regex(/^[a-z0-9.*-]+$/i, 'a DNS name or suffix')).max(10_000).default([]).describe('DNS names and suffixes (`example.com` allows `a.example.com`) the device may call.'),
      cidrs: z.array(z.string().refine((v) => isValidCidr(v), { message: 'not an IPv4 or IPv6 CIDR like 203.0.113.0/24' })).max(10_000).default([]).describe('Address ranges the device may call.'),
      note: z.string().max(1000).nullable().default(null).describe('Why (a change ticket, a vendor document).'),
    })).max(10_000).default([]).describe('External destinations the hospital allows, beside the shipped vendor allowlist (src/observe/external-destinations.ts) and MUD files: a call to anything else raises `unexpected_external_peer` (README "Communication profile"). Example: `[{manufacturer: Philips, names: [telemetry.example.org], note: CHG-1234}]`.'),
    internal_networks: z.array(z.string().refine((v) => isValidCidr(v), { message: 'not an IPv4 or IPv6 CIDR like 198.51.100.0/22' })).max(10_000).default([])
      .describe('Public address ranges that are the hospital\'s own network: its hosts are profiled as devices and their peers counted as internal (private, CGNAT, link-local and ULA ranges always are). Example: `[192.0.2.0/24]` for a hospital that numbers its hosts from its own public block.'),
    mud_dir: z.string().min(1).nullable().default(null).describe('Directory of RFC 8520 MUD files (*.json) for devices that announce a MUD URL (DHCP option 161, LLDP): a passive sensor cannot fetch them, so save each file here; a device whose announced URL equals a file\'s `mud-url` may call the destinations its from-device ACLs accept. null: none.'),
  }).prefault({}).describe('Which external destinations each device may call (issue 20).'),
  site: z.string().min(1).max(200).nullable().default(null)
    .describe('Name of the site (hospital, clinic) this sensor listens at; required with `central.url`. Addresses, VLANs and switch ports are kept per site centrally.'),
  limits: limitsSchema,
}).superRefine((cfg, ctx) => {
  // The format is checked on the key itself (so it is reported with the other errors); this
  // cross-key check runs once every key is valid.
  const listen = parseListenAddress(cfg.metrics.listen);
  if (typeof listen !== 'string' && !cfg.metrics.allow_non_loopback && !isLoopbackHost(listen.host)) {
    ctx.addIssue({ code: 'custom', path: ['metrics', 'listen'], message: `${listen.host} is not a loopback address (the endpoint has no authentication; set metrics.allow_non_loopback: true to allow it)` });
  }
  if (cfg.capture.group !== null && cfg.capture.user === null) {
    ctx.addIssue({ code: 'custom', path: ['capture', 'group'], message: 'group needs user' });
  }
});

/** The validated configuration (every key present). */
export type AuscultConfig = z.output<typeof configSchema>;

/** Environment variables that override config keys (documented in the config reference). */
export const ENV_OVERRIDES: readonly { env: string; key: string; type: 'string' | 'integer' | 'boolean' }[] = [
  { env: 'AUSCULT_INTERFACE', key: 'capture.interface', type: 'string' },
  { env: 'AUSCULT_BPF_FILTER', key: 'capture.bpf_filter', type: 'string' },
  { env: 'AUSCULT_USER', key: 'capture.user', type: 'string' },
  { env: 'AUSCULT_GROUP', key: 'capture.group', type: 'string' },
  { env: 'AUSCULT_DB', key: 'database.path', type: 'string' },
  { env: 'AUSCULT_EXCEPTIONS', key: 'output.exceptions_path', type: 'string' },
  { env: 'AUSCULT_LOG_LEVEL', key: 'log.level', type: 'string' },
  { env: 'AUSCULT_METRICS_LISTEN', key: 'metrics.listen', type: 'string' },
  { env: 'AUSCULT_FINGERPRINTS', key: 'identify.fingerprints_dir', type: 'string' },
  { env: 'AUSCULT_FLUSH_INTERVAL_MS', key: 'inventory.flush_interval_ms', type: 'integer' },
  { env: 'AUSCULT_CENTRAL_URL', key: 'central.url', type: 'string' },
  { env: 'AUSCULT_CENTRAL_PASSWORD_FILE', key: 'central.password_file', type: 'string' },
  { env: 'AUSCULT_SENSOR_ID', key: 'central.sensor_id', type: 'string' },
  { env: 'AUSCULT_SITE', key: 'site', type: 'string' },
];

/** Where the config file is looked for when none is named: AUSCULT_CONFIG, then this. */
export const DEFAULT_CONFIG_PATH = 'config/auscult.yaml';

/** A key set on the command line: dotted key → value (already typed). */
export type ConfigOverrides = Record<string, string | number | boolean | null>;

export interface ConfigIssue {
  code: 'AUS_ERR_CONFIG_FILE' | 'AUS_ERR_CONFIG_KEY';
  /** Dotted key, '' for the whole file. */
  key: string;
  reason: string;
  where: ErrorLocation;
}

export interface LoadConfigOptions {
  /** Environment to read AUSCULT_* from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Flag values, highest precedence. */
  overrides?: ConfigOverrides;
}

export interface ConfigResult {
  config: AuscultConfig | null;
  issues: ConfigIssue[];
  /** The file read, or null when only defaults, env and flags were used. */
  file: string | null;
}

function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let obj = target;
  for (const part of path.slice(0, -1)) {
    const next = obj[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const fresh: Record<string, unknown> = {};
      obj[part] = fresh;
      obj = fresh;
    } else {
      obj = next as Record<string, unknown>;
    }
  }
  const last = path[path.length - 1];
  if (last !== undefined) obj[last] = value;
}

/** Position (1-based line:col) of the node at `path`, or of its nearest existing ancestor. */
function positionOf(doc: Document, lines: LineCounter, path: readonly (string | number)[], key?: string): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (node as YamlNode | null)?.range?.[0];
  const steps = key === undefined ? path : [...path, key];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
    if (!pair) break;
    const isKeyStep = key !== undefined && i === steps.length - 1;
    const target = (isKeyStep ? pair.key : (pair.value ?? pair.key)) as YamlNode | null;
    offset = target?.range?.[0] ?? offset;
    node = pair.value;
  }
  if (offset === undefined) return undefined;
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** Dotted key of an issue path. */
const dotted = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** Coerces an environment string to the key's type; a string reason when it cannot. */
function fromEnv(text: string, type: 'string' | 'integer' | 'boolean'): unknown {
  if (type === 'string') return text;
  if (type === 'integer') return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
  return text === 'true' ? true : text === 'false' ? false : text;
}

/**
 * Validates YAML text (or nothing) plus env and flag overrides. Never throws: every problem is
 * an issue with its position (`file:line:col` for file keys, `env AUSCULT_X` or `--flag`
 * otherwise).
 */
export function checkConfig(text: string | null, file: string | null, options: LoadConfigOptions = {}): ConfigResult {
  const name = file ?? '<defaults>';
  const issues: ConfigIssue[] = [];
  const lines = new LineCounter();
  let raw: Record<string, unknown> = {};
  let doc: Document | undefined;
  if (text !== null) {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    for (const e of doc.errors) {
      const pos = lines.linePos(e.pos[0]);
      issues.push({ code: 'AUS_ERR_CONFIG_FILE', key: '', reason: e.message.split('\n')[0] ?? e.message,
        where: { file: name, line: pos.line, column: pos.col } });
    }
    if (issues.length > 0) return { config: null, issues, file };
    let js: unknown;
    try {
      // yaml refuses alias expansion past maxAliasCount (a "billion laughs" bomb) by throwing.
      js = doc.toJS({ maxAliasCount: CONFIG_MAX_ALIAS_COUNT });
    } catch (e) {
      return { config: null, file, issues: [{ code: 'AUS_ERR_CONFIG_FILE', key: '', reason: `refused: ${(e as Error).message} (aliases are limited to ${CONFIG_MAX_ALIAS_COUNT} expansions)`, where: { file: name, line: 1, column: 1 } }] };
    }
    if (js === null || js === undefined) raw = {};
    else if (typeof js === 'object' && !Array.isArray(js)) raw = js as Record<string, unknown>;
    else {
      return { config: null, file, issues: [{ code: 'AUS_ERR_CONFIG_FILE', key: '', reason: 'the top level must be a mapping of sections (capture:, database:, ...)', where: { file: name, line: 1, column: 1 } }] };
    }
  }
  const origin = new Map<string, string>();
  const env = options.env ?? process.env;
  for (const o of ENV_OVERRIDES) {
    const value = env[o.env];
    if (value === undefined || value === '' && o.type !== 'string') continue;
    setIn(raw, o.key.split('.'), fromEnv(value, o.type));
    origin.set(o.key, `env ${o.env}`);
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    setIn(raw, key.split('.'), value);
    origin.set(key, `flag for ${key}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (parsed.success) return { config: parsed.data, issues, file };
  for (const issue of parsed.error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const extra of keys) {
      const keyPath = extra === undefined ? issue.path : [...issue.path, extra];
      const key = dotted(keyPath);
      const reason = extra === undefined ? issue.message : 'unknown key';
      const from = origin.get(key);
      if (from !== undefined) {
        issues.push({ code: 'AUS_ERR_CONFIG_KEY', key, reason, where: { file: from } });
        continue;
      }
      const pos = doc ? positionOf(doc, lines, issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), extra) : undefined;
      issues.push({ code: 'AUS_ERR_CONFIG_KEY', key, reason, where: pos ? { file: name, ...pos } : { file: name } });
    }
  }
  issues.sort((a, b) => (a.where.line ?? 0) - (b.where.line ?? 0) || (a.where.column ?? 0) - (b.where.column ?? 0));
  return { config: null, issues, file };
}

/** Largest config file read (a real one is a few KiB): larger ones are refused unread. */
export const CONFIG_MAX_FILE_BYTES = 1 << 20;
/** Alias expansions allowed when a config document is turned into values (yaml's resource-exhaustion guard). */
export const CONFIG_MAX_ALIAS_COUNT = 100;

/** The file to read: the one named, else AUSCULT_CONFIG, else config/auscult.yaml if present, else none. */
export function resolveConfigPath(named: string | undefined, env: Record<string, string | undefined> = process.env): string | null {
  if (named !== undefined) return named;
  const fromEnv = env['AUSCULT_CONFIG'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return existsSync(DEFAULT_CONFIG_PATH) ? DEFAULT_CONFIG_PATH : null;
}

/** Reads and validates a config file (or defaults when `file` is null); every issue is returned. */
export function checkConfigFile(file: string | null, options: LoadConfigOptions = {}): ConfigResult {
  if (file === null) return checkConfig(null, null, options);
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > CONFIG_MAX_FILE_BYTES) {
      return { config: null, file, issues: [{ code: 'AUS_ERR_CONFIG_FILE', key: '', reason: `refused: ${size} bytes, larger than ${CONFIG_MAX_FILE_BYTES} bytes`, where: { file } }] };
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code ?? 'error'})`;
    return { config: null, file, issues: [{ code: 'AUS_ERR_CONFIG_FILE', key: '', reason, where: { file } }] };
  }
  return checkConfig(text, file, options);
}

/** One issue as a user-facing line: `file:line:col: key: reason`. */
export function issueError(issue: ConfigIssue): AuscultError {
  return new AuscultError(issue.code, issue.key ? `${issue.key}: ${issue.reason}` : issue.reason, issue.where);
}

/** Loads the config; throws the first issue as an AuscultError (exit 78). */
export function loadConfig(file: string | null, options: LoadConfigOptions = {}): AuscultConfig {
  const result = checkConfigFile(file, options);
  const first = result.issues[0];
  if (first !== undefined || result.config === null) {
    throw first ? issueError(first) : new AuscultError('AUS_ERR_CONFIG_FILE', 'invalid configuration', { file: file ?? '<defaults>' });
  }
  return result.config;
}

/** The limits section in the shapes the decoders and the model take (the datagram protocols'
 * limits by protocol name, as AppDecoderLimits: `dhcp`, `lldp`, ...). */
export interface RuntimeLimits extends AppDecoderLimits {
  streams: StreamLimits;
  timestamps: TimestampLimits;
  model: ModelLimits;
  binder: BinderLimits;
  location: LocationLimits;
  ethernet: EthernetLimits;
  tunnels: TunnelLimits;
  knownFrames?: KnownFrameLimits;
  /** Issue 20: the remote-session tracker (optional so that hand-built limits need not name it). */
  remote?: RemoteSessionLimits;
  /** Issue 20: the communication profile (optional, as `remote`). */
  profile?: ProfileLimits;
}

export function runtimeLimits(config: AuscultConfig): RuntimeLimits {
  const l = config.limits;
  return {
    ...appLimitsFromConfig(l),
    streams: {
      ...STREAM_LIMITS,
      ...Object.assign({}, ...STREAM_LIMIT_DECLS.map((d) => limitsFromConfig(d, l.streams))) as Partial<StreamLimits>,
      reassembly: {
        maxFlows: l.reassembly.max_flows,
        maxBufferedBytesPerDirection: l.reassembly.max_buffered_bytes_per_direction,
        maxBufferedBytesTotal: l.reassembly.max_buffered_bytes_total,
        maxSegmentsPerDirection: l.reassembly.max_segments_per_direction,
        idleTimeoutMicros: l.reassembly.idle_timeout_s * 1_000_000,
      },
    },
    timestamps: { earliestMicros: Date.UTC(l.timestamps.earliest_year, 0, 1) * 1000, maxForwardJumpMicros: l.timestamps.max_forward_jump_s * 1_000_000 },
    model: { maxDevices: l.model.max_devices, maxResidentDevices: l.model.max_resident_devices, maxValuesPerField: l.model.max_values_per_field, maxAddressesPerDevice: l.model.max_addresses_per_device, maxAliases: l.model.max_aliases, maxMemoEntriesPerDevice: l.model.max_memo_entries_per_device, maxInternedValues: l.model.max_interned_values, classificationPersistCount: l.model.classification_persist_count, classificationPersistMicros: l.model.classification_persist_s * 1_000_000 },
    binder: { routerPrefixThreshold: l.binder.router_prefix_threshold, maxTrackedMacs: l.binder.max_tracked_macs },
    location: { maxSwitches: l.location.max_switches, maxPortsPerSwitch: l.location.max_ports_per_switch, maxPendingClients: l.location.max_pending_clients },
    ethernet: limitsFromConfig(ETHERNET_LIMIT_DECL, l.ethernet),
    tunnels: limitsFromConfig(TUNNEL_LIMIT_DECL, l.tunnels),
    knownFrames: { enabled: l.known_frames.enabled, framesPerSender: l.known_frames.frames_per_sender, maxBytes: l.known_frames.max_bytes, maxFrameBytes: l.known_frames.max_frame_bytes, rememberAfter: l.known_frames.remember_after, maxSeenOnce: l.known_frames.max_seen_once, probeWindow: l.known_frames.probe_window, minRepeatShare: l.known_frames.min_repeat_share, maxHeaderSignatures: l.known_frames.max_header_signatures },
    remote: { maxFlows: l.remote.max_flows, maxNames: l.remote.max_names, maxProbeSegments: l.remote.max_probe_segments, idleMicros: l.remote.idle_timeout_s * 1_000_000 },
    profile: {
      maxDevices: l.profile.max_devices, maxPeersPerDevice: l.profile.max_peers_per_device, maxNamesPerDevice: l.profile.max_names_per_device, maxResolved: l.profile.max_resolved,
      ...(config.profile.internal_networks.length > 0 ? { internalNetworks: config.profile.internal_networks } : {}),
    },
  };
}
