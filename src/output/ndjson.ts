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
 * Fault injection (tests only): with `AUSCULT_FAULT_INJECT_DELAY_MS=N` a flush pauses N ms before
 * writing, between the two halves of its write, and after the write before the cursor moves, so a
 * test's SIGKILL can land in each window (`test/e2e/crash-safety.test.ts`).
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Db } from '../inventory/store.js';
import type { ReconcileException } from '../reconcile/exception-kinds.js';

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

/** Appends lines to the outbox, giving each the next `seq`. Call inside the transaction that changes state. */
export function enqueueLines(db: Db, lines: readonly Omit<ExceptionLine, 'seq'>[]): number[] {
  const maxSeq = db.prepare('SELECT coalesce(max(seq), 0) AS m FROM outbox');
  const insert = db.prepare('INSERT INTO outbox (seq, line) VALUES (?, ?)');
  let seq = (maxSeq.get() as { m: number }).m;
  const seqs: number[] = [];
  for (const l of lines) {
    seq++;
    insert.run(seq, JSON.stringify(orderLine({ ...l, seq })));
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

const FAULT_DELAY_MS = Number(process.env['AUSCULT_FAULT_INJECT_DELAY_MS'] ?? 0) || 0;

/** Blocks for the fault-injection delay (a no-op unless the variable is set). */
function faultPause(): void {
  if (FAULT_DELAY_MS > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, FAULT_DELAY_MS);
}

/** How many bytes of the file's tail are read to find the last line (doubled until a newline is found). */
const TAIL_CHUNK = 64 * 1024;

/** Appends outbox lines to one NDJSON file. Not safe for concurrent use within a process; safe across processes. */
export class ExceptionStream {
  readonly path: string;
  private fd: number | null = null;
  private pendingResync = true;

  constructor(private readonly db: Db, path: string) {
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
      if (this.fd === null) this.fd = openSync(this.path, 'a+');
      if (this.pendingResync) {
        const tail = this.repairAndReadLastLine(this.fd);
        repaired = tail.repaired;
        const lastSeq = tail.lastSeq;
        if (lastSeq !== undefined && lastSeq > this.cursor()) {
          this.setCursor(lastSeq);
          resynced = true;
        }
        this.pendingResync = false;
      }
      let cursor = this.cursor();
      const rows = this.db.prepare('SELECT seq, line FROM outbox WHERE seq > ? ORDER BY seq').all(cursor) as { seq: number; line: string }[];
      if (rows.length > 0) {
        const text = `${rows.map((r) => r.line).join('\n')}\n`;
        const buf = Buffer.from(text, 'utf8');
        faultPause();
        const fd = this.fd;
        const writeAll = (from: number, to: number): void => {
          let off = from;
          while (off < to) off += writeSync(fd, buf, off, to - off);
        };
        if (FAULT_DELAY_MS > 0) {
          const half = Math.floor(buf.length / 2);
          writeAll(0, half);
          faultPause();
          writeAll(half, buf.length);
        } else writeAll(0, buf.length);
        fsyncSync(fd);
        faultPause();
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
      return { lastSeq: seqOf(line), repaired };
    }
  }
}

function seqOf(line: string): number | undefined {
  try {
    const v = JSON.parse(line) as { seq?: unknown };
    return typeof v.seq === 'number' && Number.isSafeInteger(v.seq) ? v.seq : undefined;
  } catch {
    return undefined;
  }
}
