/**
 * \summary The `output.targets` of the config: each fed from the database's outbox with its own cursor
 * (`stream_cursor`, keyed by the file's path or `output:<name>` for a network output), so every
 * output gets every event once, in `seq` order, in its chosen shape, and the lines are exactly
 * those `auscult events --format <shape>` prints. File outputs are `ExceptionStream`s (crash-safe,
 * tied to their database); syslog and webhook outputs queue into a `SyslogSink` or `WebhookSink`
 * and never block.
 */
import { hostname } from 'node:os';
import type { AuscultConfig as Config } from '../config.js';
import type { Db } from '../inventory/store.js';
import { readEvents, renderContext } from './event-source.js';
import { ExceptionStream } from './ndjson.js';
import { render, type OutputFormat, type RenderContext } from './shapes.js';
import { SyslogSink } from './syslog-sink.js';
import { WebhookSink } from './webhook-sink.js';

/** A network output: queues lines, never blocks. */
interface Sink {
  readonly name: string;
  readonly queued: number;
  sent: number;
  dropped: number;
  enqueue(lines: readonly string[]): void;
  problem(): string | null;
  close(): Promise<void>;
}

export type OutputConfig = Config['output']['targets'][number];

/** The sensor name events carry: `output.sensor_name`, else the host name. */
export const sensorName = (config: Config): string => config.output.sensor_name ?? hostname();

export class Outputs {
  private readonly files: { name: string; stream: ExceptionStream }[] = [];
  private readonly sinks: { sink: Sink; format: OutputFormat; extra: () => [string, number][] }[] = [];
  /** Failures of file outputs since start (each logged by the caller). */
  failures = 0;

  constructor(private readonly db: Db, configs: readonly OutputConfig[], private readonly ctx: Pick<RenderContext, 'sensor' | 'version'>) {
    for (const o of configs) {
      if (o.type === 'file') this.files.push({ name: o.name, stream: new ExceptionStream(db, o.path, { format: o.format, ctx }) });
      else if (o.type === 'syslog') {
        const sink = new SyslogSink(o.name, {
          transport: o.transport, host: o.host, port: o.port, caFile: o.ca_file, serverName: o.server_name,
          maxQueue: o.max_queue, reconnectMinMs: o.reconnect_min_ms, reconnectMaxMs: o.reconnect_max_ms,
        });
        this.sinks.push({ sink, format: 'syslog', extra: () => [[`output.${o.name}.reconnects`, sink.reconnects]] });
      } else {
        const token = o.token_env !== null ? process.env[o.token_env] : undefined;
        const sink = new WebhookSink(o.name, {
          url: o.url, headers: token !== undefined && token !== '' ? { authorization: `Bearer ${token}` } : {}, batchSize: o.batch_size,
          maxQueue: o.max_queue, timeoutMs: o.timeout_ms, retryMinMs: o.retry_min_ms, retryMaxMs: o.retry_max_ms,
        });
        this.sinks.push({ sink, format: o.format, extra: () => [[`output.${o.name}.rejected`, sink.rejected], [`output.${o.name}.failures`, sink.failures]] });
      }
    }
  }

  /** Claims every output file (refusing another database's, `AUS_ERR_STREAM_OWNER`). */
  claim(): void {
    for (const f of this.files) f.stream.claim();
  }

  /** Sends every event not yet sent to each output. Throws the first file output's error after trying them all. */
  flush(): void {
    let first: unknown = null;
    for (const f of this.files) {
      try {
        f.stream.flush();
      } catch (err) {
        this.failures++;
        first ??= err;
      }
    }
    if (this.sinks.length > 0) {
      const ctx = renderContext(this.db, this.ctx);
      for (const { sink, format } of this.sinks) {
        const key = `output:${sink.name}`;
        const cursor = (this.db.prepare('SELECT last_seq FROM stream_cursor WHERE path = ?').get(key) as { last_seq: number } | undefined)?.last_seq ?? 0;
        const lines: string[] = [];
        let last = cursor;
        for (const e of readEvents(this.db, { afterSeq: cursor })) {
          lines.push(render(format, e, ctx));
          last = e.seq;
        }
        if (lines.length === 0) continue;
        sink.enqueue(lines);
        this.db.prepare(`INSERT INTO stream_cursor (path, last_seq) VALUES (?, ?)
          ON CONFLICT(path) DO UPDATE SET last_seq = excluded.last_seq`).run(key, last);
      }
    }
    if (first !== null) throw first;
  }

  /** SIGHUP: file outputs reopen their paths (logrotate). */
  reopen(): void {
    for (const f of this.files) f.stream.reopen();
  }

  /** Health problems (collectors unreachable). */
  problems(): string[] {
    return this.sinks.map((s) => s.sink.problem()).filter((p): p is string => p !== null);
  }

  /** Counters per network output, for metrics: `output.<name>.sent|dropped|queued`, plus `reconnects` (syslog) or `rejected|failures` (webhook). */
  counters(): [string, number][] {
    return this.sinks.flatMap(({ sink: s, extra }) => [[`output.${s.name}.sent`, s.sent], [`output.${s.name}.dropped`, s.dropped], [`output.${s.name}.queued`, s.queued], ...extra()] as [string, number][]);
  }

  async close(): Promise<void> {
    for (const f of this.files) f.stream.close();
    await Promise.all(this.sinks.map((s) => s.sink.close()));
  }
}
