import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/inventory/store.js';
import { ExceptionStream, enqueueLines, type ExceptionLine } from '../../../src/output/ndjson.js';
import { eventId } from '../../../src/reconcile/exception-kinds.js';
import { expectValidLines } from './schemas.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-stream-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

let n = 0;
function line(status: 'open' | 'resolved' = 'open'): Omit<ExceptionLine, 'seq'> {
  n++;
  return {
    schema_version: 1, event_type: 'exception', event_id: eventId('never_seen', `A${n}`, null), ts: '2026-01-01T00:00:00.000Z',
    type: 'never_seen', status, severity: 'medium', asset_id: `A${n}`, device_id: null, mac: null, field: null, expected: null,
    observed: null, evidence: [], message: `record A${n} was never heard.`,
  };
}

function fresh(name: string): { db: Db; path: string } {
  return { db: openDatabase(join(dir, `${name}.db`)), path: join(dir, `${name}.ndjson`) };
}

const seqs = (path: string): number[] => expectValidLines(readFileSync(path, 'utf8')).map((l) => l['seq'] as number);

describe('ExceptionStream', () => {
  it('appends unsent lines in seq order, fsyncs, advances the cursor; nothing twice', () => {
    const { db, path } = fresh('basic');
    enqueueLines(db, [line(), line()]);
    const s = new ExceptionStream(db, path);
    expect(s.flush()).toMatchObject({ written: 2, cursor: 2, resynced: false, repaired: false });
    expect(s.flush().written).toBe(0);
    enqueueLines(db, [line('resolved')]);
    expect(s.flush().written).toBe(1);
    s.close();
    expect(seqs(path)).toEqual([1, 2, 3]);
    db.close();
  });

  it('crash after the write but before the cursor moved: resyncs from the file\'s last line, no repeat', () => {
    const { db, path } = fresh('resync');
    enqueueLines(db, [line(), line(), line()]);
    const s = new ExceptionStream(db, path);
    s.flush();
    s.close();
    db.prepare('UPDATE stream_cursor SET last_seq = 1').run(); // the cursor update "never happened"
    enqueueLines(db, [line()]);
    const again = new ExceptionStream(db, path);
    expect(again.flush()).toMatchObject({ written: 1, cursor: 4, resynced: true });
    again.close();
    expect(seqs(path)).toEqual([1, 2, 3, 4]);
    db.close();
  });

  it('crash before the write: the unsent lines go out on the next flush, no loss', () => {
    const { db, path } = fresh('unsent');
    enqueueLines(db, [line(), line()]);
    // A process committed its outbox lines and died: nothing was written.
    const s = new ExceptionStream(db, path);
    expect(s.flush().written).toBe(2);
    s.close();
    expect(seqs(path)).toEqual([1, 2]);
    db.close();
  });

  it('a torn last line (crash mid-write) is cut off and written again whole', () => {
    const { db, path } = fresh('torn');
    enqueueLines(db, [line(), line(), line()]);
    const s = new ExceptionStream(db, path);
    s.flush();
    s.close();
    const text = readFileSync(path, 'utf8');
    const lastStart = text.lastIndexOf('\n', text.length - 2) + 1;
    truncateSync(path, lastStart + 25); // half of line 3 on disk
    db.prepare('UPDATE stream_cursor SET last_seq = 2').run();
    const again = new ExceptionStream(db, path);
    expect(again.flush()).toMatchObject({ written: 1, cursor: 3, repaired: true, resynced: false });
    again.close();
    expect(readFileSync(path, 'utf8')).toBe(text);
    db.close();
  });

  it('a file holding only a torn line is emptied and rewritten', () => {
    const { db, path } = fresh('torn-only');
    enqueueLines(db, [line()]);
    writeFileSync(path, '{"schema_version":1,"seq":1,"ev');
    const s = new ExceptionStream(db, path);
    expect(s.flush()).toMatchObject({ written: 1, repaired: true });
    s.close();
    expect(seqs(path)).toEqual([1]);
    db.close();
  });

  it('reopen (SIGHUP after logrotate): the new file continues from the cursor, history is not replayed', () => {
    const { db, path } = fresh('rotate');
    enqueueLines(db, [line(), line()]);
    const s = new ExceptionStream(db, path);
    s.flush();
    renameSync(path, `${path}.1`);
    enqueueLines(db, [line()]);
    s.reopen();
    expect(s.flush().written).toBe(1);
    s.close();
    expect(seqs(`${path}.1`)).toEqual([1, 2]);
    expect(seqs(path)).toEqual([3]);
    db.close();
  });

  it('each file has its own cursor: a new stream file gets the whole history', () => {
    const { db, path } = fresh('two-files');
    enqueueLines(db, [line(), line()]);
    new ExceptionStream(db, path).flush();
    const other = join(dir, 'other.ndjson');
    const s = new ExceptionStream(db, other);
    expect(s.flush().written).toBe(2);
    s.close();
    expect(seqs(other)).toEqual([1, 2]);
    db.close();
  });

  it('lines a person appended by hand (no seq) do not confuse the resync', () => {
    const { db, path } = fresh('foreign');
    enqueueLines(db, [line()]);
    const s = new ExceptionStream(db, path);
    s.flush();
    s.close();
    appendFileSync(path, '{"note":"hand-written"}\n');
    enqueueLines(db, [line()]);
    const again = new ExceptionStream(db, path);
    expect(again.flush()).toMatchObject({ written: 1, resynced: false });
    again.close();
    db.close();
  });
});
