/**
 * `auscult sessions` on a database written before the remote_session table existed (issue 20):
 * the command migrates it first and says there are no sessions, instead of an internal error.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/inventory/migrations.js';
import { auscult } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'auscult-sessions-old-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auscult sessions on an older database', () => {
  it('migrates it and lists no sessions (exit 0)', () => {
    const path = join(dir, 'old.db');
    const index = MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE remote_session'));
    expect(index).toBeGreaterThanOrEqual(0);
    // A database as the version before the remote_session migration left it.
    const raw = new Database(path);
    for (const m of MIGRATIONS.slice(0, index)) raw.exec(m);
    raw.pragma(`user_version = ${index}`);
    raw.close();
    const r = auscult(['sessions', '--db', path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('no remote-access sessions');
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'remote_session'").get()).toBeDefined();
    check.close();
  });
});
