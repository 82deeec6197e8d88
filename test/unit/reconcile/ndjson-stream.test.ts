import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/inventory/store.js';
import { AuscultError } from '../../../src/errors.js';
import { ExceptionStream, databaseId, enqueueLines, ownerPath, type ExceptionLine } from '../../../src/output/ndjson.js';
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
    const s = new ExceptionStream(db, path);
    s.claim(); // the first flush claims the file before it writes
    writeFileSync(path, '{"schema_version":1,"seq":1,"ev');
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

describe('ExceptionStream: a stream file belongs to one database', () => {
  const ownerError = (f: () => unknown): AuscultError => {
    try {
      f();
    } catch (err) {
      expect(err).toBeInstanceOf(AuscultError);
      return err as AuscultError;
    }
    throw new Error('expected AUS_ERR_STREAM_OWNER');
  };

  it('each database has its own random id, kept across openings', () => {
    const a = fresh('id-a');
    const b = fresh('id-b');
    const idA = databaseId(a.db);
    expect(idA).toMatch(/^[0-9a-f]{32}$/);
    expect(databaseId(b.db)).not.toBe(idA);
    a.db.close();
    const again = openDatabase(join(dir, 'id-a.db'));
    expect(databaseId(again)).toBe(idA);
    again.close();
    b.db.close();
  });

  it('the bug: a new database flushing into an old database\'s file is refused (naming both), nothing is lost, the file is untouched', () => {
    const old = fresh('owner-old');
    enqueueLines(old.db, [line(), line(), line()]);
    const s = new ExceptionStream(old.db, old.path);
    s.flush();
    s.close();
    const before = readFileSync(old.path, 'utf8');
    expect(JSON.parse(readFileSync(ownerPath(old.path), 'utf8'))).toEqual({ database_id: databaseId(old.db), database: join(dir, 'owner-old.db') });
    const young = fresh('owner-new');
    enqueueLines(young.db, [line(), line()]);
    const err = ownerError(() => new ExceptionStream(young.db, old.path).flush());
    expect(err.code).toBe('AUS_ERR_STREAM_OWNER');
    expect(err.exitCode).toBe(78);
    expect(err.message).toContain(databaseId(old.db));
    expect(err.message).toContain(databaseId(young.db));
    expect(err.message).toContain('owner-old.db');
    expect(err.message).toContain('owner-new.db');
    expect(readFileSync(old.path, 'utf8')).toBe(before);
    // Nothing of the new database was taken as sent: its own file gets every line.
    const own = new ExceptionStream(young.db, young.path);
    expect(own.flush()).toMatchObject({ written: 2, cursor: 2, resynced: false });
    own.close();
    expect(seqs(young.path)).toEqual([1, 2]);
    // And the old database still appends to its file.
    enqueueLines(old.db, [line()]);
    const s2 = new ExceptionStream(old.db, old.path);
    expect(s2.flush().written).toBe(1);
    s2.close();
    expect(seqs(old.path)).toEqual([1, 2, 3, 4]);
    old.db.close();
    young.db.close();
  });

  it('a non-empty file without an owner file that this database never wrote is refused; one it wrote (older auscult) is adopted', () => {
    const a = fresh('legacy-a');
    enqueueLines(a.db, [line(), line()]);
    const s = new ExceptionStream(a.db, a.path);
    s.flush();
    s.close();
    rmSync(ownerPath(a.path)); // as an auscult before owner files left it
    const b = fresh('legacy-b');
    enqueueLines(b.db, [line(), line(), line()]);
    expect(ownerError(() => new ExceptionStream(b.db, a.path).flush()).message).toContain('never wrote to it');
    expect(existsSync(ownerPath(a.path))).toBe(false);
    enqueueLines(a.db, [line()]);
    const again = new ExceptionStream(a.db, a.path);
    expect(again.flush().written).toBe(1);
    again.close();
    expect(existsSync(ownerPath(a.path))).toBe(true);
    expect(seqs(a.path)).toEqual([1, 2, 3]);
    a.db.close();
    b.db.close();
  });

  it('an owner file copied along with someone else\'s stream: the last seq beyond this outbox is refused', () => {
    const a = fresh('copied-a');
    enqueueLines(a.db, [line(), line(), line()]);
    const s = new ExceptionStream(a.db, a.path);
    s.flush();
    s.close();
    const b = fresh('copied-b');
    enqueueLines(b.db, [line()]);
    new ExceptionStream(b.db, b.path).flush(); // b owns b.path, cursor 1
    writeFileSync(b.path, readFileSync(a.path)); // a's three lines under b's owner file
    expect(ownerError(() => new ExceptionStream(b.db, b.path).flush()).message).toContain('outbox ends at 1');
    a.db.close();
    b.db.close();
  });

  it('an owner file of another database next to an empty or missing file is taken over', () => {
    const a = fresh('takeover-a');
    const b = fresh('takeover-b');
    enqueueLines(a.db, [line()]);
    new ExceptionStream(a.db, a.path).flush();
    rmSync(a.path);
    enqueueLines(b.db, [line(), line()]);
    const s = new ExceptionStream(b.db, a.path);
    expect(s.flush().written).toBe(2);
    s.close();
    expect(JSON.parse(readFileSync(ownerPath(a.path), 'utf8'))).toMatchObject({ database_id: databaseId(b.db) });
    // Now a is the stranger.
    enqueueLines(a.db, [line()]);
    expect(ownerError(() => new ExceptionStream(a.db, a.path).flush()).code).toBe('AUS_ERR_STREAM_OWNER');
    a.db.close();
    b.db.close();
  });
});
