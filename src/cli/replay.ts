/**
 * \summary `auscult replay <capture...>`: decode pcap/pcapng files (gzipped too) into the inventory.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';
import type { Command } from 'commander';
import { AuscultError, EXIT } from '../errors.js';
import { openPipeline } from '../pipeline.js';
import { hasSorSnapshot } from '../reconcile/snapshot.js';
import type { shipOnce } from '../central/ship.js';
import { asDbError, dbOption, loggerFor, streamOption } from './common.js';

// Issue 14 (start-up): the config file's parser (yaml, zod), the reconciler and the central
// client (pg) are imported only when this replay uses them: --config, an imported system of
// record or advisories, a central database.

export function registerReplay(program: Command): void {
  streamOption(dbOption(
    program
      .command('replay')
      .description('decode capture files (pcap, pcapng, optionally gzipped) into the inventory')
      .argument('<capture...>', 'capture files, replayed in the order given')
      .option('--json', 'print a JSON summary on stdout instead of text on stderr')
      .option('--no-progress', 'no progress line on stderr')
      .option('--config <file>', 'take limits and the subnet-to-VLAN map from this config file (default: built-in limits)')
      .option('--central <url>', 'at the end, ship to this central PostgreSQL (central.url, AUSCULT_CENTRAL_URL; README "Many sites")')
      .option('--site <name>', 'the site the captures come from (site, AUSCULT_SITE); needed with --central'),
  )).addHelpText('after', `
Replay uses the packets' own timestamps, so the same capture always yields the same inventory.
A truncated or corrupt file yields the frames before the damage and a warning with the byte
offset (exit 0); a file whose header is not pcap/pcapng exits 65, an unreadable one 66.
When a system of record has been imported, the replay ends with a reconciliation: new and
resolved exceptions are appended to the stream (--stream).

With a central database (--central, AUSCULT_CENTRAL_URL or central.url) the replay ends by
shipping what the database has not shipped yet; if the central database cannot be reached the
replay still keeps everything locally, warns and exits 69 (ship later with auscult ship).

Example:
  $ auscult replay --db site.db monday.pcapng tuesday.pcap.gz`)
    .action(async (captures: string[], opts: { db: string; json?: boolean; progress: boolean; stream: string; config?: string; central?: string; site?: string }, cmd: Command) => {
      const logger = loggerFor(cmd);
      const configModule = opts.config === undefined ? undefined : await import('../config.js');
      const config = opts.config === undefined ? undefined : configModule?.loadConfig(opts.config);
      let pipeline: ReturnType<typeof openPipeline>;
      try {
        pipeline = openPipeline(opts.db, configModule && config ? { logger, limits: configModule.runtimeLimits(config), subnetVlans: config.network.subnet_vlans } : { logger });
      } catch (err) {
        throw asDbError(err, opts.db);
      }
      const showProgress = opts.progress && !opts.json && process.stderr.isTTY === true && !process.env['CI'];
      const progress = showProgress ? new ReplayProgress(captures) : undefined;
      const results: { path: string; frames: number; warnings: number; error?: string }[] = [];
      let exitCode: number = EXIT.OK;
      for (const [index, path] of captures.entries()) {
        try {
          progress?.startFile(index);
          const summary = await pipeline.replayFile(path, progress ? (frames, bytes) => progress.update(frames, bytes) : undefined);
          progress?.endFile();
          results.push({ path, frames: summary.frames, warnings: summary.warnings.length });
        } catch (err) {
          progress?.endFile();
          if (!(err instanceof AuscultError)) {
            progress?.stop();
            throw err;
          }
          progress?.log(`auscult: ${err.message} [${err.code}]`);
          if (!progress) process.stderr.write(`auscult: ${err.message} [${err.code}]\n`);
          results.push({ path, frames: 0, warnings: 0, error: err.code });
          exitCode = Math.max(exitCode, err.exitCode);
        }
      }
      progress?.stop();
      const devices = (pipeline.db.prepare('SELECT count(*) AS n FROM device').get() as { n: number }).n;
      if (hasSorSnapshot(pipeline.db)) {
        const [{ reconcileAndStream }, { summaryLine }, { peerPolicy }] = await Promise.all([
          import('../reconcile/reconcile.js'), import('./reconcile.js'), import('../reconcile/external-peers.js'),
        ]);
        const reconciled = reconcileAndStream(pipeline.db, opts.stream, config !== undefined
          ? { quietAfterS: config.lifecycle.quiet_after_s, peers: peerPolicy(config.profile, (m) => process.stderr.write(`auscult: warning: ${m}\n`)) } : {});
        process.stderr.write(`${summaryLine(reconciled, opts.stream, reconciled.stream.written)}\n`);
      }
      let shipped: Awaited<ReturnType<typeof shipOnce>> | undefined;
      if (opts.central !== undefined || (process.env['AUSCULT_CENTRAL_URL'] ?? '') !== '' || (config?.central.url ?? null) !== null) {
        const [{ redactUrl }, { shipOnce }, { resolveCentral }] = await Promise.all([import('../central/url.js'), import('../central/ship.js'), import('../central/target.js')]);
        const central = resolveCentral({ central: opts.central, site: opts.site, config: opts.config });
        if (central.target !== undefined) {
          if (central.site === null) throw new AuscultError('AUS_ERR_CONFIG_KEY', 'central.url needs site: give --site NAME, AUSCULT_SITE or site in the config');
          try {
            shipped = await shipOnce(pipeline.db, central.target, central.site, { sensorId: central.sensorId });
            if (!opts.json) process.stderr.write(`shipped ${shipped.events} event(s) and ${shipped.devices} device change(s) to ${redactUrl(central.target.url)} as sensor ${shipped.sensor} at ${shipped.site}\n`);
          } catch (err) {
            if (!(err instanceof Error)) throw err;
            process.stderr.write(`auscult: warning: not shipped (kept in ${opts.db}; run auscult ship later): ${err.message}\n`);
            exitCode = Math.max(exitCode, EXIT.UNAVAILABLE);
          }
        }
      }
      pipeline.db.close();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ db: opts.db, captures: results, devices, ...(shipped === undefined ? {} : { shipped }) })}\n`);
      } else {
        for (const r of results) {
          if (r.error === undefined) process.stderr.write(`${r.path}: ${r.frames} frames${r.warnings ? `, ${r.warnings} warning(s)` : ''}\n`);
        }
        // When no capture could be read, the error lines above are the whole story.
        if (results.some((r) => r.error === undefined)) process.stderr.write(`${opts.db}: ${devices} devices\n`);
      }
      process.exitCode = exitCode;
    });
}

/**
 * The replay progress bar on a terminal (cli-progress): percent of the bytes of all the files,
 * ETA, the file being read and "file N of M"; cleared when the replay ends, so what stays on the
 * screen is the summary. Bytes are estimated from the frames read (captured bytes + 16 per
 * record), against each file's size on disk (a gzipped file's estimate is capped at its size).
 */
export class ReplayProgress {
  private readonly bar: CliProgress.SingleBar;
  private readonly sizes: number[];
  private readonly total: number;
  private done = 0;
  private index = 0;

  constructor(private readonly files: readonly string[]) {
    this.sizes = files.map((f) => { try { return statSync(f).size; } catch { return 0; } });
    this.total = Math.max(1, this.sizes.reduce((a, b) => a + b, 0));
    // Loaded only on a terminal: a piped or --json replay does not pay for it.
    const { Presets, SingleBar } = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
    this.bar = new SingleBar({
      format: '{bar} {percentage}% | ETA {eta_formatted} | file {n} of {m}: {file} | {frames} frames',
      clearOnComplete: true, hideCursor: true, stream: process.stderr, etaBuffer: 50, fps: 5, barsize: 24,
    }, Presets.shades_classic);
    // The first file is named from the first draw: a small first file can end before a redraw.
    this.bar.start(this.total, 0, { n: 1, m: files.length, file: basename(files[0] ?? ''), frames: 0 });
  }

  startFile(index: number): void {
    this.index = index;
    this.bar.update(this.done, { n: index + 1, file: basename(this.files[index] ?? ''), frames: 0 });
  }

  update(frames: number, bytes: number): void {
    const size = this.sizes[this.index] ?? 0;
    this.bar.update(this.done + Math.min(bytes, size), { frames: frames.toLocaleString('en-US') });
  }

  endFile(): void {
    this.done += this.sizes[this.index] ?? 0;
    this.bar.update(this.done);
  }

  /** A line above the bar (an error for one file), leaving the bar below it. */
  log(line: string): void {
    this.bar.stop();
    process.stderr.write(`${line}\n`);
    if (this.done < this.total) this.bar.start(this.total, this.done, { n: this.index + 1, m: this.files.length, file: basename(this.files[this.index] ?? ''), frames: 0 });
  }

  stop(): void {
    this.bar.update(this.total);
    this.bar.stop();
  }
}
