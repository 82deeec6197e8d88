/**
 * \summary Wiring only: capture → frame decode → application decoders → observations →
 * identification → in-memory model → store flush. No stage calls back upstream.
 */
import type { CapturedFrame, CaptureWarning } from './capture/captured-frame.js';
import { openCapture } from './capture/open-capture.js';
import { TIMESTAMP_LIMITS } from './capture/timestamps.js';
import { Counters } from './counters.js';
import { decodeFrame, FRAME_LIMITS, restampFrame, type FrameLimits } from './decode/frame.js';
import { APP_DECODER_LIMITS, decodeApplication, type AppDecoderLimits, type AppRecord, type DecodeSink, PORT_KEYED_UDP_PORTS } from './decode/registry.js';
import { detached, KNOWN_FRAME_LIMITS, KnownFrames, type KnownFrameLimits, type KnownFrameStats } from './capture/known-frames.js';
import { StreamDecoder, type StreamRecord, type StreamSink } from './decode/stream/stream-decoder.js';
import { frameOfOrigin } from './protocols/dicom/dicom-observe.js';
import { DeviceModel } from './device/device-model.js';
import type { Identifier } from './identify/extract.js';
import type { DeviceFacts } from './device/device-facts.js';
import { createIdentifier } from './identify/rules-identifier.js';
import { LocationResolver, type SubnetVlan } from './identify/location.js';
import { InventoryStore, openDatabase, type Db } from './inventory/store.js';
import type { Logger } from './log.js';
import type { RuntimeLimits } from './config.js';
import { AddressBinder } from './observe/address-binder.js';
import { locationFactOf, observeApplication, observeStream } from './observe/observe-app.js';
import { observeFrame } from './observe/frame.js';
import type { LocationFact } from './observe/location-facts.js';
import { hygieneProblem } from './observe/hygiene.js';
import type { Observation } from './observe/observation.js';
import type { FrameRecord } from './decode/frame-record.js';
import { RemoteSessionTracker } from './observe/remote-sessions.js';
import { RemoteSessionStore } from './inventory/remote-session-store.js';
import { CommProfileTracker } from './observe/comm-profile.js';
import { ProfileStore } from './inventory/profile-store.js';
import { StateVersion, readsHold } from './state-version.js';
import type { RecordedTouches, TouchLog } from './device/touch-log.js';
import { HeaderSignatures, isPlain, type HeaderSignature } from './header-signatures.js';

export interface PipelineOptions {
  /** Frames between store flushes (each flush is one transaction). Default 1,000,000. */
  flushEveryFrames?: number;
  /** Wall-clock milliseconds between flushes while frames keep coming (default 5,000). Only
   * when data is written depends on it, never what is written. */
  flushIntervalMs?: number;
  identifier?: Identifier;
  /** Limits of every stage (config `limits.*`); the built-in defaults when absent. */
  limits?: RuntimeLimits;
  /** Subnet-to-VLAN map (config `network.subnet_vlans`). */
  subnetVlans?: readonly SubnetVlan[];
  logger: Logger;
  /** The known-frame table's limits; default `limits.knownFrames`, else KNOWN_FRAME_LIMITS. */
  knownFrames?: KnownFrameLimits;
  /** How replayed files are read: by default into reused buffers (src/capture/open-capture.ts
   * CaptureOptions.reuseReadBuffers); tests turn it off or lower the read size. */
  replayReads?: { reuseReadBuffers?: boolean; readChunkBytes?: number };
}

/** What a known frame replays: the decoded frame (payload dropped), the counters decoding
 * incremented, and the application observer's facts; and, when its last full processing only
 * moved times and counts, those moves. */
interface KnownDecode {
  readonly frame: FrameRecord;
  readonly counted: readonly string[];
  readonly facts: readonly Observation[] | undefined;
  readonly protocol: AppRecord['protocol'] | undefined;
  /** What the registry decoded (the remote-session tracker reads it on a hit too). */
  readonly app: AppRecord | undefined;
  /** Set after each full processing of the frame; undefined when it changed more than times and counts. */
  touches: RecordedTouches | undefined;
}

const EMPTY_PAYLOAD = new Uint8Array(0);

export class Pipeline implements DecodeSink {
  readonly counters = new Counters();
  /** The binder's, location's and the model's state versions (src/state-version.ts). */
  private readonly version = new StateVersion();
  /** Known frames whose recorded touches were replayed (observe, identify, merge and locate skipped). */
  private touchesReplayed = 0;
  readonly model: DeviceModel;
  private readonly binder: AddressBinder;
  private readonly location: LocationResolver;
  private readonly appLimits: AppDecoderLimits;
  private readonly frameLimits: FrameLimits;
  private readonly streamRecords: StreamRecord[] = [];
  private readonly streams: StreamDecoder;
  private readonly identifier: Identifier;
  private readonly store: InventoryStore;
  private readonly flushEvery: number;
  private framesSinceFlush = 0;
  private readonly flushIntervalMs: number;
  private lastFlush = Date.now();
  private lastFullFlush = Date.now();
  private readonly observations: Observation[] = [];
  /** Frames already sent by their sender (undefined: switched off by `limits.known_frames.enabled`). */
  private readonly known: KnownFrames<KnownDecode> | undefined;
  /** Plain TCP/UDP frames' replayable moves by sender signature (with the known-frame table). */
  private readonly signatures: HeaderSignatures | undefined;
  /** Observations the stream decoders made of a plain frame, before the binder's (reused). */
  private readonly streamOut: Observation[] = [];
  /** While a frame is decoded: the counter names decoding increments, to replay on a hit. */
  private recording: string[] | undefined;
  /** Issue 20: remote-access sessions (src/observe/remote-sessions.ts), written at each flush. */
  private readonly remote: RemoteSessionTracker;
  private readonly remoteStore: RemoteSessionStore;
  /** Issue 20: who each device talks to (src/observe/comm-profile.ts), added to the store at each flush. */
  private readonly profile: CommProfileTracker;
  private readonly profileStore: ProfileStore;
  /** The stream protocol (DICOM, HL7) the last TCP segment completed a record of, for the profile. */
  private streamProtocol: string | undefined;

  constructor(readonly db: Db, private readonly options: PipelineOptions) {
    const limits = options.limits;
    this.model = new DeviceModel(this.counters, limits?.model, this.version);
    this.binder = new AddressBinder(limits?.binder, this.counters, this.version);
    this.location = new LocationResolver(limits?.location, options.subnetVlans, this.counters, this.version);
    this.appLimits = limits ?? APP_DECODER_LIMITS;
    this.frameLimits = limits ? { ...limits.ethernet, ...limits.tunnels } : FRAME_LIMITS;
    this.store = new InventoryStore(db);
    this.store.load(this.model);
    this.identifier = options.identifier ?? createIdentifier();
    this.flushEvery = options.flushEveryFrames ?? 1_000_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 5_000;
    const sink: StreamSink = {
      anomaly: (code) => this.anomaly(code),
      counter: (name, by) => this.counters.inc(name, by),
      record: (r) => this.streamRecords.push(r),
    };
    this.streams = new StreamDecoder(sink, limits?.streams);
    this.remote = new RemoteSessionTracker(this.counters, limits?.remote);
    this.remoteStore = new RemoteSessionStore(db);
    this.profile = new CommProfileTracker(this.counters, limits?.profile);
    this.profileStore = new ProfileStore(db, this.counters, limits?.profile);
    const knownLimits = options.knownFrames ?? limits?.knownFrames ?? KNOWN_FRAME_LIMITS;
    this.known = knownLimits.enabled ? new KnownFrames<KnownDecode>(knownLimits, PORT_KEYED_UDP_PORTS) : undefined;
    this.signatures = knownLimits.enabled && knownLimits.maxHeaderSignatures > 0 ? new HeaderSignatures(knownLimits.maxHeaderSignatures) : undefined;
  }

  /** Hits, misses and evictions of the known-frame table (all zero when it is off), and the
   * hits whose recorded touches were replayed. */
  get knownFrameStats(): KnownFrameStats & { touchesReplayed: number; signaturesReplayed: number; signaturesCleared: number } {
    return {
      ...(this.known?.stats ?? { hits: 0, misses: 0, ineligible: 0, remembered: 0, sendersEvicted: 0, dormant: 0, sleeps: 0, onceForgotten: 0 }),
      touchesReplayed: this.touchesReplayed,
      signaturesReplayed: this.signatures?.replayed ?? 0,
      signaturesCleared: this.signatures?.cleared ?? 0,
    };
  }

  anomaly(code: string): void {
    const name = counterName('anomaly.', code);
    this.counters.inc(name);
    this.recording?.push(name);
  }

  decoded(protocol: string): void {
    const name = counterName('decoded.', protocol);
    this.counters.inc(name);
    this.recording?.push(name);
  }

  /** Runs one batch of frames through the whole pipeline. */
  processBatch(frames: readonly CapturedFrame[]): void {
    const out = this.observations;
    const known = this.known;
    const counters = this.counters;
    for (const captured of frames) {
      // A frame its sender already sent: what decoding and the application observer gave then,
      // restamped (src/capture/known-frames.ts).
      const hit = known?.lookup(captured);
      let frame: FrameRecord;
      let facts: readonly Observation[] | undefined;
      let protocol: AppRecord['protocol'] | undefined;
      let app: AppRecord | undefined;
      /** The table's entry for this frame: its touches are recorded after the full path. */
      let entry: KnownDecode | undefined;
      if (hit !== undefined) {
        app = hit.app;
        frame = restampFrame(hit.frame, captured.frameNo, captured.tsMicros);
        const counted = hit.counted;
        for (let i = 0; i < counted.length; i++) counters.inc(counted[i] as string);
        // Nothing its last copy's processing read has changed since but times and counts: the
        // same moves, at this copy's time, are what the full path would do (src/state-version.ts).
        if (this.replayed(hit.touches, frame)) {
          this.countFrame(frame);
          // The flow stages keep per-flow state: they run on every frame (a known frame is never
          // TCP, so the stream decoders make nothing of it).
          this.flowStages(frame, app, out);
          this.touchesReplayed++;
          continue;
        }
        entry = hit;
        protocol = hit.protocol;
        const was = hit.facts;
        if (was !== undefined) {
          const now: Observation[] = [];
          for (let i = 0; i < was.length; i++) now.push({ ...(was[i] as Observation), ts: captured.tsMicros, frame: captured.frameNo });
          facts = now;
        }
      } else {
        const decoded = decodeFrame(captured, this.frameLimits);
        frame = decoded.value;
        // Counters are recorded only for a frame the table will remember (an eligible miss).
        const recorded: string[] | undefined = known !== undefined && known.remembering ? [] : undefined;
        this.recording = recorded;
        for (let i = 0; i < decoded.anomalies.length; i++) this.anomaly(decoded.anomalies[i] as string);
        // TCP segments with a payload go to the registry too (TLS, SSH, RDP, VNC, TeamViewer, DNS over TCP, issue 20).
        if (frame.payloadKind !== 'none' && !(frame.payloadKind === 'tcp' && frame.payload.length === 0)) {
          app = decodeApplication(frame, this, this.appLimits);
          if (app) {
            protocol = app.protocol;
            try {
              facts = observeApplication(app, frame);
            } catch {
              counters.inc(`observer_threw.${app.protocol}`);
              recorded?.push(`observer_threw.${app.protocol}`);
            }
          }
        }
        this.recording = undefined;
        // A TCP segment (even one inside a tunnel) goes through the stream decoder's flow state: never remembered.
        if (known !== undefined && recorded !== undefined && frame.payloadKind !== 'tcp') {
          // A UDP payload with an IP header is kept (copied): the remote-session tracker reads its length.
          const payload = frame.payloadKind === 'udp' && frame.ip !== undefined && frame.payload.length > 0 ? frame.payload.slice() : EMPTY_PAYLOAD;
          const remembered: KnownDecode = { frame: restampFrame(frame, frame.frameNo, frame.tsMicros, payload), counted: recorded, facts, protocol, app: detached(app), touches: undefined };
          if (known.remember(remembered, facts?.length ?? 0)) entry = remembered;
        }
      }
      this.countFrame(frame);
      // A plain TCP/UDP frame (src/header-signatures.ts): the flow stages run first, which read
      // nothing the binder or the model keep; when the stream decoders made nothing of it, the
      // moves its sender's last frame of the same signature made are replayed while they hold.
      let signature: HeaderSignature | undefined;
      let flowStagesRan = false;
      const streamOut = this.streamOut;
      if (entry === undefined && this.signatures !== undefined && app === undefined && facts === undefined && isPlain(frame)) {
        flowStagesRan = true;
        streamOut.length = 0;
        this.flowStages(frame, undefined, streamOut);
        if (streamOut.length === 0) {
          signature = this.signatures.entryFor(frame);
          if (this.replayed(signature.touches, frame)) {
            this.signatures.replayed++;
            continue;
          }
        }
      }
      // A known frame's (or signature's) full path records what it moves, to be replayed for its next copy.
      let log: TouchLog | undefined;
      const versionBefore = this.version.value;
      if (entry !== undefined || signature !== undefined) {
        log = this.model.openTouchLog();
        counters.tap = [];
        this.version.reads = [];
      }
      out.length = 0;
      observeFrame(frame, this.binder, out);
      if (flowStagesRan) {
        for (let i = 0; i < streamOut.length; i++) out.push(streamOut[i] as Observation);
        streamOut.length = 0;
      } else {
        this.flowStages(frame, app, out);
      }
      // The typed location fact (LLDP/CDP advertisement, DHCP relay fact) travels beside the
      // observations to the binder and the location stage; only when the observer gave facts.
      let located: LocationFact | undefined;
      if (facts !== undefined) {
        for (let i = 0; i < facts.length; i++) out.push(facts[i] as Observation);
        if (app !== undefined) {
          try {
            located = locationFactOf(app, frame);
            if (located !== undefined && located.protocol !== 'dhcp') this.binder.observeAdvertisement(located, frame, out);
          } catch {
            counters.inc(`observer_threw.${app.protocol}`);
          }
        }
      }
      // Indexed loops here: this runs per frame, and for-of allocated iterator results.
      // The hygiene gate (group MACs, empty identity strings) drops in place, keeping the order.
      let kept = 0;
      for (let i = 0; i < out.length; i++) {
        const o = out[i] as Observation;
        const problem = hygieneProblem(o);
        if (problem !== undefined) { this.anomaly(problem); continue; }
        out[kept++] = o;
      }
      out.length = kept;
      // Facts a MAC carried for a host it forwards for are that host's (issue 13).
      this.binder.attributeForwarded(out);
      for (let i = 0; i < out.length; i++) this.model.applyObservation(out[i] as Observation, this.identify, this.remembers);
      if (out.length > 1) {
        const derived = this.location.observeFrame(out, located);
        for (let i = 0; i < derived.length; i++) {
          const d = derived[i] as (typeof derived)[number];
          this.model.apply(d.observation, d.candidates);
        }
        const aliases = this.location.drainAliases();
        for (let i = 0; i < aliases.length; i++) {
          const a = aliases[i] as (typeof aliases)[number];
          this.model.alias(a.mac, a.into, out[0] as Observation, a.source);
        }
      }
      if (log !== undefined) {
        this.model.closeTouchLog();
        const tapped = counters.tap ?? [];
        counters.tap = undefined;
        const reads = this.version.reads ?? [];
        this.version.reads = undefined;
        // Recorded only when nothing but times and counts moved. A location fact feeds the switch
        // table and relay resolver, whose refreshes are not logged: such frames always take the full path.
        const touches: RecordedTouches | undefined = log.replayable && located === undefined && this.version.value === versionBefore ? { reads, log, counted: tapped } : undefined;
        if (entry !== undefined) entry.touches = touches;
        else if (signature !== undefined) signature.touches = touches;
      }
    }
    this.counters.inc('frames.processed', frames.length);
    this.framesSinceFlush += frames.length;
    // Over the resident cap the flush comes at once: it is what brings memory back down.
    if (this.framesSinceFlush >= this.flushEvery || Date.now() - this.lastFlush >= this.flushIntervalMs || this.model.overResidentCap) {
      // Counts and last-seen times of facts seen again are written in full once a minute and
      // at the end; new facts, changes and history at every flush.
      this.flush(Date.now() - this.lastFullFlush >= 60_000);
    }
  }

  /**
   * The stages that keep per-flow state and run on every frame, replayed or not: the remote-session
   * tracker, the TCP stream decoders (their observations go to `into`) and the communication
   * profile. What the tracker and the profile count is never part of a recorded segment.
   */
  private flowStages(frame: FrameRecord, app: AppRecord | undefined, into: Observation[]): void {
    const counters = this.counters;
    const tap = counters.tap;
    if (frame.ip !== undefined && frame.payloadKind !== 'none') {
      counters.tap = undefined;
      this.remote.onFrame(frame, app);
      counters.tap = tap;
    }
    this.streamProtocol = undefined;
    if (frame.payloadKind === 'tcp') this.decodeStreams(frame, into);
    if (frame.ip !== undefined || app !== undefined) {
      counters.tap = undefined;
      this.profile.onFrame(frame, app, this.streamProtocol);
      counters.tap = tap;
    }
  }

  /**
   * Replays recorded moves for a frame when nothing they read has changed since (src/state-version.ts):
   * the same moves, at this frame's time, and the counters they incremented. False, with nothing
   * done, when there is no record or it no longer holds.
   */
  private replayed(touches: RecordedTouches | undefined, frame: FrameRecord): boolean {
    if (touches === undefined || !readsHold(touches.reads) || !this.model.replayTouches(touches.log, frame.tsMicros, frame.frameNo)) return false;
    const c = touches.counted;
    for (let i = 0; i < c.length; i += 2) this.counters.inc(c[i] as string, c[i + 1] as number);
    return true;
  }

  /** Frame-level counters: VLAN tags, tunnels, protected 802.11. */
  private countFrame(frame: FrameRecord): void {
    if (frame.vlanTags.length > 0) this.counters.inc('frames.vlan_tagged');
    const encap = frame.encap;
    if (encap !== undefined && encap.length > 0) {
      for (let i = 0; i < encap.length; i++) this.counters.inc(counterName('encap.', encap[i] as string));
    }
    if (frame.wlanProtected === true) this.counters.inc('frames.wlan_protected');
  }

  /** TCP: reassembly and the stream protocols (DICOM, HL7); their records become observations. */
  private decodeStreams(frame: FrameRecord, out: Observation[]): void {
    try {
      this.streams.onTcp(frame);
    } catch {
      this.counters.inc('decoder_threw.stream');
      this.streamRecords.length = 0;
      return;
    }
    for (const r of this.streamRecords) {
      const origin = frameOfOrigin(r.origin);
      try {
        const observations = observeStream(r, origin);
        for (const o of observations) out.push(o);
        this.counters.inc(counterName('decoded.', r.protocol));
        this.streamProtocol = r.protocol;
      } catch {
        this.counters.inc(`observer_threw.${r.protocol}`);
      }
    }
    this.streamRecords.length = 0;
  }

  private readonly identify = (o: Observation, device: DeviceFacts) => this.identifier.candidates(o, device);
  private readonly remembers = (field: string) => this.identifier.remembers?.(field) ?? false;

  /** Ends every open remote-access session (`capture_end`); the next flush writes them. The live sensor calls it when it stops. */
  endRemoteSessions(): void {
    this.remote.closeAll();
  }

  flush(full = true): void {
    this.store.flush(this.model, this.counters, full);
    this.remoteStore.insert(this.remote.drain(), this.model.captureId);
    this.profileStore.write(this.profile.drain(), this.model.captureId);
    // Past the resident cap: write the least recently seen devices in full, then let them go.
    const leaving = this.model.evictionCandidates();
    if (leaving.length > 0) {
      this.store.fitPageCaches(this.model.knownDevices);
      this.store.flushDevices(leaving);
      this.model.evict(leaving);
    }
    if (full) {
      // Evicted devices' last-seen times and counts, kept in their snapshots since they left.
      this.store.writeColdTouched(this.counters, (id) => this.model.devices.has(id));
      this.lastFullFlush = Date.now();
    }
    this.framesSinceFlush = 0;
    this.lastFlush = Date.now();
  }

  /**
   * Replays one capture file; throws AuscultError when it cannot be opened or has a bad header.
   * `onProgress(frames, bytes)`: bytes are the frames' captured bytes plus 16 per record (a pcap record header), an estimate of the file offset.
   */
  async replayFile(path: string, onProgress?: (frames: number, bytes: number) => void): Promise<ReplayFileSummary> {
    // Out-of-window frame times are replaced before anything is stored (src/capture/timestamps.ts).
    // Frames view reused read buffers: nothing here keeps a view past its batch (the known-frame
    // table, the reassembler and the stream decoders copy what they keep, as for live capture).
    const reads = this.options.replayReads;
    const source = await openCapture(path, {
      timestamps: this.options.limits?.timestamps ?? TIMESTAMP_LIMITS,
      reuseReadBuffers: reads?.reuseReadBuffers ?? true,
      ...(reads?.readChunkBytes !== undefined ? { readChunkBytes: reads.readChunkBytes } : {}),
    });
    const captureId = this.store.addCapture(path, 'file');
    this.model.captureId = captureId;
    let frames = 0;
    let bytes = 0;
    let firstTs: number | null = null;
    let lastTs: number | null = null;
    for await (const batch of source.batches()) {
      if (batch.length === 0) continue;
      if (firstTs === null) firstTs = batch[0]?.tsMicros ?? null;
      lastTs = batch[batch.length - 1]?.tsMicros ?? lastTs;
      this.processBatch(batch);
      frames += batch.length;
      if (onProgress !== undefined) {
        for (const f of batch) bytes += f.data.length + 16;
        onProgress(frames, bytes);
      }
    }
    for (const w of source.warnings) {
      this.counters.inc(`capture_warning.${w.code}`);
      this.options.logger.warn({ file: path, offset: w.offset, code: w.code }, w.message);
    }
    this.streams.closeAll();
    this.remote.closeAll();
    this.store.finishCapture(captureId, frames, firstTs, lastTs);
    this.flush();
    return { path, frames, warnings: source.warnings };
  }
}

/** `prefix + name`, built once per pair: these run per frame, and the names are few. */
const counterNames = new Map<string, Map<string, string>>();
function counterName(prefix: string, name: string): string {
  let byName = counterNames.get(prefix);
  if (byName === undefined) counterNames.set(prefix, (byName = new Map()));
  let full = byName.get(name);
  if (full === undefined) {
    full = prefix + name;
    // Names come from fixed code lists (anomaly codes, protocol names): bounded, but cap anyway.
    if (byName.size < 4096) byName.set(name, full);
  }
  return full;
}

export interface ReplayFileSummary {
  path: string;
  frames: number;
  warnings: CaptureWarning[];
}

export function openPipeline(dbPath: string, options: PipelineOptions): Pipeline {
  return new Pipeline(openDatabase(dbPath), options);
}
