/**
 * \summary The exception stream: NDJSON lines (design.md's shape, `schemas/exception.schema.json`)
 * appended to a file from the `outbox` table, with a persisted per-file cursor, so a crash
 * neither loses nor repeats a line.
 *
 * How (a transactional outbox, as in Kafka Connect's or Debezium's outbox pattern):
 * 1. Reconciliation appends each new line to `outbox` in the same transaction that changes the
 *    `exception` table (`enqueueLines`). A crash before commit loses the change and its line
 *    together; after commit both are durable.
 * 2. `ExceptionStream.flush()` appends the lines with `seq` above the file's cursor, fsyncs, then
 *    advances the cursor. A crash before the write leaves the lines unsent: the next flush sends
 *    them. A crash after the write but before the cursor moved would send them twice, so every
 *    line carries its `seq`, and on opening the file the writer reads its last complete line and
 *    moves the cursor up to that `seq` first. A torn last line (a crash mid-write) has no newline;
 *    it is cut off and written again whole.
 * 3. The whole flush runs inside an IMMEDIATE transaction, so two processes flushing one file
 *    take turns instead of both sending a line.
 * `reopen()` closes the file so the next flush opens the path again (logrotate + SIGHUP); a new,
 * empty file continues from the cursor, so rotation never replays history.
 *
 * A stream file belongs to one database. Cursors and `seq` numbers are per database, so a file
 * another database wrote would otherwise be taken for this one's (its last `seq` moving this
 * database's cursor past lines it never wrote: the lines were lost). The owner is recorded in a
 * sidecar `<file>.owner.json` (`{"database_id", "database"}`; the id is made once per database,
 * `database_identity`) rather than in the lines, so the same inputs still give byte-identical
 * streams. Before its first write a stream claims the file (`claim()`): its own sidecar, or an empty
 * or missing file, is taken; a file owned by another database, a non-empty file without a sidecar
 * that this database never wrote, or a file whose last `seq` is beyond this database's outbox is
 * refused with `AUS_ERR_STREAM_OWNER` naming both databases. A sidecar left next to a missing or
 * empty file is taken over (no line of the other database can be mistaken then).
 *
 * Fault injection (tests only): with `AUSCULT_FAULT_INJECT_DELAY_MS=N` a flush pauses N ms before
 * writing, between the two halves of its write, and after the write before the cursor moves, so a
 * test's SIGKILL can land in each window (`test/e2e/crash-safety.test.ts`); with
 * `AUSCULT_FAULT_INJECT_MARK=1` too, each pause first writes `auscult-fault-window <name>` (unsent,
 * torn, cursor_behind) to stderr, so the test can kill inside a chosen window.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { AuscultError } from '../errors.js';
import type { Db } from '../inventory/store.js';
import type { ReconcileException } from '../reconcile/exception-kinds.js';
import { orderLifecycleLine, type LifecycleLine } from '../reconcile/lifecycle.js';
import { orderSessionLine, type RemoteSessionLine } from '../reconcile/session-lines.js';
import { renderContext } from './event-source.js';
import { render, type OutputFormat, type RenderContext, type StreamEvent } from './shapes.js';

export const EXCEPTION_SCHEMA_VERSION = 1;

/** One line of the stream: the computed exception (less its internal `subject`) with its status,
 * time and stream position. Keys are put in contract order by `orderLine`. */
export type ExceptionLine = {
  schema_version: typeof EXCEPTION_SCHEMA_VERSION;
  event_type: 'exception';
  /** Position in the database's outbox (stream lines only; absent in `reconcile --json`). */
  seq?: number;
  /** Capture time of the newest packet in the database when the status changed. */
  ts: string;
  status: 'open' | 'resolved';
} & Omit<ReconcileException, 'subject'>;

/** The line with its keys in contract order (`seq` after `event_type` when present). */
export function orderLine(l: ExceptionLine): ExceptionLine {
  const head: Pick<ExceptionLine, 'schema_version' | 'event_type' | 'seq'> = { schema_version: l.schema_version, event_type: l.event_type };
  if (l.seq !== undefined) head.seq = l.seq;
  return {
    ...head, event_id: l.event_id, ts: l.ts, type: l.type, status: l.status, severity: l.severity, asset_id: l.asset_id,
    device_id: l.device_id, mac: l.mac, field: l.field, expected: l.expected, observed: l.observed, evidence: l.evidence, message: l.message,
  };
}

/** Any line of the outbox: an exception, a device lifecycle event (`src/reconcile/lifecycle.ts`) or a remote-access session (`src/reconcile/session-lines.ts`). */
export type OutboxLine = ExceptionLine | LifecycleLine | RemoteSessionLine;

/** Any kind of line with its keys in contract order. */
export function orderOutboxLine(l: OutboxLine): OutboxLine {
  if (l.event_type === 'remote_session') return orderSessionLine(l);
  return l.event_type === 'lifecycle' ? orderLifecycleLine(l) : orderLine(l);
}

/** Appends lines to the outbox, giving each the next `seq`. Call inside the transaction that changes state. */
export function enqueueLines(db: Db, lines: readonly (Omit<ExceptionLine, 'seq'> | Omit<LifecycleLine, 'seq'>)[]): number[] {
  const maxSeq = db.prepare('SELECT coalesce(max(seq), 0) AS m FROM outbox');
  const insert = db.prepare('INSERT INTO outbox (seq, line) VALUES (?, ?)');
  let seq = (maxSeq.get() as { m: number }).m;
  const seqs: number[] = [];
  for (const l of lines) {
    seq++;
    insert.run(seq, JSON.stringify(orderOutboxLine({ ...l, seq })));
    seqs.push(seq);
  }
  return seqs;
}

export interface StreamFlushResult {
  /** Lines appended by this flush. */
  written: number;
  /** The file's cursor afterwards. */
  cursor: number;
  /** True when the cursor was moved up from the file's last line (a crash after a write). */
  resynced: boolean;
  /** True when a torn last line was cut off. */
  repaired: boolean;
}

/** The fault-injection settings, read from the environment on first use (not when this module is evaluated: a start-up snapshot evaluates it at build time). */
let faultSettings: { delayMs: number; mark: boolean } | undefined;
const fault = (): { delayMs: number; mark: boolean } => (faultSettings ??= {
  delayMs: Number(process.env['AUSCULT_FAULT_INJECT_DELAY_MS'] ?? 0) || 0,
  mark: process.env['AUSCULT_FAULT_INJECT_MARK'] === '1',
});

/** Blocks for the fault-injection delay (a no-op unless the variable is set), naming the window it holds open. */
function faultPause(window: 'unsent' | 'torn' | 'cursor_behind'): void {
  const { delayMs, mark } = fault();
  if (delayMs <= 0) return;
  if (mark) writeSync(2, `auscult-fault-window ${window}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delayMs);
}

/** How many bytes of the file's tail are read to find the last line (doubled until a newline is found). */
const TAIL_CHUNK = 64 * 1024;

/** This database's identity (made once by its migration). */
export function databaseId(db: Db): string {
  const row = db.prepare('SELECT database_id FROM database_identity WHERE id = 1').get() as { database_id: string } | undefined;
  if (row === undefined) throw new AuscultError('AUS_ERR_DB', 'database has no identity row (database_identity)', { file: db.name });
  return row.database_id;
}

/** The owner sidecar of a stream file. */
export interface StreamOwner {
  database_id: string;
  /** The database's path when it claimed the file (for people; the id decides). */
  database: string;
}

export const ownerPath = (streamPath: string): string => `${streamPath}.owner.json`;

function readOwner(path: string): StreamOwner | 'unreadable' | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<StreamOwner>;
    if (typeof v.database_id !== 'string' || !/^[0-9a-f]{32}$/.test(v.database_id)) return 'unreadable';
    return { database_id: v.database_id, database: typeof v.database === 'string' ? v.database : '(unknown)' };
  } catch {
    return 'unreadable';
  }
}

/** A stream file in another shape than NDJSON (an `outputs:` entry of type `file`). */
export interface StreamShape {
  format: OutputFormat;
  /** Sensor name and version; the device lookup is made per flush. */
  ctx: Pick<RenderContext, 'sensor' | 'version'>;
}

/**
 * Appends outbox lines to one file, as auscult's NDJSON (the default) or rendered in another
 * shape (`shapes.ts`; every shape carries the `seq` the resync reads back). Not safe for
 * concurrent use within a process; safe across processes.
 */
export class ExceptionStream {
  readonly path: string;
  private fd: number | null = null;
  private pendingResync = true;
  private claimed = false;

  constructor(private readonly db: Db, path: string, private readonly shape?: StreamShape) {
    this.path = resolve(path);
  }

  /** Closes the file; the next flush opens the path again (and resyncs). For SIGHUP after logrotate. */
  reopen(): void {
    this.close();
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.pendingResync = true;
    this.claimed = false;
  }

  /**
   * Makes sure the file is this database's (writing the owner sidecar when it is new or empty).
   * Throws `AUS_ERR_STREAM_OWNER` naming both databases otherwise. Idempotent; `flush()` calls it.
   */
  claim(): void {
    if (this.claimed) return;
    const me: StreamOwner = { database_id: databaseId(this.db), database: resolve(this.db.name) };
    const sidecar = ownerPath(this.path);
    const owner = readOwner(sidecar);
    const size = existsSync(this.path) ? statSync(this.path).size : 0;
    const refuse = (why: string): never => {
      throw new AuscultError('AUS_ERR_STREAM_OWNER', `${why}; this database is ${me.database_id} (${me.database}). ` +
        'Give each database its own stream file (--stream FILE, or output.exceptions_path) or move the old file and its .owner.json away', { file: this.path });
    };
    if (owner === 'unreadable' && size > 0) refuse(`the owner file ${sidecar} is unreadable, so the file's lines cannot be told apart from another database's`);
    if (owner !== undefined && owner !== 'unreadable' && owner.database_id !== me.database_id && size > 0) {
      refuse(`the stream file belongs to database ${owner.database_id} (${owner.database}), not to this one: its lines and seq numbers are that database's`);
    }
    if (owner === undefined && size > 0 && this.db.prepare('SELECT 1 FROM stream_cursor WHERE path = ?').get(this.path) === undefined) {
      refuse(`the stream file holds lines but no owner file (${sidecar}) and this database never wrote to it: it is another database's (or an older auscult's)`);
    }
    if (owner === undefined || owner === 'unreadable' || owner.database_id !== me.database_id) {
      const tmp = `${sidecar}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(me)}\n`);
      renameSync(tmp, sidecar);
    }
    this.claimed = true;
  }

  /** The persisted cursor of this file (0 when nothing was ever written to it). */
  cursor(): number {
    const row = this.db.prepare('SELECT last_seq FROM stream_cursor WHERE path = ?').get(this.path) as { last_seq: number } | undefined;
    return row?.last_seq ?? 0;
  }

  /** Writes every outbox line not yet in the file, fsyncs, advances the cursor. */
  flush(): StreamFlushResult {
    const run = this.db.transaction((): StreamFlushResult => {
      let resynced = false;
      let repaired = false;
      this.claim();
      if (this.fd === null) this.fd = openSync(this.path, 'a+');
      if (this.pendingResync) {
        const tail = this.repairAndReadLastLine(this.fd);
        repaired = tail.repaired;
        const lastSeq = tail.lastSeq;
        const maxSeq = (this.db.prepare('SELECT coalesce(max(seq), 0) AS m FROM outbox').get() as { m: number }).m;
        if (lastSeq !== undefined && lastSeq > maxSeq) {
          this.close();
          throw new AuscultError('AUS_ERR_STREAM_OWNER', `the file's last line has seq ${lastSeq} but this database's outbox ends at ${maxSeq}: ` +
            `it was not written from this database (${resolve(this.db.name)}); give it its own stream file`, { file: this.path });
        }
        if (lastSeq !== undefined && lastSeq > this.cursor()) {
          this.setCursor(lastSeq);
          resynced = true;
        }
        this.pendingResync = false;
      }
      let cursor = this.cursor();
      const rows = this.db.prepare('SELECT seq, line FROM outbox WHERE seq > ? ORDER BY seq').all(cursor) as { seq: number; line: string }[];
      if (rows.length > 0) {
        const shape = this.shape;
        let lines = rows.map((r) => r.line);
        // A target in any shape (`ndjson` included: it adds sensor, ip, hostname) renders the
        // lines; the reconciliation stream (no shape) writes the outbox lines as they are.
        if (shape !== undefined) {
          const ctx: RenderContext = renderContext(this.db, shape.ctx);
          lines = rows.map((r) => render(shape.format, { ...(JSON.parse(r.line) as StreamEvent), seq: r.seq }, ctx));
        }
        const text = `${lines.join('\n')}\n`;
        const buf = Buffer.from(text, 'utf8');
        faultPause('unsent');
        const fd = this.fd;
        const writeAll = (from: number, to: number): void => {
          let off = from;
          while (off < to) off += writeSync(fd, buf, off, to - off);
        };
        if (fault().delayMs > 0) {
          // Mid-line, so the window really holds a torn line (equal lines would split at a newline).
          let half = Math.floor(buf.length / 2);
          if (half > 1 && buf[half - 1] === 0x0a) half--;
          writeAll(0, half);
          faultPause('torn');
          writeAll(half, buf.length);
        } else writeAll(0, buf.length);
        fsyncSync(fd);
        faultPause('cursor_behind');
        cursor = rows[rows.length - 1]?.seq ?? cursor;
        this.setCursor(cursor);
      }
      return { written: rows.length, cursor, resynced, repaired };
    });
    return run.immediate();
  }

  private setCursor(seq: number): void {
    this.db.prepare(`INSERT INTO stream_cursor (path, last_seq) VALUES (?, ?)
      ON CONFLICT(path) DO UPDATE SET last_seq = excluded.last_seq`).run(this.path, seq);
  }

  /** Cuts a torn last line off, then returns the `seq` of the last complete line (if it has one). */
  private repairAndReadLastLine(fd: number): { lastSeq: number | undefined; repaired: boolean } {
    const size = fstatSync(fd).size;
    if (size === 0) return { lastSeq: undefined, repaired: false };
    let chunk = Math.min(size, TAIL_CHUNK);
    for (;;) {
      const start = size - chunk;
      const buf = Buffer.alloc(chunk);
      let got = 0;
      while (got < chunk) {
        const n = readSync(fd, buf, got, chunk - got, start + got);
        if (n === 0) break;
        got += n;
      }
      const text = buf.subarray(0, got);
      let repaired = false;
      let end = text.length;
      if (text[end - 1] !== 0x0a) {
        const lastNl = text.lastIndexOf(0x0a);
        if (lastNl === -1 && start > 0) {
          chunk = Math.min(size, chunk * 2);
          continue;
        }
        // Torn write: keep everything up to and including the last newline.
        ftruncateSync(fd, start + lastNl + 1);
        fsyncSync(fd);
        repaired = true;
        end = lastNl + 1;
        if (lastNl === -1) return { lastSeq: undefined, repaired };
      }
      // `end` is just past a newline; find the line before it.
      const prevNl = text.lastIndexOf(0x0a, end - 2);
      if (prevNl === -1 && start > 0) {
        chunk = Math.min(size, chunk * 2);
        continue;
      }
      const line = text.subarray(prevNl + 1, end - 1).toString('utf8');
      return { lastSeq: seqOf(line, this.shape?.format ?? 'ndjson'), repaired };
    }
  }
}

/** The outbox `seq` a line of the given shape carries (undefined for a line auscult did not write). */
export function seqOf(line: string, format: OutputFormat = 'ndjson'): number | undefined {
  const safe = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined);
  try {
    switch (format) {
      case 'ndjson': return safe((JSON.parse(line) as { seq?: unknown }).seq);
      case 'ocsf': return safe((JSON.parse(line) as { metadata?: { sequence?: unknown } }).metadata?.sequence);
      case 'ecs': return safe((JSON.parse(line) as { event?: { sequence?: unknown } }).event?.sequence);
      case 'cef': case 'syslog': {
        const m = / cn1=(\d{1,15})$/.exec(line);
        return m?.[1] !== undefined ? safe(Number(m[1])) : undefined;
      }
    }
  } catch {
    return undefined;
  }
}
