/**
 * \summary The long-running sensor: live capture → Pipeline.processBatch, periodic inventory
 * flush, reconciliation and the exception stream, metrics and health, and the signals.
 *
 * Start order matters: open the interface (needs CAP_NET_RAW), drop privileges (capture.user),
 * then open the database as that user, then bind the metrics port. Frames that arrive in
 * between wait in the capture ring: the capture callback never waits on the pipeline.
 *
 * Signals (the systemd unit's ExecReload sends SIGHUP):
 * - SIGHUP: re-read and validate the config and the fingerprint rules (`loadIdentifier`); on success
 *   swap atomically (the identifier behind a SwappableIdentifier, the flush interval, the log
 *   level) and reopen the exception stream; on any error keep the old ones, log, and count
 *   `config.reload_failures`. Keys that need the interface reopened (capture.*), the database
 *   path and the metrics address take effect on restart (logged).
 * - SIGTERM/SIGINT: close the capture, deliver what is queued, flush, checkpoint the WAL
 *   (TRUNCATE), close the database, exit 0; a watchdog exits 70 if this takes over 10 s. A
 *   second signal exits at once.
 */
import { LossWatch } from './loss-watch.js';
import { accessSync, constants } from 'node:fs';

import { dropPrivileges, effectiveCapabilities, LiveCapture, type LiveStats } from './capture/live.js';
import type { CapturedFrame } from './capture/captured-frame.js';
import { checkConfigFile, issueError, loadConfig, parseListenAddress, runtimeLimits, type AuscultConfig, type ConfigOverrides } from './config.js';
import { AuscultError } from './errors.js';
import type { FieldCandidate } from './identify/field-candidate.js';
import type { Identifier } from './identify/extract.js';
import type { DeviceFacts } from './device/device-facts.js';
import { DEFAULT_FINGERPRINTS_DIR, RulesIdentifier } from './identify/rules-identifier.js';
import { clearRuleCache, loadRules } from './identify/rules/loader.js';
import type { Logger } from './log.js';
import { Shipper } from './central/ship.js';
import { createMetricsRegistry, healthOf, inventoryFigures, startMetricsServer, type Health, type InventoryFigures, type MetricsServer, type SensorSnapshot } from './metrics.js';
import type { Observation } from './observe/observation.js';
import { ExceptionStream } from './output/ndjson.js';
import { Outputs, sensorName } from './output/outputs.js';
import { VERSION } from './version.js';
import { openPipeline, type Pipeline } from './pipeline.js';
import { passiveHostWarnings } from './cli/passive-host.js';
import { hasSorSnapshot, reconcile } from './reconcile/reconcile.js';
import { peerPolicy } from './reconcile/external-peers.js';
import { announceLifecycle } from './reconcile/lifecycle.js';
import { hasAdvisories } from './inventory/advisory-store.js';

/** Milliseconds SIGTERM may take before the watchdog exits 70. */
export const STOP_DEADLINE_MS = 10_000;

/** An identifier and how many rules it holds. */
export interface LoadedIdentifier {
  identifier: Identifier;
  rulesLoaded: number;
}

/**
 * Builds the identifier from the fingerprint rules the config names. Throws AuscultError
 * (AUS_ERR_RULE) on a bad rule file; on SIGHUP the old identifier then stays.
 */
export type IdentifierLoader = (config: AuscultConfig) => Promise<LoadedIdentifier>;

/** Reads the rule directory afresh (not from the loader's per-process cache: SIGHUP must see edits). */
export const loadIdentifier: IdentifierLoader = (config) => {
  clearRuleCache();
  const rules = loadRules(config.identify.fingerprints_dir ?? DEFAULT_FINGERPRINTS_DIR);
  return Promise.resolve({ identifier: new RulesIdentifier({ rules }), rulesLoaded: rules.rules.length });
};

/** Delegates to an identifier that SIGHUP can replace atomically (one assignment). */
export class SwappableIdentifier implements Identifier {
  constructor(public current: Identifier) {}
  candidates(observation: Observation, device?: DeviceFacts): FieldCandidate[] {
    return this.current.candidates(observation, device);
  }
  remembers(field: string): boolean {
    return this.current.remembers?.(field) ?? false;
  }
  warm(): void {
    this.current.warm?.();
  }
}

export interface SensorOptions {
  /** Config file (null: defaults + env + flags). */
  configFile: string | null;
  /** Flag values (dotted keys), highest precedence. */
  overrides: ConfigOverrides;
  logger: Logger;
  env?: Record<string, string | undefined>;
  identifierLoader?: IdentifierLoader;
}

export class Sensor {
  config: AuscultConfig;
  readonly pipeline: Pipeline;
  readonly capture: LiveCapture;
  readonly startedMs = Date.now();
  private metrics: MetricsServer | null = null;
  private readonly identifier: SwappableIdentifier;
  private rulesLoaded: number;
  private reloads = 0;
  private reloadFailures = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private dbWritable = true;
  private readonly stream: ExceptionStream;
  private readonly outputs: Outputs;
  private readonly captureId: number;
  private firstTs: number | null = null;
  private lastTs: number | null = null;
  private stopping: Promise<number> | null = null;
  /** Ships to the central PostgreSQL when central.url is set (src/central/ship.ts). */
  private shipper: Shipper | null = null;
  private resolveDone: (code: number) => void = () => undefined;
  /** Resolves with the exit code once stopped. */
  readonly done: Promise<number> = new Promise((resolve) => { this.resolveDone = resolve; });

  private constructor(
    private readonly options: SensorOptions,
    config: AuscultConfig,
    loaded: LoadedIdentifier,
  ) {
    const logger = options.logger;
    this.config = config;
    this.identifier = new SwappableIdentifier(loaded.identifier);
    this.rulesLoaded = loaded.rulesLoaded;
    const ifname = config.capture.interface;
    if (ifname === null) {
      throw new AuscultError('AUS_ERR_CONFIG_KEY', 'capture.interface: no interface given (use --interface, AUSCULT_INTERFACE or capture.interface in the config)');
    }
    let pipeline: Pipeline | null = null;
    const pending: CapturedFrame[][] = [];
    const consume = (frames: CapturedFrame[]) => {
      if (pipeline === null) { pending.push(frames.map((f) => ({ ...f, data: Uint8Array.from(f.data) }))); return; }
      this.process(frames);
    };
    // Before the capture opens: the first frames must not wait for the identification tables
    // while the kernel's buffer fills (about 0.3 s of an unfiltered 1 Gb/s feed at the default size).
    this.identifier.warm();
    this.capture = LiveCapture.open({
      interface: ifname,
      snaplen: config.capture.snaplen,
      bufferSize: config.capture.buffer_size,
      bpfFilter: config.capture.bpf_filter,
      ringBytes: config.capture.ring_bytes,
      onFailure: (reason) => { logger.error({ interface: ifname, reason }, 'capture stopped: reading the interface failed (/healthz fails with "capture is not open"); restart the sensor once the interface is back'); },
    }, consume);
    try {
      if (config.capture.user !== null) {
        const dropped = dropPrivileges(config.capture.user, config.capture.group);
        logger.info({ uid: dropped.uid, gid: dropped.gid, capEff: dropped.capEff?.toString(16) ?? null }, 'privileges dropped after opening the interface');
      } else if (process.getuid?.() === 0) {
        logger.warn('running as root after opening the interface: set capture.user to drop privileges');
      } else {
        const capEff = effectiveCapabilities();
        if (capEff !== null && capEff !== 0n) logger.info({ capEff: capEff.toString(16) }, 'running with ambient capabilities (no capture.user set)');
      }
      pipeline = openPipeline(config.database.path, { logger, identifier: this.identifier, limits: runtimeLimits(config), subnetVlans: config.network.subnet_vlans, flushEveryFrames: Number.MAX_SAFE_INTEGER });
    } catch (err) {
      this.capture.close();
      throw err;
    }
    this.pipeline = pipeline;
    // Evidence rows point at a capture row; the live one is named after the interface.
    this.captureId = Number(pipeline.db.prepare('INSERT INTO capture (path, kind) VALUES (?, ?)').run(`live:${ifname}`, 'live').lastInsertRowid);
    pipeline.model.captureId = this.captureId;
    this.stream = new ExceptionStream(pipeline.db, config.output.exceptions_path);
    this.outputs = new Outputs(pipeline.db, config.output.targets, { sensor: sensorName(config), version: VERSION });
    try {
      this.stream.claim(); // a stream file of another database is refused at start-up, not at the first flush
      this.outputs.claim();
    } catch (err) {
      void this.outputs.close();
      pipeline.db.close();
      this.capture.close();
      throw err;
    }
    if (config.central.url !== null) {
      if (config.site === null) {
        void this.outputs.close();
        pipeline.db.close();
        this.capture.close();
        throw new AuscultError('AUS_ERR_CONFIG_KEY', 'site: central.url needs site (the hospital or clinic this sensor is at; --site, AUSCULT_SITE or site in the config)');
      }
      this.shipper = new Shipper(pipeline.db, {
        target: { url: config.central.url, passwordFile: config.central.password_file }, site: config.site, sensorId: config.central.sensor_id,
        logger, counters: pipeline.counters,
      });
    }
    for (const frames of pending) this.process(frames);
    this.scheduleFlush();
    logger.info({ interface: ifname, filter: config.capture.bpf_filter === '' ? '(none)' : 'set', db: config.database.path }, 'capturing');
    if (this.capture.activationWarning !== '') logger.warn({ interface: ifname, warning: this.capture.activationWarning }, 'libpcap warned while opening the interface');
    for (const w of passiveHostWarnings(ifname)) logger.warn({ interface: ifname, fix: w.fix }, `not a passive host: ${w.problem}; run: ${w.fix}`);
  }

  /** Loads the config, opens everything, starts serving. Throws AuscultError (69, 77, 78, ...). */
  static async start(options: SensorOptions): Promise<Sensor> {
    const config = loadConfig(options.configFile, options.env ? { env: options.env, overrides: options.overrides } : { overrides: options.overrides });
    options.logger.level = config.log.level;
    const loaded = await (options.identifierLoader ?? loadIdentifier)(config);
    const sensor = new Sensor(options, config, loaded);
    try {
      if (config.metrics.enabled) {
        const listen = parseListenAddress(config.metrics.listen);
        if (typeof listen === 'string') throw new AuscultError('AUS_ERR_CONFIG_KEY', `metrics.listen: ${listen}`);
        const registry = createMetricsRegistry(() => sensor.snapshot());
        try {
          sensor.metrics = await startMetricsServer(listen.host, listen.port, registry, () => sensor.health());
        } catch (err) {
          throw new AuscultError('AUS_ERR_CONFIG_KEY', `metrics.listen: cannot listen on ${config.metrics.listen}: ${(err as Error).message}`);
        }
        options.logger.info({ address: `${sensor.metrics.address.host}:${sensor.metrics.address.port}` }, 'metrics and health on /metrics and /healthz');
      }
    } catch (err) {
      await sensor.stop('startup failure');
      throw err;
    }
    return sensor;
  }

  private process(frames: CapturedFrame[]): void {
    if (frames.length === 0) return;
    this.firstTs ??= frames[0]?.tsMicros ?? null;
    this.lastTs = frames[frames.length - 1]?.tsMicros ?? this.lastTs;
    this.pipeline.processBatch(frames);
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== null) clearInterval(this.flushTimer);
    this.flushTimer = setInterval(() => { this.flush(); }, this.config.inventory.flush_interval_ms);
  }

  /** Writes the inventory (one transaction), reconciles when a system of record is loaded, appends the stream. */
  flush(): void {
    try {
      this.pipeline.flush();
      const stats = this.capture.stats();
      this.pipeline.db.prepare('UPDATE capture SET frames = ?, first_ts_us = ?, last_ts_us = ? WHERE id = ?')
        .run(stats.delivered, this.firstTs, this.lastTs, this.captureId);
      this.dbWritable = true;
    } catch (err) {
      this.dbWritable = false;
      this.pipeline.counters.inc('inventory.flush_failures');
      this.options.logger.error({ err: (err as Error).message }, 'inventory flush failed');
      return;
    }
    try {
      // The exception stream file is written once a system of record is loaded (as before: one
      // stream file per database, claimed when written). Without one, advisories are still
      // reconciled, or else device lifecycle events (new, changed, quiet, back) announced, into
      // the outbox, and the SIEM outputs (output.targets) get them at once; the stream file gets
      // them in order when a record is imported.
      const quietAfterS = this.config.lifecycle.quiet_after_s;
      const sor = hasSorSnapshot(this.pipeline.db);
      if (sor || hasAdvisories(this.pipeline.db)) {
        reconcile(this.pipeline.db, { quietAfterS, peers: peerPolicy(this.config.profile, (m) => this.options.logger.warn({ problem: m }, 'MUD file not used')) });
      }
      else announceLifecycle(this.pipeline.db, { quietAfterS });
      if (sor) this.stream.flush();
      this.outputs.flush();
    } catch (err) {
      this.pipeline.counters.inc('output.stream_failures');
      this.options.logger.error({ err: (err as Error).message, path: this.config.output.exceptions_path }, 'reconcile or exception stream failed');
    }
    // Asynchronous: returns at once; one batch in flight, backoff while the central database is down.
    this.shipper?.kick();
  }

  /** SIGHUP: validate everything first, then swap; on any error keep the old and count it. */
  async reload(): Promise<boolean> {
    const logger = this.options.logger;
    const checked = checkConfigFile(this.options.configFile, this.options.env ? { env: this.options.env, overrides: this.options.overrides } : { overrides: this.options.overrides });
    const firstIssue = checked.issues[0];
    let next: AuscultConfig | null = checked.config;
    let loaded: LoadedIdentifier | null = null;
    let failure: string | null = firstIssue ? issueError(firstIssue).message : null;
    if (next !== null && failure === null) {
      try {
        loaded = await (this.options.identifierLoader ?? loadIdentifier)(next);
      } catch (err) {
        failure = err instanceof Error ? err.message : String(err);
        next = null;
      }
    }
    if (next === null || loaded === null || failure !== null) {
      this.reloadFailures++;
      this.pipeline.counters.inc('config.reload_failures');
      logger.error({ reason: failure ?? 'invalid configuration' }, 'reload rejected: keeping the running config and rules');
      return false;
    }
    const old = this.config;
    for (const key of ['interface', 'snaplen', 'buffer_size', 'bpf_filter', 'ring_bytes', 'user', 'group'] as const) {
      if (old.capture[key] !== next.capture[key]) logger.warn({ key: `capture.${key}` }, 'changed on reload: takes effect on restart (the interface is not reopened)');
    }
    if (old.database.path !== next.database.path) logger.warn({ key: 'database.path' }, 'changed on reload: takes effect on restart');
    if (old.metrics.listen !== next.metrics.listen || old.metrics.enabled !== next.metrics.enabled) logger.warn({ key: 'metrics.listen' }, 'changed on reload: takes effect on restart');
    loaded.identifier.warm?.();
    // The swap: every assignment below is synchronous, so no batch sees half of it.
    this.identifier.current = loaded.identifier;
    this.rulesLoaded = loaded.rulesLoaded;
    this.config = { ...next, capture: old.capture, database: old.database, metrics: { ...next.metrics, listen: old.metrics.listen, enabled: old.metrics.enabled } };
    logger.level = next.log.level;
    if (old.inventory.flush_interval_ms !== next.inventory.flush_interval_ms) this.scheduleFlush();
    if (old.output.exceptions_path !== next.output.exceptions_path) logger.warn({ key: 'output.exceptions_path' }, 'changed on reload: takes effect on restart');
    this.stream.reopen();
    this.outputs.reopen();
    this.reloads++;
    this.pipeline.counters.inc('config.reloads');
    logger.info({ rules: this.rulesLoaded }, 'reloaded config and rules; exception stream reopened');
    return true;
  }

  snapshot(): SensorSnapshot {
    const capture: LiveStats = this.capture.stats();
    return {
      interface: this.capture.interfaceName,
      capture,
      counters: [...this.pipeline.counters.entries(), ...this.outputs.counters()],
      outputProblems: this.outputs.problems(),
      devices: this.pipeline.model.knownDevices,
      residentDevices: this.pipeline.model.devices.size,
      knownFrames: this.pipeline.knownFrameStats,
      rulesLoaded: this.rulesLoaded,
      reloads: this.reloads,
      reloadFailures: this.reloadFailures,
      dbWritable: this.dbWritable && this.databaseFileWritable(),
      startedMs: this.startedMs,
      inventory: this.inventoryFigures(),
    };
  }

  private figures: { at: number; value: InventoryFigures | undefined } = { at: 0, value: undefined };
  /** Exceptions and categories for /metrics, read from the database at most once a minute. */
  private inventoryFigures(): InventoryFigures | undefined {
    const now = Date.now();
    if (this.figures.value === undefined || now - this.figures.at >= 60_000) {
      try {
        this.figures = { at: now, value: inventoryFigures(this.pipeline.db) };
      } catch {
        this.figures = { at: now, value: this.figures.value };
      }
    }
    return this.figures.value;
  }

  health(): Health {
    const snapshot = this.snapshot();
    const health = healthOf(snapshot, this.config.metrics.max_packet_age_s);
    const problems = [...health.problems, ...this.lossWatch.problems(snapshot)];
    const central = this.shipper?.problem();
    if (central !== undefined) problems.push(central);
    return problems.length === health.problems.length ? health : { ...health, status: 'fail', problems };
  }

  /** Loss counters as of the previous health check (src/loss-watch.ts). */
  private readonly lossWatch = new LossWatch();

  private databaseFileWritable(): boolean {
    if (!this.pipeline.db.open || this.pipeline.db.readonly) return false;
    try {
      accessSync(this.config.database.path, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  /** The bound metrics address, when serving. */
  get metricsAddress(): { host: string; port: number } | null {
    return this.metrics?.address ?? null;
  }

  /** Stops capture, drains, flushes, checkpoints the WAL, closes; resolves with the exit code. */
  stop(reason: string): Promise<number> {
    this.stopping ??= this.doStop(reason);
    return this.stopping;
  }

  private async doStop(reason: string): Promise<number> {
    const logger = this.options.logger;
    logger.info({ reason }, 'stopping');
    let code = 0;
    if (this.flushTimer !== null) clearInterval(this.flushTimer);
    this.flushTimer = null;
    // The frames of the last moments too (the kernel's last block), then everything read is delivered.
    await this.capture.finish();
    try {
      this.capture.drain();
      this.pipeline.endRemoteSessions(); // open remote-access sessions end with the capture (issue 20)
      this.flush();
      if (this.shipper !== null) await this.shipper.stop();
      this.pipeline.db.pragma('wal_checkpoint(TRUNCATE)');
      this.stream.close();
      this.pipeline.db.close();
    } catch (err) {
      code = 70;
      logger.error({ err: (err as Error).message }, 'final flush failed');
    }
    await this.outputs.close();
    if (this.metrics !== null) await this.metrics.close();
    const stats = this.capture.stats();
    logger.info({ received: stats.received, processed: stats.delivered, appDropped: stats.appDropped, kernelDropped: stats.kernelDropped, devices: this.pipeline.model.knownDevices }, 'stopped');
    this.resolveDone(code);
    return code;
  }
}

/**
 * Runs the sensor until SIGTERM/SIGINT; SIGHUP reloads. Resolves with the exit code
 * (0 after a clean stop). Startup errors are thrown as AuscultError.
 */
export async function runSensor(options: SensorOptions): Promise<number> {
  const sensor = await Sensor.start(options);
  const logger = options.logger;
  let signals = 0;
  const onStop = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting without finishing the flush');
      process.exit(70);
    }
    setTimeout(() => {
      logger.error({ deadlineMs: STOP_DEADLINE_MS }, 'stop took too long: exiting');
      process.exit(70);
    }, STOP_DEADLINE_MS).unref();
    void sensor.stop(signal);
  };
  const onHup = () => { void sensor.reload(); };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', onHup);
  try {
    return await sensor.done;
  } finally {
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    process.off('SIGHUP', onHup);
  }
}
